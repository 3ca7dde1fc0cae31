package hierarchy

import (
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Genealogy is the whole effective-dated member tree, built by applying
// changes in the order they were recorded. The zero value is an empty
// genealogy ready to use.
//
// Apply and the methods that call it modify the Genealogy; they must not
// run concurrently with each other or with queries. Queries (Snapshot and
// its methods, ID, Lookup) may run concurrently with each other.
type Genealogy struct {
	ids strtab // member ids; entry i is Member i

	// Per member, indexed by Member. An upline walk reads nodes only: a
	// step is one node, usually one cache line, for the sponsor and the
	// ancestor's answer. The rest are parallel slices it does not touch.
	nodes     []node
	ext       []int32 // index+1 into exts, 0 when nothing changed since enrollment
	enrollAt  []int64 // effective instant of the enrollment
	enrollSeq []int32 // position of the enrollment in the log
	parent    []int32 // placement parent at enrollment, -1 none
	leg       []uint16

	// Changes after enrollment: a member with any has ext > 0 and one span
	// per attribute into recs, sorted by (effective, seq).
	exts  []ext
	recs  []rec
	waste int // records in abandoned spans

	// Every member that was ever a sponsor's child, as linked lists in
	// flat arrays: head[m] is m's first edge+1.
	head  []int32
	edges []edge

	codes     strtab // referral codes; entry i is code i
	codeInfos []codeInfo

	recAt []int64 // recorded instant of each change, by seq

	// asOf remembers the last knowledge instant SnapshotAsOf cut the log
	// at, for a log of the length it then had: a batch asks with one
	// instant for every order.
	asOf atomic.Pointer[asOfCut]
}

// asOfCut is SnapshotAsOf's cut of the log at knowledge instant known,
// when the log held changes changes.
type asOfCut struct {
	known   int64
	changes int
	cut, n  int32
}

// node is a member's enrollment sponsor (-1 for a root; moved(s) once the
// sponsor changes later) and its state: 12 bytes.
type node struct {
	sponsor int32
	state   state
}

// state is a member's status and ranks at enrollment, its kind, and
// whether its status or ranks change later (then the answer at an instant
// is in its history).
type state struct {
	ranks  Ranks
	status Status
	bits   uint8 // kind | statusChanges | ranksChanges
}

const (
	kindMask      = 3
	statusChanges = 1 << 6
	ranksChanges  = 1 << 7
)

func (st state) kind() Kind { return Kind(st.bits & kindMask) }

// moved encodes the enrollment sponsor s (-1 for a root) of a member whose
// sponsor changes later, as -3-s: always below -1, so that a walk tells
// "look at the history" from a sponsor or a root with one comparison.
// Members are fewer than 1<<31-2 (strtab.fits), so it never overflows.
func moved(s int32) int32 { return -3 - s }

// enrollSponsor returns m's sponsor at enrollment, -1 for a root.
func (g *Genealogy) enrollSponsor(m int32) int32 {
	s := g.nodes[m].sponsor
	if s < -1 {
		s = moved(s) // moved is its own inverse
	}
	return s
}

type attr uint8

const (
	aSponsor attr = iota // rec.a = sponsor
	aPlace               // rec.a = parent (-1 none), rec.b = leg
	aStatus              // rec.a = status
	aRank                // rec.a = paid-as, rec.b = highest
	nAttr
)

type rec struct {
	eff  int64
	seq  int32
	a, b int32
}

type span struct{ off, n, cap uint32 }

type ext struct{ sp [nAttr]span }

type edge struct{ child, next int32 }

// codeInfo is what Resolve needs about a code, in one 16-byte record.
type codeInfo struct {
	at     int64 // effective instant
	member int32
	seq    int32 // position in the log
}

// maxChanges bounds the log so that positions and record offsets fit in
// 32 bits.
const maxChanges = 1 << 30

// Len returns the number of members enrolled.
func (g *Genealogy) Len() int { return len(g.nodes) }

// Changes returns the number of changes applied.
func (g *Genealogy) Changes() int { return len(g.recAt) }

// ID returns the external id of m, or "" if m is not a member.
func (g *Genealogy) ID(m Member) string {
	if m < 0 || int(m) >= len(g.nodes) {
		return ""
	}
	return g.ids.str(int32(m))
}

// Lookup returns the member with the external id.
func (g *Genealogy) Lookup(id string) (Member, bool) {
	i, ok := g.ids.find(id)
	if !ok {
		return None, false
	}
	return Member(i), true
}

// Enroll enrolls a member with its sponsor ("" for a root distributor).
// Use Apply with a Change for a placement, a status other than Active or
// ranks at enrollment.
func (g *Genealogy) Enroll(id string, kind Kind, sponsor string, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpEnroll, Member: id, Kind: kind, Sponsor: sponsor, Effective: effective, Recorded: recorded})
}

// ChangeSponsor moves a member to another sponsor from effective on.
func (g *Genealogy) ChangeSponsor(id, sponsor string, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpSponsor, Member: id, Sponsor: sponsor, Effective: effective, Recorded: recorded})
}

// Place puts a member under a placement parent on a leg from effective on;
// parent "" takes it out of the placement tree.
func (g *Genealogy) Place(id, parent string, leg Leg, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpPlace, Member: id, Parent: parent, Leg: leg, Effective: effective, Recorded: recorded})
}

// SetStatus changes a member's status from effective on.
func (g *Genealogy) SetStatus(id string, status Status, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpStatus, Member: id, Status: status, Effective: effective, Recorded: recorded})
}

// SetRank changes a member's paid-as and highest ranks from effective on.
func (g *Genealogy) SetRank(id string, r Ranks, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpRank, Member: id, PaidAs: r.PaidAs, Highest: r.Highest, Effective: effective, Recorded: recorded})
}

// AddCode gives a member a referral code from effective on.
func (g *Genealogy) AddCode(id, code string, effective, recorded time.Time) error {
	return g.Apply(Change{Op: OpCode, Member: id, Code: code, Effective: effective, Recorded: recorded})
}

// Apply validates c against every change applied so far, at every instant,
// and appends it. A refused change leaves the Genealogy as it was and
// returns an *Error wrapping one of the Err* kinds.
func (g *Genealogy) Apply(c Change) error {
	p, err := g.check(&c, -1)
	if err != nil {
		return err
	}
	g.commit(&p)
	return nil
}

// Check reports the error Apply would return for c, without applying it.
func (g *Genealogy) Check(c Change) error {
	_, err := g.check(&c, -1)
	return err
}

// Build applies changes in order to a new Genealogy. An error names the
// index of the change refused.
func Build(changes []Change) (*Genealogy, error) {
	g := &Genealogy{}
	for i := range changes {
		p, err := g.check(&changes[i], i)
		if err != nil {
			return nil, err
		}
		g.commit(&p)
	}
	return g, nil
}

// prep is a checked change with its names resolved.
type prep struct {
	op       Op
	id       string
	m, o     int32 // member (-1 for a new enrollment), sponsor or parent (-1 none)
	eff, rec int64
	a, b     int32
	kind     Kind   // OpEnroll
	status   Status // OpEnroll
	ranks    Ranks  // OpEnroll
	code     string
}

// Which fields each Op uses, for refusing stray ones.
const (
	fKind = 1 << iota
	fSponsor
	fParent
	fLeg
	fStatus
	fRank
	fCode
)

var opFields = [...]int{
	OpEnroll:  fKind | fSponsor | fParent | fLeg | fStatus | fRank,
	OpSponsor: fSponsor,
	OpPlace:   fParent | fLeg,
	OpStatus:  fStatus,
	OpRank:    fRank,
	OpCode:    fCode,
}

func usedFields(c *Change) int {
	f := 0
	if c.Kind != 0 {
		f |= fKind
	}
	if c.Sponsor != "" {
		f |= fSponsor
	}
	if c.Parent != "" {
		f |= fParent
	}
	if c.Leg != 0 {
		f |= fLeg
	}
	if c.Status != 0 {
		f |= fStatus
	}
	if c.PaidAs != 0 || c.Highest != 0 {
		f |= fRank
	}
	if c.Code != "" {
		f |= fCode
	}
	return f
}

var fieldNames = [...]string{"kind", "sponsor", "parent", "leg", "status", "paid_as/highest", "code"}

type checker struct {
	g   *Genealogy
	c   *Change
	idx int
}

func (k checker) fail(kind error, at time.Time, why string) error {
	c := k.c
	e := &Error{Index: k.idx, Op: c.Op, Member: c.Member, At: at, Why: why, Err: kind}
	switch c.Op {
	case OpEnroll, OpSponsor:
		e.Other = c.Sponsor
		if c.Op == OpEnroll && c.Sponsor == "" {
			e.Other = c.Parent
		}
	case OpPlace:
		e.Other = c.Parent
	case OpCode:
		e.Other = c.Code
	}
	return e
}

func (k checker) failAt(kind error, why string) error { return k.fail(kind, k.c.Effective, why) }

// printable reports whether s is valid UTF-8 without control characters,
// so that ids and codes survive every encoding unchanged.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func fmtInstant(ns int64) string { return toTime(ns).Format(time.RFC3339Nano) }

func (g *Genealogy) check(c *Change, idx int) (prep, error) {
	k := checker{g, c, idx}
	p := prep{op: c.Op, id: c.Member, m: -1, o: -1}
	if c.Op < OpEnroll || c.Op > OpCode {
		return p, k.fail(ErrInvalid, time.Time{}, "unknown op "+strconv.Itoa(int(c.Op)))
	}
	if c.Member == "" {
		return p, k.fail(ErrInvalid, time.Time{}, "member id is empty")
	}
	if !printable(c.Member) {
		return p, k.fail(ErrInvalid, time.Time{}, "member id is not printable UTF-8")
	}
	if !printable(c.Code) {
		return p, k.fail(ErrInvalid, time.Time{}, "code is not printable UTF-8")
	}
	if stray := usedFields(c) &^ opFields[c.Op]; stray != 0 {
		for i, n := range fieldNames {
			if stray&(1<<i) != 0 {
				return p, k.fail(ErrInvalid, time.Time{}, n+" is not used by "+c.Op.String())
			}
		}
	}
	var ok bool
	if p.eff, ok = instant(c.Effective); !ok {
		return p, k.fail(ErrInvalid, time.Time{}, "effective instant "+c.Effective.Format(time.RFC3339Nano)+" is outside 1677-09-21..2262-04-11")
	}
	if p.rec, ok = instant(c.Recorded); !ok {
		return p, k.fail(ErrInvalid, time.Time{}, "recorded instant "+c.Recorded.Format(time.RFC3339Nano)+" is outside 1677-09-21..2262-04-11")
	}
	if n := len(g.recAt); n > 0 && p.rec < g.recAt[n-1] {
		return p, k.failAt(ErrOutOfOrder, "recorded "+fmtInstant(p.rec)+", before the last change in the log (recorded "+fmtInstant(g.recAt[n-1])+")")
	}
	if len(g.recAt) >= maxChanges {
		return p, k.failAt(ErrInvalid, "the log is full ("+strconv.Itoa(maxChanges)+" changes)")
	}

	if c.Op == OpEnroll {
		return p, g.checkEnroll(k, &p)
	}
	m, found := g.ids.find(c.Member)
	if !found {
		return p, k.failAt(ErrUnknownMember, "the member is not enrolled")
	}
	p.m = m
	if p.eff < g.enrollAt[m] {
		return p, k.failAt(ErrBeforeEnrollment, "effective before the member's enrollment at "+fmtInstant(g.enrollAt[m]))
	}
	switch c.Op {
	case OpSponsor:
		if c.Sponsor == "" {
			return p, k.failAt(ErrInvalid, "a sponsor change needs a sponsor")
		}
		if p.o, ok = g.ref(k, c.Sponsor, p.eff); !ok {
			return p, g.refErr(k, c.Sponsor, "sponsor", p.eff)
		}
		if at, cyc := g.cycle(aSponsor, m, p.o, p.eff); cyc {
			return p, k.fail(ErrCycle, toTime(at), strconv.Quote(c.Member)+" would be an ancestor of its own sponsor "+strconv.Quote(c.Sponsor)+" at "+fmtInstant(at))
		}
	case OpPlace:
		if c.Parent == "" {
			if c.Leg != 0 {
				return p, k.failAt(ErrInvalid, "a leg needs a parent")
			}
			break
		}
		if p.o, ok = g.ref(k, c.Parent, p.eff); !ok {
			return p, g.refErr(k, c.Parent, "parent", p.eff)
		}
		p.b = int32(c.Leg)
		if at, cyc := g.cycle(aPlace, m, p.o, p.eff); cyc {
			return p, k.fail(ErrCycle, toTime(at), strconv.Quote(c.Member)+" would be a placement ancestor of its own parent "+strconv.Quote(c.Parent)+" at "+fmtInstant(at))
		}
	case OpStatus:
		if c.Status < Active || c.Status > Terminated {
			return p, k.failAt(ErrInvalid, "unknown status "+strconv.Itoa(int(c.Status)))
		}
		p.a = int32(c.Status)
	case OpRank:
		if c.PaidAs > c.Highest {
			return p, k.failAt(ErrInvalid, "paid-as rank "+strconv.Itoa(int(c.PaidAs))+" is above highest rank "+strconv.Itoa(int(c.Highest)))
		}
		p.a, p.b = int32(c.PaidAs), int32(c.Highest)
		if why := g.rankDown(m, p.eff, p.b); why != "" {
			return p, k.failAt(ErrRankDown, why)
		}
	case OpCode:
		if c.Code == "" {
			return p, k.failAt(ErrInvalid, "code is empty")
		}
		if i, dup := g.codes.find(c.Code); dup {
			return p, k.failAt(ErrDuplicateCode, "code "+strconv.Quote(c.Code)+" belongs to "+strconv.Quote(g.ids.str(g.codeInfos[i].member))+" (from "+fmtInstant(g.codeInfos[i].at)+")")
		}
		if !g.codes.fits(c.Code) {
			return p, k.failAt(ErrInvalid, "too many codes")
		}
		p.code = c.Code
	}
	return p, nil
}

func (g *Genealogy) checkEnroll(k checker, p *prep) error {
	c := k.c
	if _, dup := g.ids.find(c.Member); dup {
		return k.failAt(ErrDuplicateMember, "the member is already enrolled")
	}
	if c.Kind != Distributor && c.Kind != Retail {
		return k.failAt(ErrInvalid, "unknown kind "+strconv.Itoa(int(c.Kind)))
	}
	p.kind = c.Kind
	var ok bool
	if c.Sponsor == "" {
		if c.Kind == Retail {
			return k.failAt(ErrNotDistributor, "a retail customer needs a sponsor, the distributor who owns it")
		}
	} else if p.o, ok = g.ref(k, c.Sponsor, p.eff); !ok {
		return g.refErr(k, c.Sponsor, "sponsor", p.eff)
	}
	p.a, p.b = -1, 0
	if c.Parent == "" {
		if c.Leg != 0 {
			return k.failAt(ErrInvalid, "a leg needs a parent")
		}
	} else {
		var par int32
		if par, ok = g.ref(k, c.Parent, p.eff); !ok {
			return g.refErr(k, c.Parent, "parent", p.eff)
		}
		p.a, p.b = par, int32(c.Leg)
	}
	if c.Status > Terminated {
		return k.failAt(ErrInvalid, "unknown status "+strconv.Itoa(int(c.Status)))
	}
	p.status = c.Status
	if p.status == 0 {
		p.status = Active
	}
	if c.PaidAs > c.Highest {
		return k.failAt(ErrInvalid, "paid-as rank "+strconv.Itoa(int(c.PaidAs))+" is above highest rank "+strconv.Itoa(int(c.Highest)))
	}
	p.ranks = Ranks{c.PaidAs, c.Highest}
	if !g.ids.fits(c.Member) {
		return k.failAt(ErrInvalid, "too many members")
	}
	return nil
}

// ref resolves the sponsor or parent a change names and checks it may take
// that role at eff.
func (g *Genealogy) ref(k checker, name string, eff int64) (int32, bool) {
	if name == k.c.Member {
		return -1, false
	}
	o, found := g.ids.find(name)
	if !found || g.enrollAt[o] > eff || g.nodes[o].state.kind() != Distributor {
		return -1, false
	}
	return o, true
}

// refErr explains why ref refused.
func (g *Genealogy) refErr(k checker, name, role string, eff int64) error {
	if name == k.c.Member {
		if role == "sponsor" {
			return k.failAt(ErrSelfSponsor, "the member would sponsor itself")
		}
		return k.failAt(ErrSelfSponsor, "the member would be placed under itself")
	}
	o, found := g.ids.find(name)
	switch {
	case !found:
		return k.failAt(ErrUnknownMember, "the "+role+" "+strconv.Quote(name)+" is not enrolled")
	case g.enrollAt[o] > eff:
		return k.failAt(ErrBeforeEnrollment, "the "+role+" "+strconv.Quote(name)+" enrolls only at "+fmtInstant(g.enrollAt[o]))
	default:
		return k.failAt(ErrNotDistributor, "the "+role+" "+strconv.Quote(name)+" is a retail customer")
	}
}

// history returns the records of m's attribute a after enrollment.
func (g *Genealogy) history(m int32, a attr) []rec {
	x := g.ext[m]
	if x == 0 {
		return nil
	}
	sp := g.exts[x-1].sp[a]
	return g.recs[sp.off : sp.off+sp.n]
}

// link returns the value of m's sponsor (a == aSponsor) or parent (aPlace)
// at enrollment.
func (g *Genealogy) link(m int32, a attr) int32 {
	if a == aSponsor {
		return g.enrollSponsor(m)
	}
	return g.parent[m]
}

// nextChange returns the first effective instant after eff at which m's
// attribute a changes, or math.MaxInt64.
func (g *Genealogy) nextChange(m int32, a attr, eff int64) int64 {
	for _, r := range g.history(m, a) {
		if r.eff > eff {
			return r.eff
		}
	}
	return math.MaxInt64
}

type interval struct {
	x      int32
	lo, hi int64 // inclusive
}

// cycle reports whether making o the sponsor (or parent) of m from eff on,
// until m's next recorded change of that link, would make m an ancestor of
// itself, and the earliest instant it would. It walks o's ancestors over
// time: each ancestor with the interval during which it is one, splitting
// where a link changes. The tree is a forest at every instant, so every
// path ends.
func (g *Genealogy) cycle(a attr, m, o int32, eff int64) (int64, bool) {
	hi := g.nextChange(m, a, eff)
	if hi != math.MaxInt64 {
		hi--
	}
	found, at := false, int64(math.MaxInt64)
	stack := []interval{{o, eff, hi}}
	var seen map[int32][]interval
	for len(stack) > 0 {
		iv := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if iv.x == m {
			found, at = true, min(at, iv.lo)
			continue
		}
		hist := g.history(iv.x, a)
		if len(hist) > 0 {
			// Only members whose link changed can be reached twice.
			if seen == nil {
				seen = make(map[int32][]interval)
			}
			covered := false
			for _, s := range seen[iv.x] {
				if s.lo <= iv.lo && iv.hi <= s.hi {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
			seen[iv.x] = append(seen[iv.x], iv)
		}
		// Segments: the enrollment value from enrollAt, then each distinct
		// effective instant's last-recorded value.
		start, val := g.enrollAt[iv.x], g.link(iv.x, a)
		for i := 0; ; {
			end := int64(math.MaxInt64)
			j := i
			if i < len(hist) {
				end = hist[i].eff - 1
				for j = i; j+1 < len(hist) && hist[j+1].eff == hist[i].eff; j++ {
				}
			}
			if val >= 0 && start <= end {
				if lo, h := max(start, iv.lo), min(end, iv.hi); lo <= h {
					stack = append(stack, interval{val, lo, h})
				}
			}
			if i >= len(hist) || hist[i].eff > iv.hi {
				break
			}
			start, val = hist[j].eff, hist[j].a
			i = j + 1
		}
	}
	return at, found
}

// rankDown explains why a highest rank h from eff on would go down, or
// returns "".
func (g *Genealogy) rankDown(m int32, eff int64, h int32) string {
	prev, hasPrev := int32(g.nodes[m].state.ranks.Highest), g.enrollAt[m] < eff
	hist := g.history(m, aRank)
	i := 0
	for ; i < len(hist) && hist[i].eff < eff; i++ {
		prev, hasPrev = hist[i].b, true
	}
	if hasPrev && h < prev {
		return "highest rank " + strconv.Itoa(int(h)) + " is below " + strconv.Itoa(int(prev)) + ", in effect before"
	}
	for ; i < len(hist) && hist[i].eff == eff; i++ {
	}
	if i < len(hist) {
		next, at := hist[i].b, hist[i].eff
		for ; i+1 < len(hist) && hist[i+1].eff == at; i++ {
			next = hist[i+1].b
		}
		if h > next {
			return "highest rank " + strconv.Itoa(int(h)) + " is above " + strconv.Itoa(int(next)) + ", recorded from " + fmtInstant(at)
		}
	}
	return ""
}

func (g *Genealogy) commit(p *prep) {
	seq := int32(len(g.recAt))
	g.recAt = append(g.recAt, p.rec)
	switch p.op {
	case OpEnroll:
		m := g.ids.add(p.id)
		g.nodes = append(g.nodes, node{sponsor: p.o, state: state{ranks: p.ranks, status: p.status, bits: uint8(p.kind)}})
		g.ext = append(g.ext, 0)
		g.enrollAt = append(g.enrollAt, p.eff)
		g.enrollSeq = append(g.enrollSeq, seq)
		g.parent = append(g.parent, p.a)
		g.leg = append(g.leg, uint16(p.b))
		g.head = append(g.head, 0)
		if p.o >= 0 {
			g.addEdge(p.o, m)
		}
	case OpSponsor:
		if !g.hadSponsor(p.m, p.o) {
			g.addEdge(p.o, p.m)
		}
		g.insert(p.m, aSponsor, rec{p.eff, seq, p.o, 0})
	case OpPlace:
		g.insert(p.m, aPlace, rec{p.eff, seq, p.o, p.b})
	case OpStatus:
		g.insert(p.m, aStatus, rec{p.eff, seq, p.a, 0})
	case OpRank:
		g.insert(p.m, aRank, rec{p.eff, seq, p.a, p.b})
	case OpCode:
		g.codes.add(p.code)
		g.codeInfos = append(g.codeInfos, codeInfo{at: p.eff, member: p.m, seq: seq})
	}
}

func (g *Genealogy) addEdge(parent, child int32) {
	g.edges = append(g.edges, edge{child, g.head[parent]})
	g.head[parent] = int32(len(g.edges))
}

// hadSponsor reports whether s was ever recorded as m's sponsor, so that
// m is already on s's child list.
func (g *Genealogy) hadSponsor(m, s int32) bool {
	if g.enrollSponsor(m) == s {
		return true
	}
	for _, r := range g.history(m, aSponsor) {
		if r.a == s {
			return true
		}
	}
	return false
}

// insert adds r to m's history of a, keeping it sorted by (effective,
// seq). r has the highest seq so far, so it goes after every record
// effective at or before it. A full span moves to the end of recs with
// twice the room; the hole it leaves is counted and reclaimed by compact.
func (g *Genealogy) insert(m int32, a attr, r rec) {
	x := g.ext[m]
	if x == 0 {
		g.exts = append(g.exts, ext{})
		x = int32(len(g.exts))
		g.ext[m] = x
	}
	switch a {
	case aSponsor:
		if s := g.nodes[m].sponsor; s >= -1 {
			g.nodes[m].sponsor = moved(s)
		}
	case aStatus:
		g.nodes[m].state.bits |= statusChanges
	case aRank:
		g.nodes[m].state.bits |= ranksChanges
	}
	sp := &g.exts[x-1].sp[a]
	if sp.n == sp.cap {
		if g.waste > 1024 && g.waste > len(g.recs)/2 {
			g.compact()
		}
		nc := max(2, 2*sp.cap)
		off := uint32(len(g.recs))
		g.recs = append(g.recs, g.recs[sp.off:sp.off+sp.n]...)
		g.recs = append(g.recs, make([]rec, nc-sp.n)...)
		g.waste += int(sp.cap)
		sp.off, sp.cap = off, nc
	}
	rs := g.recs[sp.off : sp.off+sp.n+1]
	i := len(rs) - 1
	for ; i > 0 && rs[i-1].eff > r.eff; i-- {
		rs[i] = rs[i-1]
	}
	rs[i] = r
	sp.n++
}

// compact copies every live span into a fresh recs without holes.
func (g *Genealogy) compact() {
	recs := make([]rec, 0, len(g.recs)-g.waste)
	for i := range g.exts {
		for a := range g.exts[i].sp {
			sp := &g.exts[i].sp[a]
			off := uint32(len(recs))
			recs = append(recs, g.recs[sp.off:sp.off+sp.n]...)
			sp.off, sp.cap = off, sp.n
		}
	}
	g.recs, g.waste = recs, 0
}

package hierarchy

import (
	"math"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uplinehq/upline/internal/tree"
)

// Genealogy is the whole effective-dated member tree, built by applying
// changes in the order they were recorded. The zero value is an empty
// genealogy ready to use.
//
// Apply and the methods that call it modify the Genealogy; they must not
// run concurrently with each other or with queries. Queries (Snapshot and
// its methods, ID, Lookup) may run concurrently with each other.
type Genealogy tree.Genealogy

// Its layout is internal/tree's, which this package alone gives meaning
// to: an upline walk reads Nodes only, a step one node, usually one cache
// line, for the sponsor and the ancestor's answer. Member ids are entries
// of IDs, member i entry i; referral codes entries of Codes.

type (
	node     = tree.Node
	state    = tree.State
	rec      = tree.Rec
	span     = tree.Span
	ext      = tree.Ext
	edge     = tree.Edge
	codeInfo = tree.CodeInfo
	asOfCut  = tree.AsOfCut
)

func stateKind(st state) Kind { return Kind(st.Bits & tree.KindMask) }

func ranksOf(st state) Ranks { return Ranks{Rank(st.PaidAs), Rank(st.Highest)} }

const (
	statusChanges = tree.StatusChanges
	ranksChanges  = tree.RanksChanges
)

// moved encodes the enrollment sponsor s (-1 for a root) of a member whose
// sponsor changes later (see tree.Moved). Members are fewer than 1<<31-2
// (strtab.Table.Fits), so it never overflows.
func moved(s int32) int32 { return tree.Moved(s) }

// enrollSponsor returns m's sponsor at enrollment, -1 for a root.
func (g *Genealogy) enrollSponsor(m int32) int32 { return (*tree.Genealogy)(g).EnrollSponsor(m) }

type attr uint8

const (
	aSponsor attr = iota // rec.a = sponsor
	aPlace               // rec.a = parent (-1 none), rec.b = leg
	aStatus              // rec.a = status
	aRank                // rec.a = paid-as, rec.b = highest
	nAttr
)

var _ [tree.NAttr - nAttr]struct{} // tree.Ext holds a span per attribute
var _ [nAttr - tree.NAttr]struct{}

// maxChanges bounds the log so that positions and record offsets fit in
// 32 bits.
const maxChanges = 1 << 30

// Len returns the number of members enrolled.
func (g *Genealogy) Len() int { return len(g.Nodes) }

// Changes returns the number of changes applied.
func (g *Genealogy) Changes() int { return len(g.RecAt) }

// ID returns the external id of m, or "" if m is not a member.
func (g *Genealogy) ID(m Member) string {
	if m < 0 || int(m) >= len(g.Nodes) {
		return ""
	}
	return g.IDs.Str(int32(m))
}

// Lookup returns the member with the external id.
func (g *Genealogy) Lookup(id string) (Member, bool) {
	i, ok := g.IDs.Find(id)
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
	if n := len(g.RecAt); n > 0 && p.rec < g.RecAt[n-1] {
		return p, k.failAt(ErrOutOfOrder, "recorded "+fmtInstant(p.rec)+", before the last change in the log (recorded "+fmtInstant(g.RecAt[n-1])+")")
	}
	if len(g.RecAt) >= maxChanges {
		return p, k.failAt(ErrInvalid, "the log is full ("+strconv.Itoa(maxChanges)+" changes)")
	}

	if c.Op == OpEnroll {
		return p, g.checkEnroll(k, &p)
	}
	m, found := g.IDs.Find(c.Member)
	if !found {
		return p, k.failAt(ErrUnknownMember, "the member is not enrolled")
	}
	p.m = m
	if p.eff < g.EnrollAt[m] {
		return p, k.failAt(ErrBeforeEnrollment, "effective before the member's enrollment at "+fmtInstant(g.EnrollAt[m]))
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
		if i, dup := g.Codes.Find(c.Code); dup {
			return p, k.failAt(ErrDuplicateCode, "code "+strconv.Quote(c.Code)+" belongs to "+strconv.Quote(g.IDs.Str(g.CodeInfos[i].Member))+" (from "+fmtInstant(g.CodeInfos[i].At)+")")
		}
		if !g.Codes.Fits(c.Code) {
			return p, k.failAt(ErrInvalid, "too many codes")
		}
		p.code = c.Code
	}
	return p, nil
}

func (g *Genealogy) checkEnroll(k checker, p *prep) error {
	c := k.c
	if _, dup := g.IDs.Find(c.Member); dup {
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
	if !g.IDs.Fits(c.Member) {
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
	o, found := g.IDs.Find(name)
	if !found || g.EnrollAt[o] > eff || stateKind(g.Nodes[o].State) != Distributor {
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
	o, found := g.IDs.Find(name)
	switch {
	case !found:
		return k.failAt(ErrUnknownMember, "the "+role+" "+strconv.Quote(name)+" is not enrolled")
	case g.EnrollAt[o] > eff:
		return k.failAt(ErrBeforeEnrollment, "the "+role+" "+strconv.Quote(name)+" enrolls only at "+fmtInstant(g.EnrollAt[o]))
	default:
		return k.failAt(ErrNotDistributor, "the "+role+" "+strconv.Quote(name)+" is a retail customer")
	}
}

// history returns the records of m's attribute a after enrollment.
func (g *Genealogy) history(m int32, a attr) []rec {
	x := g.Ext[m]
	if x == 0 {
		return nil
	}
	sp := g.Exts[x-1].Sp[a]
	return g.Recs[sp.Off : sp.Off+sp.N]
}

// link returns the value of m's sponsor (a == aSponsor) or parent (aPlace)
// at enrollment.
func (g *Genealogy) link(m int32, a attr) int32 {
	if a == aSponsor {
		return g.enrollSponsor(m)
	}
	return g.Parents[m]
}

// nextChange returns the first effective instant after eff at which m's
// attribute a changes, or math.MaxInt64.
func (g *Genealogy) nextChange(m int32, a attr, eff int64) int64 {
	for _, r := range g.history(m, a) {
		if r.Eff > eff {
			return r.Eff
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
		start, val := g.EnrollAt[iv.x], g.link(iv.x, a)
		for i := 0; ; {
			end := int64(math.MaxInt64)
			j := i
			if i < len(hist) {
				end = hist[i].Eff - 1
				for j = i; j+1 < len(hist) && hist[j+1].Eff == hist[i].Eff; j++ {
				}
			}
			if val >= 0 && start <= end {
				if lo, h := max(start, iv.lo), min(end, iv.hi); lo <= h {
					stack = append(stack, interval{val, lo, h})
				}
			}
			if i >= len(hist) || hist[i].Eff > iv.hi {
				break
			}
			start, val = hist[j].Eff, hist[j].A
			i = j + 1
		}
	}
	return at, found
}

// rankDown explains why a highest rank h from eff on would go down, or
// returns "".
func (g *Genealogy) rankDown(m int32, eff int64, h int32) string {
	prev, hasPrev := int32(g.Nodes[m].State.Highest), g.EnrollAt[m] < eff
	hist := g.history(m, aRank)
	i := 0
	for ; i < len(hist) && hist[i].Eff < eff; i++ {
		prev, hasPrev = hist[i].B, true
	}
	if hasPrev && h < prev {
		return "highest rank " + strconv.Itoa(int(h)) + " is below " + strconv.Itoa(int(prev)) + ", in effect before"
	}
	for ; i < len(hist) && hist[i].Eff == eff; i++ {
	}
	if i < len(hist) {
		next, at := hist[i].B, hist[i].Eff
		for ; i+1 < len(hist) && hist[i+1].Eff == at; i++ {
			next = hist[i+1].B
		}
		if h > next {
			return "highest rank " + strconv.Itoa(int(h)) + " is above " + strconv.Itoa(int(next)) + ", recorded from " + fmtInstant(at)
		}
	}
	return ""
}

func (g *Genealogy) commit(p *prep) {
	seq := int32(len(g.RecAt))
	g.RecAt = append(g.RecAt, p.rec)
	switch p.op {
	case OpEnroll:
		m := g.IDs.Add(p.id)
		g.Nodes = append(g.Nodes, node{Sponsor: p.o, State: state{PaidAs: uint16(p.ranks.PaidAs), Highest: uint16(p.ranks.Highest), Status: uint8(p.status), Bits: uint8(p.kind)}})
		g.Ext = append(g.Ext, 0)
		g.EnrollAt = append(g.EnrollAt, p.eff)
		g.EnrollSeq = append(g.EnrollSeq, seq)
		g.Parents = append(g.Parents, p.a)
		g.Legs = append(g.Legs, uint16(p.b))
		g.Head = append(g.Head, 0)
		if p.o >= 0 {
			g.addEdge(p.o, m)
		}
	case OpSponsor:
		if !g.hadSponsor(p.m, p.o) {
			g.addEdge(p.o, p.m)
		}
		g.insert(p.m, aSponsor, rec{Eff: p.eff, Seq: seq, A: p.o, B: 0})
	case OpPlace:
		g.insert(p.m, aPlace, rec{Eff: p.eff, Seq: seq, A: p.o, B: p.b})
	case OpStatus:
		g.insert(p.m, aStatus, rec{Eff: p.eff, Seq: seq, A: p.a, B: 0})
	case OpRank:
		g.insert(p.m, aRank, rec{Eff: p.eff, Seq: seq, A: p.a, B: p.b})
	case OpCode:
		g.Codes.Add(p.code)
		g.CodeInfos = append(g.CodeInfos, codeInfo{At: p.eff, Member: p.m, Seq: seq})
	}
}

func (g *Genealogy) addEdge(parent, child int32) {
	g.Edges = append(g.Edges, edge{Child: child, Next: g.Head[parent]})
	g.Head[parent] = int32(len(g.Edges))
}

// hadSponsor reports whether s was ever recorded as m's sponsor, so that
// m is already on s's child list.
func (g *Genealogy) hadSponsor(m, s int32) bool {
	if g.enrollSponsor(m) == s {
		return true
	}
	for _, r := range g.history(m, aSponsor) {
		if r.A == s {
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
	x := g.Ext[m]
	if x == 0 {
		g.Exts = append(g.Exts, ext{})
		x = int32(len(g.Exts))
		g.Ext[m] = x
	}
	switch a {
	case aSponsor:
		if s := g.Nodes[m].Sponsor; s >= -1 {
			g.Nodes[m].Sponsor = moved(s)
		}
	case aStatus:
		g.Nodes[m].State.Bits |= statusChanges
	case aRank:
		g.Nodes[m].State.Bits |= ranksChanges
	}
	sp := &g.Exts[x-1].Sp[a]
	if sp.N == sp.Cap {
		if g.Waste > 1024 && g.Waste > len(g.Recs)/2 {
			g.compact()
		}
		nc := max(2, 2*sp.Cap)
		off := uint32(len(g.Recs))
		g.Recs = append(g.Recs, g.Recs[sp.Off:sp.Off+sp.N]...)
		g.Recs = append(g.Recs, make([]rec, nc-sp.N)...)
		g.Waste += int(sp.Cap)
		sp.Off, sp.Cap = off, nc
	}
	rs := g.Recs[sp.Off : sp.Off+sp.N+1]
	i := len(rs) - 1
	for ; i > 0 && rs[i-1].Eff > r.Eff; i-- {
		rs[i] = rs[i-1]
	}
	rs[i] = r
	sp.N++
}

// compact copies every live span into a fresh recs without holes.
func (g *Genealogy) compact() {
	recs := make([]rec, 0, len(g.Recs)-g.Waste)
	for i := range g.Exts {
		for a := range g.Exts[i].Sp {
			sp := &g.Exts[i].Sp[a]
			off := uint32(len(recs))
			recs = append(recs, g.Recs[sp.Off:sp.Off+sp.N]...)
			sp.Off, sp.Cap = off, sp.N
		}
	}
	g.Recs, g.Waste = recs, 0
}

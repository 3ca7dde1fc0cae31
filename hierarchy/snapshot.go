package hierarchy

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Snapshot is the genealogy at one instant, as it was known after a given
// prefix of the change log. It is a small value: taking one allocates
// nothing, and it keeps answering the same way after later changes are
// applied to its Genealogy (those are past its knowledge), so an order
// computed against a snapshot can be recomputed identically.
//
// A member is in the snapshot when its enrollment is known and effective
// at or before the instant. Queries about any other member return an
// *Error wrapping ErrUnknownMember. The zero Snapshot has no members.
type Snapshot struct {
	g   *Genealogy
	t   int64
	cut int32 // changes at log positions below cut are known
	n   int32 // members below n are known
}

// Snapshot returns the genealogy at instant t with everything applied so
// far.
func (g *Genealogy) Snapshot(t time.Time) Snapshot {
	return Snapshot{g: g, t: clampInstant(t), cut: int32(len(g.RecAt)), n: int32(len(g.Nodes))}
}

// SnapshotAsOf returns the genealogy at instant t as it was known at the
// recording instant known: only changes recorded at or before known count.
// A correction recorded later, however early its effective instant, does
// not show.
func (g *Genealogy) SnapshotAsOf(t, known time.Time) Snapshot {
	k := clampInstant(known)
	if c := g.AsOf.Load(); c != nil && c.Known == k && c.Changes == len(g.RecAt) {
		return Snapshot{g: g, t: clampInstant(t), cut: c.Cut, n: c.N}
	}
	cut := sort.Search(len(g.RecAt), func(i int) bool { return g.RecAt[i] > k })
	n := sort.Search(len(g.EnrollSeq), func(i int) bool { return int(g.EnrollSeq[i]) >= cut })
	g.AsOf.Store(&asOfCut{Known: k, Changes: len(g.RecAt), Cut: int32(cut), N: int32(n)})
	return Snapshot{g: g, t: clampInstant(t), cut: int32(cut), n: int32(n)}
}

// At returns the genealogy at instant t as known to s: s with its instant
// moved, its knowledge unchanged.
func (s Snapshot) At(t time.Time) Snapshot {
	s.t = clampInstant(t)
	return s
}

// Instant returns the instant the snapshot describes, in UTC.
func (s Snapshot) Instant() time.Time { return toTime(s.t) }

// Has reports whether m is in the snapshot.
func (s Snapshot) Has(m Member) bool {
	return m >= 0 && int32(m) < s.n && s.g.EnrollAt[m] <= s.t
}

// Lookup returns the member with the external id, if it is in the
// snapshot.
func (s Snapshot) Lookup(id string) (Member, error) {
	if s.g != nil {
		if i, ok := s.g.IDs.Find(id); ok && s.Has(Member(i)) {
			return Member(i), nil
		}
	}
	return None, s.absent(id, None)
}

// absent explains why a member is not in the snapshot.
func (s Snapshot) absent(id string, m Member) error {
	e := &Error{Index: -1, Member: id, At: s.Instant(), Err: ErrUnknownMember}
	if s.g != nil && m == None {
		if i, ok := s.g.IDs.Find(id); ok {
			m = Member(i)
		}
	}
	switch {
	case s.g == nil || m < 0 || int(m) >= len(s.g.Nodes):
		if id == "" {
			e.Why = "no member " + strconv.Itoa(int(m))
		} else {
			e.Why = "not enrolled"
		}
	case int32(m) >= s.n:
		e.Member = s.g.ID(m)
		e.Why = "enrollment recorded at " + fmtInstant(s.g.RecAt[s.g.EnrollSeq[m]]) + ", after the snapshot's knowledge"
	default:
		e.Member = s.g.ID(m)
		e.Why = "enrolled only at " + fmtInstant(s.g.EnrollAt[m])
	}
	return e
}

// at returns the last record of rs effective at or before the snapshot's
// instant and known to it. rs is sorted by (effective, seq); most
// histories are short, so a backward scan beats a binary search.
func (s *Snapshot) at(rs []rec) (rec, bool) {
	i := len(rs)
	if i > 8 {
		i = sort.Search(i, func(j int) bool { return rs[j].Eff > s.t })
	}
	for i--; i >= 0; i-- {
		if rs[i].Eff <= s.t && rs[i].Seq < s.cut {
			return rs[i], true
		}
	}
	return rec{}, false
}

func (s *Snapshot) hist(m int32, a attr) []rec {
	sp := s.g.Exts[s.g.Ext[m]-1].Sp[a]
	return s.g.Recs[sp.Off : sp.Off+sp.N]
}

func (s *Snapshot) sponsorOf(m int32) int32 {
	if p := s.g.Nodes[m].Sponsor; p >= -1 {
		return p
	}
	return s.movedSponsorOf(m)
}

// movedSponsorOf is sponsorOf for a member whose sponsor changes after
// its enrollment.
func (s *Snapshot) movedSponsorOf(m int32) int32 {
	if r, ok := s.at(s.hist(m, aSponsor)); ok {
		return r.A
	}
	return moved(s.g.Nodes[m].Sponsor)
}

func (s *Snapshot) parentOf(m int32) (int32, Leg) {
	if s.g.Ext[m] != 0 {
		if r, ok := s.at(s.hist(m, aPlace)); ok {
			return r.A, Leg(r.B)
		}
	}
	return s.g.Parents[m], Leg(s.g.Legs[m])
}

func (s *Snapshot) statusOf(m int32) Status {
	st := &s.g.Nodes[m].State
	if st.Bits&statusChanges != 0 {
		if r, ok := s.at(s.hist(m, aStatus)); ok {
			return Status(r.A)
		}
	}
	return Status(st.Status)
}

// stateOf returns m's state with its status and ranks at the snapshot's
// instant.
func (s *Snapshot) stateOf(m int32) state {
	st := s.g.Nodes[m].State
	r := s.ranksOf(m)
	st.Status, st.PaidAs, st.Highest = uint8(s.statusOf(m)), uint16(r.PaidAs), uint16(r.Highest)
	return st
}

func (s *Snapshot) ranksOf(m int32) Ranks {
	st := &s.g.Nodes[m].State
	if st.Bits&ranksChanges != 0 {
		if r, ok := s.at(s.hist(m, aRank)); ok {
			return Ranks{Rank(r.A), Rank(r.B)}
		}
	}
	return ranksOf(*st)
}

// Kind returns whether m is a distributor or a retail customer.
func (s Snapshot) Kind(m Member) (Kind, error) {
	if !s.Has(m) {
		return 0, s.absent("", m)
	}
	return stateKind(s.g.Nodes[m].State), nil
}

// Sponsor returns m's sponsor, or None when m is a root.
func (s Snapshot) Sponsor(m Member) (Member, error) {
	if !s.Has(m) {
		return None, s.absent("", m)
	}
	return Member(s.sponsorOf(int32(m))), nil
}

// Placement returns m's placement parent and leg, or None when m is not
// placed.
func (s Snapshot) Placement(m Member) (Member, Leg, error) {
	if !s.Has(m) {
		return None, 0, s.absent("", m)
	}
	p, l := s.parentOf(int32(m))
	return Member(p), l, nil
}

// Status returns m's status.
func (s Snapshot) Status(m Member) (Status, error) {
	if !s.Has(m) {
		return 0, s.absent("", m)
	}
	return s.statusOf(int32(m)), nil
}

// Ranks returns m's paid-as and highest ranks.
func (s Snapshot) Ranks(m Member) (Ranks, error) {
	if !s.Has(m) {
		return Ranks{}, s.absent("", m)
	}
	return s.ranksOf(int32(m)), nil
}

// Resolve returns the member holding a referral code at the snapshot's
// instant.
func (s Snapshot) Resolve(code string) (Member, error) {
	if s.g != nil {
		if i, ok := s.g.Codes.Find(code); ok {
			c := s.g.CodeInfos[i]
			if c.Seq < s.cut && c.At <= s.t {
				return Member(c.Member), nil
			}
			return None, &Error{Index: -1, Op: OpCode, Member: s.g.ID(Member(c.Member)), Other: code, At: s.Instant(),
				Why: "code effective from " + fmtInstant(c.At) + ", recorded at " + fmtInstant(s.g.RecAt[c.Seq]) + ": not in this snapshot", Err: ErrUnknownCode}
		}
	}
	return None, &Error{Index: -1, Op: OpCode, Other: code, At: s.Instant(), Why: "no member has this code", Err: ErrUnknownCode}
}

// Children returns the members m sponsors, in enrollment order. It
// allocates the slice; AppendChildren reuses one.
func (s Snapshot) Children(m Member) ([]Member, error) {
	return s.AppendChildren(nil, m)
}

// AppendChildren appends the members m sponsors, in enrollment order, to
// dst.
func (s Snapshot) AppendChildren(dst []Member, m Member) ([]Member, error) {
	if !s.Has(m) {
		return dst, s.absent("", m)
	}
	start := len(dst)
	for e := s.g.Head[m]; e != 0; e = s.g.Edges[e-1].Next {
		c := s.g.Edges[e-1].Child
		if s.Has(Member(c)) && s.sponsorOf(c) == int32(m) {
			dst = append(dst, Member(c))
		}
	}
	slices.Sort(dst[start:])
	return dst, nil
}

// Ancestor is one step of an upline walk.
type Ancestor struct {
	Member Member
	// Level is 1 for the sponsor (or placement parent), 2 for its sponsor,
	// and so on.
	Level int
	// Leg is, in a placement walk, the leg of Member the walk came up
	// through; 0 in a sponsor walk.
	Leg    Leg
	Status Status
	Ranks  Ranks
}

// Upline walks a member's ancestors at a snapshot's instant, nearest
// first. It allocates nothing:
//
//	up, err := snap.Upline(m)
//	for a, ok := up.Next(); ok; a, ok = up.Next() { ... }
type Upline struct {
	s     Snapshot
	cur   int32
	level int
	place bool
}

// Upline returns a walk up m's sponsor chain.
func (s Snapshot) Upline(m Member) (Upline, error) {
	if !s.Has(m) {
		return Upline{cur: -1}, s.absent("", m)
	}
	return Upline{s: s, cur: int32(m)}, nil
}

// PlacementUpline returns a walk up m's placement chain.
func (s Snapshot) PlacementUpline(m Member) (Upline, error) {
	if !s.Has(m) {
		return Upline{cur: -1}, s.absent("", m)
	}
	return Upline{s: s, cur: int32(m), place: true}, nil
}

// Next returns the next ancestor, or false at the top of the tree.
func (u *Upline) Next() (Ancestor, bool) {
	p, leg, st, ok := u.advance()
	if !ok {
		return Ancestor{}, false
	}
	return Ancestor{Member: Member(p), Level: u.level, Leg: leg, Status: Status(st.Status), Ranks: ranksOf(st)}, true
}

// Level returns the level of the ancestor Next returned last: 1
// for the sponsor (or placement parent), 0 before the first step.
func (u *Upline) Level() int { return u.level }

// advance moves the walk one member up and returns it, the leg it was
// reached through (placement walks only) and its state at the instant.
func (u *Upline) advance() (p int32, leg Leg, st state, ok bool) {
	g := u.s.g
	if u.cur < 0 || g == nil {
		return -1, 0, state{}, false
	}
	// A sponsor step reads the sponsor and the ancestor's state: two
	// loads from one node (the ancestor's sponsor, read by the next step,
	// is in it too). Placement walks and members whose sponsor, status or
	// ranks change after enrollment take calls that return scalars.
	if u.place {
		p, leg = u.s.parentOf(u.cur)
	} else if p = g.Nodes[u.cur].Sponsor; p < -1 {
		p = u.s.movedSponsorOf(u.cur)
	}
	u.cur = p
	if p < 0 {
		return -1, 0, state{}, false
	}
	u.level++
	st = g.Nodes[p].State
	if st.Bits&(statusChanges|ranksChanges) != 0 {
		st = u.s.stateOf(p)
	}
	return p, leg, st, true
}

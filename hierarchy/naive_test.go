package hierarchy

import (
	"errors"
	"slices"
	"sort"
	"time"
)

// naive is the reference the property test compares Genealogy with: it
// keeps the accepted changes as they are and answers every question by
// replaying them. Slow and obviously right.
type naive struct{ log []Change }

type nkey struct {
	eff time.Time
	idx int
}

// later reports whether a change at (eff, idx) supersedes one at k: a
// later effective instant, or the same one recorded later.
func (k nkey) supersededBy(eff time.Time, idx int) bool {
	return eff.After(k.eff) || (eff.Equal(k.eff) && idx > k.idx)
}

type nmember struct {
	idx                       int // position of the enrollment among enrollments
	kind                      Kind
	enroll                    time.Time
	sponsor, parent           string
	leg                       Leg
	status                    Status
	ranks                     Ranks
	kSponsor, kPlace, kStatus nkey
	kRank                     nkey
}

// state replays the first cut changes as in effect at t. Members not yet
// enrolled at t are left out.
func (n *naive) state(t time.Time, cut int) (map[string]*nmember, map[string]string) {
	ms := map[string]*nmember{}
	codes := map[string]string{}
	enrolled := 0
	for i, c := range n.log[:cut] {
		if c.Op == OpEnroll {
			enrolled++
		}
		if c.Effective.After(t) {
			continue
		}
		k := nkey{c.Effective, i}
		switch c.Op {
		case OpEnroll:
			st := c.Status
			if st == 0 {
				st = Active
			}
			ms[c.Member] = &nmember{idx: enrolled - 1, kind: c.Kind, enroll: c.Effective, sponsor: c.Sponsor, parent: c.Parent, leg: c.Leg,
				status: st, ranks: Ranks{c.PaidAs, c.Highest}, kSponsor: k, kPlace: k, kStatus: k, kRank: k}
		case OpSponsor:
			if m := ms[c.Member]; m.kSponsor.supersededBy(c.Effective, i) {
				m.sponsor, m.kSponsor = c.Sponsor, k
			}
		case OpPlace:
			if m := ms[c.Member]; m.kPlace.supersededBy(c.Effective, i) {
				m.parent, m.leg, m.kPlace = c.Parent, c.Leg, k
			}
		case OpStatus:
			if m := ms[c.Member]; m.kStatus.supersededBy(c.Effective, i) {
				m.status, m.kStatus = c.Status, k
			}
		case OpRank:
			if m := ms[c.Member]; m.kRank.supersededBy(c.Effective, i) {
				m.ranks, m.kRank = Ranks{c.PaidAs, c.Highest}, k
			}
		case OpCode:
			codes[c.Code] = c.Member
		}
	}
	return ms, codes
}

// chain follows sponsor (or parent) links from id; ok is false on a cycle.
func chain(ms map[string]*nmember, id string, place bool) ([]string, bool) {
	var out []string
	for cur := id; ; {
		m := ms[cur]
		next := m.sponsor
		if place {
			next = m.parent
		}
		if next == "" {
			return out, true
		}
		if next == id || len(out) > len(ms) {
			return out, false
		}
		out = append(out, next)
		cur = next
	}
}

// instants returns t and every effective instant in the log after it.
func (n *naive) instants(t time.Time) []time.Time {
	ts := []time.Time{t}
	for _, c := range n.log {
		if c.Effective.After(t) {
			ts = append(ts, c.Effective)
		}
	}
	return ts
}

// check returns the kind of error the rules give for c, or nil. It knows
// only the rules the generator exercises, in the order Genealogy checks
// them.
func (n *naive) check(c Change) error {
	if l := len(n.log); l > 0 && c.Recorded.Before(n.log[l-1].Recorded) {
		return ErrOutOfOrder
	}
	all, _ := n.state(maxInstant, len(n.log))
	ref := func(id string) error {
		if id == c.Member {
			return ErrSelfSponsor
		}
		o, ok := all[id]
		switch {
		case !ok:
			return ErrUnknownMember
		case o.enroll.After(c.Effective):
			return ErrBeforeEnrollment
		case o.kind != Distributor:
			return ErrNotDistributor
		}
		return nil
	}
	m, known := all[c.Member]
	if c.Op == OpEnroll {
		switch {
		case known:
			return ErrDuplicateMember
		case c.Sponsor == "" && c.Kind == Retail:
			return ErrNotDistributor
		}
		if c.Sponsor != "" {
			if err := ref(c.Sponsor); err != nil {
				return err
			}
		}
		if c.Parent != "" {
			return ref(c.Parent)
		}
		return nil
	}
	if !known {
		return ErrUnknownMember
	}
	if c.Effective.Before(m.enroll) {
		return ErrBeforeEnrollment
	}
	with := &naive{log: append(slices.Clip(n.log), c)}
	switch c.Op {
	case OpSponsor, OpPlace:
		target := c.Sponsor
		if c.Op == OpPlace {
			target = c.Parent
			if target == "" {
				return nil
			}
		}
		if err := ref(target); err != nil {
			return err
		}
		for _, t := range with.instants(c.Effective) {
			ms, _ := with.state(t, len(with.log))
			if _, ok := chain(ms, c.Member, c.Op == OpPlace); !ok {
				return ErrCycle
			}
		}
	case OpRank:
		if c.PaidAs > c.Highest {
			return ErrInvalid
		}
		ts := with.instants(m.enroll)
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		var prev Rank
		for _, t := range ts {
			ms, _ := with.state(t, len(with.log))
			if h := ms[c.Member].ranks.Highest; h < prev {
				return ErrRankDown
			} else {
				prev = h
			}
		}
	case OpCode:
		_, codes := n.state(maxInstant, len(n.log))
		if _, dup := codes[c.Code]; dup {
			return ErrDuplicateCode
		}
	}
	return nil
}

// kindOf returns the Err* kind err wraps.
func kindOf(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e.Err
	}
	return err
}

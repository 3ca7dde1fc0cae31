package hierarchy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var base = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// day is an instant n days after 2024-01-01.
func day(n int) time.Time { return base.AddDate(0, 0, n) }

// randomChange proposes a change that is often valid and sometimes breaks
// exactly one rule.
func randomChange(r *rand.Rand, n *naive, rec time.Time, members int) Change {
	all, _ := n.state(maxInstant, len(n.log))
	var known []string
	for id := range all {
		known = append(known, id)
	}
	slices.Sort(known)
	id := func() string {
		if len(known) > 0 && r.IntN(8) > 0 {
			return known[r.IntN(len(known))]
		}
		return fmt.Sprintf("m%d", r.IntN(members))
	}
	c := Change{Member: id(), Effective: day(r.IntN(40)), Recorded: rec}
	if m, ok := all[c.Member]; ok && r.IntN(8) > 0 {
		c.Effective = m.enroll.AddDate(0, 0, r.IntN(15))
	}
	switch p := r.IntN(100); {
	case p < 30:
		c.Op, c.Kind = OpEnroll, Distributor
		if r.IntN(6) > 0 {
			c.Member = fmt.Sprintf("m%d", r.IntN(members))
		}
		if r.IntN(8) == 0 {
			c.Kind = Retail
		}
		if len(n.log) > 0 && r.IntN(10) > 0 {
			c.Sponsor = id()
		}
		if r.IntN(3) == 0 {
			c.Parent, c.Leg = id(), Leg(r.IntN(3))
		}
		if r.IntN(4) == 0 {
			c.Status = Status(1 + r.IntN(4))
		}
		if r.IntN(4) == 0 {
			c.Highest = Rank(r.IntN(4))
			c.PaidAs = Rank(r.IntN(int(c.Highest) + 1))
		}
	case p < 55:
		c.Op, c.Sponsor = OpSponsor, id()
	case p < 70:
		c.Op = OpPlace
		if r.IntN(5) > 0 {
			c.Parent, c.Leg = id(), Leg(r.IntN(3))
		}
	case p < 80:
		c.Op, c.Status = OpStatus, Status(1+r.IntN(4))
	case p < 90:
		c.Op, c.Highest = OpRank, Rank(r.IntN(6))
		c.PaidAs = Rank(r.IntN(int(c.Highest) + 2)) // sometimes above highest
	default:
		c.Op, c.Code = OpCode, fmt.Sprintf("C%d", r.IntN(3*members))
	}
	return c
}

// TestPropertyRandomHistories applies random histories to a Genealogy and
// to the naive reference: both must accept and refuse the same changes
// with the same kind, the sponsor and placement graphs must be forests at
// every instant, and every snapshot answer must match a replay of the log.
func TestPropertyRandomHistories(t *testing.T) {
	seeds, steps := 60, 160
	if testing.Short() {
		seeds = 20
	}
	kinds := map[string]int{}
	defer func() { t.Logf("outcomes over all seeds: %v", kinds) }()
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
			var g Genealogy
			n := &naive{}
			members := 4 + r.IntN(20)
			rec := day(-10)
			accepted := 0
			for step := range steps {
				if r.IntN(30) == 0 {
					rec = rec.Add(-time.Hour) // an attempt to record out of order
				} else {
					rec = rec.Add(time.Duration(r.IntN(3)) * time.Hour)
				}
				c := randomChange(r, n, rec, members)
				want := n.check(c)
				got := g.Apply(c)
				if kindOf(got) != want {
					t.Fatalf("step %d: %+v\nApply: %v\nnaive: %v", step, c, got, want)
				}
				if got == nil {
					kinds["ok "+c.Op.String()]++
				} else {
					kinds[kindOf(got).Error()]++
				}
				if got != nil {
					rec = n.lastRecorded(rec)
					continue
				}
				n.log = append(n.log, c)
				accepted++
				if step%20 == 19 || step == steps-1 {
					compareAll(t, &g, n, r)
				}
			}
			if accepted < steps/4 {
				t.Fatalf("only %d of %d changes accepted: the generator is too hostile", accepted, steps)
			}
		})
	}
}

func (n *naive) lastRecorded(fallback time.Time) time.Time {
	if len(n.log) == 0 {
		return fallback
	}
	return n.log[len(n.log)-1].Recorded
}

// compareAll compares every answer of snapshots at every effective instant
// (and between them) and at several recording cuts.
func compareAll(t *testing.T, g *Genealogy, n *naive, r *rand.Rand) {
	t.Helper()
	ts := []time.Time{day(-20), day(50), maxInstant.Add(time.Hour)}
	for _, c := range n.log {
		ts = append(ts, c.Effective, c.Effective.Add(-time.Nanosecond))
	}
	cuts := []int{len(n.log)}
	for range 3 {
		cuts = append(cuts, r.IntN(len(n.log)+1))
	}
	for _, cut := range cuts {
		for _, at := range ts {
			var s Snapshot
			if cut == len(n.log) && r.IntN(2) == 0 {
				s = g.Snapshot(at)
			} else {
				// Known at the recorded instant of change cut-1: every
				// change recorded at the same instant is known too.
				known := day(-100)
				if cut > 0 {
					known = n.log[cut-1].Recorded
				}
				for cut < len(n.log) && !n.log[cut].Recorded.After(known) {
					cut++
				}
				s = g.SnapshotAsOf(at, known)
			}
			compareSnapshot(t, g, s, n, at, cut)
		}
	}
}

type answer struct {
	Kind      Kind
	Sponsor   string
	Parent    string
	Leg       Leg
	Status    Status
	Ranks     Ranks
	Upline    []string
	Placement []string
	Children  []string
}

func compareSnapshot(t *testing.T, g *Genealogy, s Snapshot, n *naive, at time.Time, cut int) {
	t.Helper()
	ms, codes := n.state(at, cut)
	// Every member either is in the snapshot with the naive answers, or is
	// absent from both.
	for i := range g.Len() {
		m := Member(i)
		id := g.ID(m)
		nm, in := ms[id]
		if s.Has(m) != in {
			t.Fatalf("at %v cut %d: Has(%s) = %v, naive %v", at, cut, id, s.Has(m), in)
		}
		if !in {
			if _, err := s.Sponsor(m); kindOf(err) != ErrUnknownMember {
				t.Fatalf("Sponsor(%s) of an absent member: %v", id, err)
			}
			continue
		}
		want := answer{Kind: nm.kind, Sponsor: nm.sponsor, Parent: nm.parent, Leg: nm.leg, Status: nm.status, Ranks: nm.ranks}
		var ok bool
		if want.Upline, ok = chain(ms, id, false); !ok {
			t.Fatalf("at %v cut %d: the sponsor graph has a cycle through %s", at, cut, id)
		}
		if want.Placement, ok = chain(ms, id, true); !ok {
			t.Fatalf("at %v cut %d: the placement graph has a cycle through %s", at, cut, id)
		}
		for cid, c := range ms {
			if c.sponsor == id {
				want.Children = append(want.Children, cid)
			}
		}
		slices.SortFunc(want.Children, func(a, b string) int { return ms[a].idx - ms[b].idx })

		var got answer
		got.Kind, _ = s.Kind(m)
		sp, _ := s.Sponsor(m)
		got.Sponsor = g.ID(sp)
		par, leg, _ := s.Placement(m)
		got.Parent, got.Leg = g.ID(par), leg
		got.Status, _ = s.Status(m)
		got.Ranks, _ = s.Ranks(m)
		up, _ := s.Upline(m)
		for a, ok := up.Next(); ok; a, ok = up.Next() {
			got.Upline = append(got.Upline, g.ID(a.Member))
			am := ms[g.ID(a.Member)]
			if a.Level != len(got.Upline) || a.Status != am.status || a.Ranks != am.ranks || a.Leg != 0 {
				t.Fatalf("at %v: upline of %s: %+v, naive status %v ranks %v", at, id, a, am.status, am.ranks)
			}
		}
		pu, _ := s.PlacementUpline(m)
		prevLeg := nm.leg
		for a, ok := pu.Next(); ok; a, ok = pu.Next() {
			got.Placement = append(got.Placement, g.ID(a.Member))
			if a.Leg != prevLeg {
				t.Fatalf("at %v: placement upline of %s: %+v came up through leg %d", at, id, a, prevLeg)
			}
			prevLeg = ms[g.ID(a.Member)].leg
		}
		kids, _ := s.Children(m)
		for _, k := range kids {
			got.Children = append(got.Children, g.ID(k))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("at %v cut %d: member %s (-naive +genealogy):\n%s", at, cut, id, d)
		}
	}
	for code, id := range codes {
		m, err := s.Resolve(code)
		if err != nil || g.ID(m) != id {
			t.Fatalf("at %v cut %d: Resolve(%s) = %s, %v; naive %s", at, cut, code, g.ID(m), err, id)
		}
	}
	for i := range 3 * 30 {
		code := fmt.Sprintf("C%d", i)
		if _, ok := codes[code]; ok {
			continue
		}
		if _, err := s.Resolve(code); kindOf(err) != ErrUnknownCode {
			t.Fatalf("at %v cut %d: Resolve(%s) of a code not in force: %v", at, cut, code, err)
		}
	}
}

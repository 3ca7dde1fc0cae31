package hierarchy_test

import (
	"testing"
	"time"

	"github.com/uplinehq/upline/hierarchy"
)

// Step walks the same ancestors as Next, with the same statuses, ranks
// and levels, including members whose sponsor, status or ranks change.
func TestStepMatchesNext(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	var g hierarchy.Genealogy
	changes := []hierarchy.Change{
		{Op: hierarchy.OpEnroll, Member: "root", Kind: hierarchy.Distributor, Status: hierarchy.Active, PaidAs: 3, Highest: 3},
		{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Sponsor: "root", Status: hierarchy.Active, PaidAs: 2, Highest: 2},
		{Op: hierarchy.OpEnroll, Member: "b", Kind: hierarchy.Distributor, Sponsor: "a", Status: hierarchy.Active, PaidAs: 1, Highest: 1},
		{Op: hierarchy.OpEnroll, Member: "c", Kind: hierarchy.Distributor, Sponsor: "b", Status: hierarchy.Active, PaidAs: 1, Highest: 1},
		{Op: hierarchy.OpSponsor, Member: "b", Sponsor: "root", Effective: day(10)},
		{Op: hierarchy.OpStatus, Member: "a", Status: hierarchy.Suspended, Effective: day(5)},
		{Op: hierarchy.OpRank, Member: "root", PaidAs: 2, Highest: 3, Effective: day(7)},
	}
	for i, c := range changes {
		if c.Effective.IsZero() {
			c.Effective = day(1)
		}
		c.Recorded = day(20 + i)
		if err := g.Apply(c); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	c, _ := g.Lookup("c")
	for _, at := range []time.Time{day(1), day(6), day(8), day(12)} {
		s := g.Snapshot(at)
		byNext, _ := s.Upline(c)
		byStep, _ := s.Upline(c)
		for {
			a, ok := byNext.Next()
			m, st, ranks, ok2 := byStep.Step()
			if ok != ok2 || (ok && (a.Member != m || a.Status != st || a.Ranks != ranks || a.Level != byStep.Level())) {
				t.Fatalf("at %s: Next gave %+v %v, Step gave %v %v %+v level %d %v", at.Format(time.DateOnly), a, ok, m, st, ranks, byStep.Level(), ok2)
			}
			if !ok {
				if m != hierarchy.None {
					t.Errorf("Step at the top returned member %d, want None", m)
				}
				break
			}
		}
	}
}

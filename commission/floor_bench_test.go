package commission_test

import (
	"testing"

	"github.com/uplinehq/upline/hierarchy"
)

// BenchmarkFloorGenealogy is the part of BenchmarkCalculate no engine change
// can remove: resolving the order's customer and walking 12 levels of its
// upline in the 1M-member genealogy, reading each member's external id.
func BenchmarkFloorGenealogy(b *testing.B) {
	w := benchSetup(b)
	g := w.ref.g
	i, n := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		o := &w.orders[i%len(w.orders)]
		s := g.SnapshotAsOf(o.OrderTS, benchKnown)
		m, err := s.Lookup(o.CustomerRef)
		if err != nil {
			b.Fatal(err)
		}
		if k, _ := s.Kind(m); k == hierarchy.Retail {
			m, _ = s.Sponsor(m)
		}
		up, _ := s.Upline(m)
		for range 12 {
			a, ok := up.Next()
			if !ok {
				break
			}
			n += len(g.ID(a.Member))
		}
		i++
	}
	_ = n
}

// BenchmarkFloorMap is the catalog's Map of the order's three lines.
func BenchmarkFloorMap(b *testing.B) {
	w := benchSetup(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.ref.c.Map(&w.orders[i%len(w.orders)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

package postgres

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uplinehq/upline/hierarchy"
)

// BenchmarkOpenGenealogy1M rebuilds a genealogy of 1M distributors from
// PostgreSQL, as a process does at start: hierarchy.Open over the change
// log (one enrollment and one referral code per member, 1% of members
// moved to another sponsor later: 2.01M changes), loaded into the table
// once with COPY ("copy-s"). "open" is hierarchy.Open, which builds as
// the rows arrive (Stream); "load-then-build" reads the whole log (Load,
// "load-s") and then builds (hierarchy.Build).
func BenchmarkOpenGenealogy1M(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	log := s.Genealogy()
	const members = 1_000_000
	start := time.Now()
	n, err := s.pool.CopyFrom(ctx, log.table, changeColumns, syntheticChanges(members))
	if err != nil {
		b.Fatal(err)
	}
	copied := time.Since(start)
	check := func(b *testing.B, g *hierarchy.Genealogy) {
		if g.Len() != members || int64(g.Changes()) != n {
			b.Fatalf("rebuilt %d members from %d changes, want %d from %d", g.Len(), g.Changes(), members, n)
		}
		b.ReportMetric(copied.Seconds(), "copy-s")
		b.ReportMetric(float64(n), "changes")
	}
	b.Run("open", func(b *testing.B) {
		b.ReportAllocs()
		var g *hierarchy.Genealogy
		for b.Loop() {
			if g, err = hierarchy.Open(log); err != nil {
				b.Fatal(err)
			}
		}
		check(b, g)
	})
	b.Run("load-then-build", func(b *testing.B) {
		b.ReportAllocs()
		var g *hierarchy.Genealogy
		var loadTime time.Duration
		for b.Loop() {
			start := time.Now()
			changes, err := log.Load()
			if err != nil {
				b.Fatal(err)
			}
			loadTime += time.Since(start)
			if g, err = hierarchy.Build(changes); err != nil {
				b.Fatal(err)
			}
		}
		check(b, g)
		b.ReportMetric(loadTime.Seconds()/float64(b.N), "load-s")
	})
}

// syntheticChanges writes the rows of a valid change log of n
// distributors, position first: each enrolled under an earlier member
// with a referral code, then n/100 moved, by corrections recorded after
// every enrollment, to another earlier member. A sponsor always enrolled
// before its member, so no change makes a cycle.
func syntheticChanges(n int) pgx.CopyFromSource {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	at := func(i int) int64 { return base + int64(i)*int64(time.Second) }
	id := func(i int) string { return "D" + strconv.Itoa(10_000_000+i) }
	sponsorOf := func(i int) string {
		if i == 0 {
			return ""
		}
		if r.IntN(2) == 0 {
			return id(r.IntN(i))
		}
		return id(i - 1 - r.IntN(min(i, 1000)))
	}
	var pos int64
	row := make([]any, len(changeColumns))
	moves := n / 100
	return pgx.CopyFromFunc(func() ([]any, error) {
		i := int(pos / 2)
		pos++
		row[0] = pos
		row[3], row[5], row[6], row[7], row[8], row[9] = int16(0), "", int32(0), int16(0), int32(0), int32(0)
		row[4], row[10] = "", ""
		switch {
		case i < n && pos%2 == 1:
			row[1], row[2], row[3], row[4] = int16(hierarchy.OpEnroll), id(i), int16(hierarchy.Distributor), sponsorOf(i)
			row[11], row[12] = at(i), at(i)
		case i < n:
			row[1], row[2], row[10] = int16(hierarchy.OpCode), id(i), "R"+strconv.Itoa(10_000_000+i)
			row[11], row[12] = at(i), at(i)
		case int(pos)-2*n <= moves:
			k := int(pos) - 2*n
			m := 1 + r.IntN(n-1)
			row[1], row[2], row[4] = int16(hierarchy.OpSponsor), id(m), id(r.IntN(m))
			row[11], row[12] = at(m+r.IntN(100_000)), at(n+k)
		default:
			return nil, nil
		}
		return row, nil
	})
}

package ledger_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// BenchmarkWhatIf posts 100,000 paid orders of ledgerworld (8 events
// each; every fourth with a partial refund), then measures side by side,
// in orders per second: whatif, Ledger.WhatIf over the month (reading
// each order's stream, merging its refunds, calculating it with the
// candidate and comparing per slot, rule and member), and engine, the
// engine's batch throughput on the same merged orders
// (commission.Engine.CalculateEach), the floor what-if cannot beat.
func BenchmarkWhatIf(b *testing.B) {
	const n = 100_000
	w := ledgerworld.NewWorld(b)
	l := ledger.New(ledger.NewMemory(), w.Engine)
	merged := make([]normalize.Order, 0, n)
	for i := range n {
		life := w.Life(b, strconv.Itoa(i), "C", ledgerworld.Placed)
		last := life[1]
		mustPost(b, l, &life[1], ledgerworld.Placed)
		if i%4 == 0 {
			last = life[2]
			mustPost(b, l, &life[2], ledgerworld.Placed)
		}
		merged = append(merged, last)
	}
	p := ledger.Month(2025, time.August)
	b.Run("whatif", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := l.WhatIf(ctx, p, w.Engine)
			if err != nil || c.Orders != n || c.Changed != 0 {
				b.Fatal(c.Orders, c.Changed, err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
	})
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		lock := commission.Lock{Known: ledgerworld.Placed}
		for b.Loop() {
			err := w.Engine.CalculateEach(merged, lock, func(_ int, _ *commission.Calculation, err error) error { return err })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
	})
}

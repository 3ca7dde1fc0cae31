package ledgerworld

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/ledger"
)

// Synthetic appends n adjustment entries to s straight through
// Store.Append, in streams of 10,000 entries, to measure queries on a
// large ledger without posting orders: mine of them, spread evenly, go to
// member ("ME" for BenchBalance), each 1.01 USD; the others to 10,000 other members. Entries are
// effective one second apart from Jan.
func Synthetic(ctx context.Context, s ledger.Store, n, mine int, member string) error {
	const batch = 10_000
	amount := decimal.RequireFromString("1.01")
	every := max(1, n/max(1, mine))
	es := make([]ledger.Entry, 0, batch)
	flush := func(i int) error {
		if len(es) == 0 {
			return nil
		}
		err := s.Append(ctx, "synthetic "+strconv.Itoa(i/batch), 0, es)
		es = es[:0]
		return err
	}
	given, others := 0, 0
	for i := range n {
		var m string
		if i%every == 0 && given < mine {
			m = member
			given++
		} else {
			m = "S" + strconv.Itoa(others%10_000)
			others++
		}
		at := Jan.Add(time.Duration(i) * time.Second)
		es = append(es, ledger.Entry{ID: "synthetic " + strconv.Itoa(i), Type: ledger.TypeAdjustment, Member: m, Currency: "USD",
			Amount: amount, Effective: at, Posted: at, Reason: "synthetic"})
		if len(es) == batch {
			if err := flush(i); err != nil {
				return err
			}
		}
	}
	return flush(n - 1)
}

// BenchBalance measures the Balance of Synthetic's member (100 entries)
// on small and on big, side by side in each iteration, and reports the
// median of each and their ratio, big over small: medians, so that a
// busy machine's pauses weigh on neither side.
func BenchBalance(b *testing.B, small, big ledger.Store) {
	ctx := context.Background()
	at := Jan.AddDate(1, 0, 0)
	want := decimal.RequireFromString("101")
	ls, lb := ledger.New(small, nil), ledger.New(big, nil)
	var ts, tb []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range []struct {
			l *ledger.Ledger
			d *[]time.Duration
		}{{ls, &ts}, {lb, &tb}} {
			start := time.Now()
			got, err := c.l.Balance(ctx, "ME", "USD", at)
			*c.d = append(*c.d, time.Since(start))
			if err != nil || !got.Equal(want) {
				b.Fatalf("balance %s, %v; want %s", got, err, want)
			}
		}
	}
	ReportMedians(b, ts, tb, "balance")
}

// ReportMedians reports the medians of the times measured side by side
// on small and on big, per what, and their ratio, big over small.
func ReportMedians(b *testing.B, small, big []time.Duration, what string) {
	slices.Sort(small)
	slices.Sort(big)
	ms, mb := small[len(small)/2], big[len(big)/2]
	b.ReportMetric(float64(ms.Nanoseconds()), "small-ns/"+what)
	b.ReportMetric(float64(mb.Nanoseconds()), "big-ns/"+what)
	b.ReportMetric(float64(mb)/float64(ms), "ratio")
}

package ledgerworld

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/ledger"
)

// PayoutHistory fills s, straight through Store.Append, with the ledger
// of members members paid by runs payout runs, one a day from Jan: about
// n adjustments of 1.01 USD, the same number for every member every day
// (at least one), and in ledger.PayoutStream the runs that paid each
// day's earnings exactly, a TypeRun and one TypePayout per member each.
// Every balance is zero after it.
func PayoutHistory(ctx context.Context, s ledger.Store, n, runs, members int) error {
	const batch = 10_000
	per := max(1, n/(runs*members))
	amount := decimal.RequireFromString("1.01")
	paid := amount.Mul(decimal.NewFromInt(int64(per))).Neg()
	var es []ledger.Entry
	earned := 0
	flush := func(stream string, version int) error {
		err := s.Append(ctx, stream, version, es)
		es = es[:0]
		return err
	}
	for day := range runs {
		from := Jan.AddDate(0, 0, day)
		for j := range per * members {
			at := from.Add(time.Duration(j) * time.Millisecond)
			es = append(es, ledger.Entry{ID: "earned " + strconv.Itoa(earned), Type: ledger.TypeAdjustment,
				Member: member(j % members), Currency: "USD", Amount: amount, Effective: at, Posted: at, Reason: "history"})
			earned++
			if len(es) == batch {
				if err := flush("history "+strconv.Itoa(earned/batch), 0); err != nil {
					return err
				}
			}
		}
	}
	if err := flush("history last", 0); err != nil {
		return err
	}
	version := 0
	for day := range runs {
		id := "past " + strconv.Itoa(day)
		at := Jan.AddDate(0, 0, day+1)
		es = append(es, ledger.Entry{ID: "run " + id, Type: ledger.TypeRun, Effective: at, Posted: at, Run: id,
			RunParams: &ledger.Run{ID: id, Period: ledger.Period{From: Jan.AddDate(0, 0, day), To: at}, At: at}})
		for m := range members {
			es = append(es, ledger.Entry{ID: "payout " + id + " " + member(m), Type: ledger.TypePayout, Member: member(m),
				Currency: "USD", Amount: paid, Effective: at, Posted: at, Run: id})
		}
		if len(es) >= batch || day == runs-1 {
			n := len(es)
			if err := flush(ledger.PayoutStream, version); err != nil {
				return err
			}
			version += n
		}
	}
	return nil
}

func member(i int) string { return "M" + strconv.Itoa(i) }

// BenchPayout measures a payout run that pays each of members members
// 1.01 USD on small and on big, filled by PayoutHistory with the same
// members and earnings and with fewer and more runs before, side by side
// in each iteration, and reports the median of each and their ratio, big
// over small. Before each run, outside the timing, every member earns
// 1.01 USD on each store.
func BenchPayout(b *testing.B, small, big ledger.Store, members int) {
	ctx := context.Background()
	ls, lb := ledger.New(small, nil), ledger.New(big, nil)
	want := decimal.RequireFromString("1.01")
	// The runs pay from an hour after the last run recorded, so that what
	// an earlier benchmark paid on the same stores is not owed again.
	start := Jan
	for _, s := range []ledger.Store{small, big} {
		es, _, err := s.Stream(ctx, ledger.PayoutStream)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(es); n > 0 && es[n-1].Posted.After(start) {
			start = es[n-1].Posted
		}
	}
	start = start.Add(time.Hour)
	var ts, tb []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		at := start.Add(time.Duration(i) * time.Second)
		id := b.Name() + " " + strconv.Itoa(i)
		for _, c := range []struct {
			s ledger.Store
			l *ledger.Ledger
			d *[]time.Duration
		}{{small, ls, &ts}, {big, lb, &tb}} {
			es := make([]ledger.Entry, members)
			for m := range es {
				es[m] = ledger.Entry{ID: id + " " + member(m), Type: ledger.TypeAdjustment, Member: member(m), Currency: "USD",
					Amount: want, Effective: at, Posted: at, Reason: "bench"}
			}
			if err := c.s.Append(ctx, id, 0, es); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			res, err := c.l.Payout(ctx, ledger.Run{ID: id, Period: ledger.Period{From: at, To: at.Add(time.Second)}, At: at.Add(time.Second)})
			*c.d = append(*c.d, time.Since(start))
			if err != nil || len(res.Paid) != members || len(res.Negative)+len(res.Held)+len(res.BelowMinimum) != 0 {
				b.Fatalf("run %s: %d paid, %d negative, %d held, %d below minimum, %v; want %d paid", id, len(res.Paid),
					len(res.Negative), len(res.Held), len(res.BelowMinimum), err, members)
			}
			for _, p := range res.Paid {
				if !p.Amount.Equal(want) {
					b.Fatalf("run %s paid %s %s, want %s", id, p.Member, p.Amount, want)
				}
			}
		}
		i++
	}
	ReportMedians(b, ts, tb, "run")
}

package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
)

// scanOnly hides Memory's capabilities, so the ledger sums volumes from
// Scan.
type scanOnly struct{ Store }

// TestVolumesMatchScan checks Memory.Volumes against the ledger's own sum
// of Scan's entries on random volume entries — instants over three
// months, some at the zero instant or at a period's bound, placed before
// their refunds, a
// customer's lines, volumes of up to 7 decimals and some beyond what
// fixed point holds — for periods that start at any hour (a month in a
// zone other than UTC, a week, a day), both refund rules and cutoffs
// before, inside and after the entries, zero included.
func TestVolumesMatchScan(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 3))
		m := NewMemory()
		base := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
		aug := time.Date(2025, 8, 1, 0, 0, 0, 0, ny)
		pers := []commission.Period{
			{From: aug, To: aug.AddDate(0, 1, 0)},
			{From: base.Add(100 * time.Hour), To: base.Add(268 * time.Hour)},
			{From: aug.Add(7 * time.Hour), To: aug.Add(31 * time.Hour)},
		}
		instant := func() time.Time {
			switch rng.IntN(40) {
			case 0:
				return time.Time{}
			case 1, 2, 3:
				// A period's bound, or the instant before it.
				p := pers[rng.IntN(len(pers))]
				t := [2]time.Time{p.From, p.To}[rng.IntN(2)]
				return t.Add(-time.Duration(rng.IntN(2)))
			}
			return base.Add(time.Duration(rng.Int64N(int64(92 * 24 * time.Hour))))
		}
		volume := func() decimal.Decimal {
			switch rng.IntN(20) {
			case 0:
				return decimal.New(rng.Int64N(1e18), -int32(rng.IntN(3))) // beyond fixed point at 6 decimals
			case 1:
				return decimal.New(rng.Int64N(1e6)-5e5, -7)
			}
			return decimal.New(rng.Int64N(20000)-5000, -int32(rng.IntN(4)))
		}
		for o := range 200 {
			var es []Entry
			for l := range 1 + rng.IntN(5) {
				placed := instant()
				effective := placed
				if rng.IntN(3) == 0 || placed.IsZero() {
					effective = instant() // a refund, or a line without its sale's instant
				}
				v := &Volume{LineID: strconv.Itoa(l), PV: volume(), QV: volume(), CV: volume()}
				if rng.IntN(4) == 0 {
					v.Customer = "R" + strconv.Itoa(rng.IntN(3))
				}
				es = append(es, Entry{ID: fmt.Sprintf("v %d %d", o, l), Type: TypeVolume, Member: "M" + strconv.Itoa(rng.IntN(30)),
					Currency: "USD", Effective: effective, Placed: placed, Posted: instant(), Volume: v})
			}
			if err := m.Append(ctx, "order "+strconv.Itoa(o), 0, es); err != nil {
				t.Fatal(err)
			}
		}
		for _, per := range pers {
			for _, refunds := range []commission.RefundPeriod{commission.RefundsInOrderPeriod, commission.RefundsInRefundPeriod} {
				counted := 0
				for _, at := range []time.Time{{}, per.From, per.To.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))), base.AddDate(1, 0, 0)} {
					pp := &commission.PeriodPlan{Refunds: refunds}
					want, err := (&Ledger{store: scanOnly{m}}).periodVolumes(ctx, pp, per, at)
					if err != nil {
						t.Fatal(err)
					}
					got, err := (&Ledger{store: m}).periodVolumes(ctx, pp, per, at)
					if err != nil {
						t.Fatal(err)
					}
					name := fmt.Sprintf("seed %d, %s to %s, refunds %d, at %s", seed, per.From, per.To, refunds, at)
					if len(got) != len(want) {
						t.Fatalf("%s: Volumes gives %d members, Scan %d", name, len(got), len(want))
					}
					counted += len(want)
					for i, g := range got {
						w := want[i]
						if g.Member != w.Member || !g.PV.Equal(w.PV) || !g.QV.Equal(w.QV) || !g.CV.Equal(w.CV) || !g.CustomerPV.Equal(w.CustomerPV) {
							t.Errorf("%s: Volumes %+v, Scan %+v", name, g, w)
						}
					}
				}
				if counted == 0 {
					t.Fatalf("seed %d, %s to %s, refunds %d: no volumes at any cutoff: the case tests nothing", seed, per.From, per.To, refunds)
				}
			}
		}
	}
}

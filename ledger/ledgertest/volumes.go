package ledgertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
)

// volumes checks the volume entries a period close counts: the sums made
// from Scan, on every store, and Volumer.Volumes, on a store that has
// it, against exact sums and against those made from Scan. Refunds count
// in the order's period or in their own; a line posted after the cutoff,
// an entry of another type or without a Volume, one at a period's bound
// and one without instants are left out as they must be, one posted at
// the zero instant counted; one member's
// PV overflows fixed point at 6 decimals, and another's line has 7.
func volumes(t *testing.T, s ledger.Store) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	line := func(id, member, pv, qv, cv string, effective, placed, posted time.Time) ledger.Entry {
		return ledger.Entry{ID: id, Type: ledger.TypeVolume, Member: member, Currency: "USD", Effective: effective, Placed: placed,
			Posted: posted, Volume: &ledger.Volume{LineID: id, PV: decimal.RequireFromString(pv), QV: decimal.RequireFromString(qv),
				CV: decimal.RequireFromString(cv), Net: decimal.RequireFromString(pv)}}
	}
	retail := line("b1", "B", "7", "7", "7", day(8, 12), day(8, 12), day(8, 12))
	retail.Volume.Customer = "R1"
	bare := line("e1", "E", "0", "0", "0", day(8, 3), day(8, 3), day(8, 3))
	bare.Volume = nil
	adj := entry("adj", "A", "50", day(8, 3))
	undated := line("g1", "G", "1", "1", "1", time.Time{}, time.Time{}, time.Time{})
	for _, a := range []struct {
		stream string
		es     []ledger.Entry
	}{
		{"vol A", []ledger.Entry{
			line("a1", "A", "10.5", "10", "9", day(8, 10), day(8, 10), day(8, 10)),
			// A refund of a1 on Sep 3, posted at the Aug cutoff exactly.
			line("a2", "A", "-2.5", "-2", "-2", day(9, 3), day(8, 10), day(9, 3)),
			adj,
		}},
		{"vol B", []ledger.Entry{retail, line("b2", "B", "3", "3", "3", day(8, 12), day(8, 12), day(8, 12)),
			line("b3", "B", "100", "100", "100", day(8, 20), day(8, 20), day(9, 10))}},
		{"vol C", []ledger.Entry{
			line("c1", "C", "4", "4", "4", day(8, 5), time.Time{}, day(8, 5)),
			// A refund, in August, of an order placed in July.
			line("c2", "C", "-1", "-1", "-1", day(8, 6), day(7, 30), day(8, 6)),
			line("c3", "C", "0.0000001", "0", "0", day(8, 7), day(8, 7), day(8, 7)),
		}},
		{"vol D", []ledger.Entry{
			// Each fits in an int64 at 6 decimals; their sum does not.
			line("d1", "D", "4000000000000", "1", "1", day(8, 1), day(8, 1), day(8, 1)),
			line("d2", "D", "4000000000000", "1", "1", day(8, 2), day(8, 2), day(8, 2)),
			line("d3", "D", "4000000000000.5", "0", "0", day(8, 2), day(8, 2), day(8, 2)),
		}},
		{"vol EFGH", []ledger.Entry{bare,
			line("f1", "F", "10", "10", "10", day(8, 8), day(8, 8), day(8, 8)),
			line("f2", "F", "-10", "-10", "-10", day(8, 9), day(8, 9), day(8, 9)),
			undated,
			line("h1", "H", "2", "2", "2", day(9, 1), day(8, 31), day(9, 1)),
			// Posted at the zero instant, which is before every cutoff.
			line("i1", "I", "1.25", "1", "1", day(8, 4), day(8, 4), time.Time{}),
		}},
	} {
		if err := s.Append(ctx, a.stream, 0, a.es); err != nil {
			t.Fatal(err)
		}
	}
	aug, sep := ledger.Month(2025, time.August), ledger.Month(2025, time.September)
	order, own := commission.RefundsInOrderPeriod, commission.RefundsInRefundPeriod
	cases := []struct {
		name     string
		per      ledger.Period
		postedBy time.Time
		refunds  commission.RefundPeriod
		want     string // member PV QV CV CustomerPV, ...
	}{
		{"August, refunds in the order's period", aug, day(9, 3), order,
			"A 8 8 7 0, B 10 10 10 7, C 4.0000001 4 4 0, D 12000000000000.5 2 2 0, F 0 0 0 0, H 2 2 2 0, I 1.25 1 1 0"},
		{"August, refunds in theirs", aug, day(9, 3), own,
			"A 10.5 10 9 0, B 10 10 10 7, C 3.0000001 3 3 0, D 12000000000000.5 2 2 0, F 0 0 0 0, I 1.25 1 1 0"},
		{"August, posted by the refund's eve", aug, day(9, 3).Add(-time.Nanosecond), order,
			"A 10.5 10 9 0, B 10 10 10 7, C 4.0000001 4 4 0, D 12000000000000.5 2 2 0, F 0 0 0 0, H 2 2 2 0, I 1.25 1 1 0"},
		{"August, everything posted", aug, time.Time{}, order,
			"A 8 8 7 0, B 110 110 110 7, C 4.0000001 4 4 0, D 12000000000000.5 2 2 0, F 0 0 0 0, H 2 2 2 0, I 1.25 1 1 0"},
		{"September, refunds in theirs", sep, day(10, 5), own, "A -2.5 -2 -2 0, H 2 2 2 0"},
		{"September, refunds in the order's period", sep, day(10, 5), order, ""},
	}
	vs, capable := s.(ledger.Volumer)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			folded := scanVolumes(t, s, c.per, c.postedBy, c.refunds)
			if g := volumesString(folded); g != c.want {
				t.Errorf("Scan's entries add up to\n%s\nwant\n%s", g, c.want)
			}
			if !capable {
				return
			}
			got, err := vs.Volumes(ctx, c.per, c.postedBy, c.refunds)
			if err != nil {
				t.Fatal(err)
			}
			if g := volumesString(got); g != c.want {
				t.Errorf("Volumes\n%s\nwant\n%s", g, c.want)
			}
			if len(got) != len(folded) {
				t.Fatalf("Volumes returned %d members, Scan's entries make %d", len(got), len(folded))
			}
			for i, g := range got {
				f := folded[i]
				if g.Member != f.Member || !g.PV.Equal(f.PV) || !g.QV.Equal(f.QV) || !g.CV.Equal(f.CV) || !g.CustomerPV.Equal(f.CustomerPV) {
					t.Errorf("Volumes %s, Scan's entries add up to %s", volumesString(got[i:i+1]), volumesString(folded[i:i+1]))
				}
			}
		})
	}
}

// scanVolumes adds up, in decimals, the volumes of the entries Scan
// returns that count in per, as Volumer.Volumes says.
func scanVolumes(t *testing.T, s ledger.Store, per ledger.Period, postedBy time.Time, refunds commission.RefundPeriod) []commission.PersonalVolume {
	t.Helper()
	f := ledger.Filter{Types: []ledger.Type{ledger.TypeVolume}, From: per.From, To: per.To, PostedBy: postedBy}
	if refunds == commission.RefundsInOrderPeriod {
		f.To = time.Time{}
	}
	sums := make(map[string]*commission.PersonalVolume)
	err := s.Scan(ctx, f, func(e *ledger.Entry) error {
		placed := e.Placed
		if placed.IsZero() {
			placed = e.Effective
		}
		if e.Volume == nil || refunds == commission.RefundsInOrderPeriod && !per.Contains(placed) {
			return nil
		}
		v := sums[e.Member]
		if v == nil {
			v = &commission.PersonalVolume{Member: e.Member}
			sums[e.Member] = v
		}
		v.PV, v.QV, v.CV = v.PV.Add(e.Volume.PV), v.QV.Add(e.Volume.QV), v.CV.Add(e.Volume.CV)
		if e.Volume.Customer != "" {
			v.CustomerPV = v.CustomerPV.Add(e.Volume.PV)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]commission.PersonalVolume, 0, len(sums))
	for _, v := range sums {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b commission.PersonalVolume) int { return strings.Compare(a.Member, b.Member) })
	return out
}

func volumesString(vs []commission.PersonalVolume) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprintf("%s %s %s %s %s", v.Member, v.PV, v.QV, v.CV, v.CustomerPV)
	}
	return strings.Join(s, ", ")
}

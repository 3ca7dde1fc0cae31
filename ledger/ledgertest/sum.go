package ledgertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/ledger"
)

// plain hides every capability of the store it holds but ledger.Store
// itself, so that the ledger takes its plain path (Scan) where the store
// offers a faster one.
type plain struct{ ledger.Store }

// sum checks Summer.Sum, on a store that has it, against exact sums and
// against adding up what Scan returns.
func sum(t *testing.T, s ledger.Store) {
	sm, ok := s.(ledger.Summer)
	if !ok {
		t.Skip("the store is not a ledger.Summer")
	}
	aug := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	sep := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	eur := entry("a3", "A", "3", aug)
	eur.Currency = "EUR"
	pay := entry("p1", "B", "-1.005", sep)
	pay.Type, pay.Run = ledger.TypePayout, "r1"
	hold := ledger.Entry{ID: "h1", Type: ledger.TypeHold, Member: "B", Currency: "USD", Effective: sep, Posted: sep,
		Run: "r1", Withheld: decimal.RequireFromString("7"), Reason: "KYC pending"}
	undated := entry("c1", "C", "1200", time.Time{})
	undated.Currency, undated.Posted = "JPY", time.Time{}
	for _, a := range []struct {
		stream string
		es     []ledger.Entry
	}{
		{"s1", []ledger.Entry{entry("a1", "A", "10.50", aug.Add(-time.Nanosecond)), entry("a2", "A", "-0.5", sep), eur}},
		{"s2", []ledger.Entry{entry("b1", "B", "1.005", aug), pay, hold, undated}},
	} {
		if err := s.Append(ctx, a.stream, 0, a.es); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		f    ledger.Filter
		want string
	}{
		{"all, a zero sum listed", ledger.Filter{}, "A EUR 3, A USD 10, B USD 0, C JPY 1200"},
		{"member", ledger.Filter{Member: "A"}, "A EUR 3, A USD 10"},
		{"member and currency", ledger.Filter{Member: "A", Currency: "USD"}, "A USD 10"},
		{"no entries", ledger.Filter{Member: "nobody"}, ""},
		{"types", ledger.Filter{Types: []ledger.Type{ledger.TypePayout, ledger.TypeHold}}, "B USD -1.005"},
		{"effective before August, undated included", ledger.Filter{To: aug}, "A USD 10.5, C JPY 1200"},
		{"effective from August", ledger.Filter{From: aug}, "A EUR 3, A USD -0.5, B USD 0"},
		{"posted by", ledger.Filter{PostedBy: aug.Add(time.Hour)}, "A EUR 3, A USD 10.5, B USD 1.005, C JPY 1200"},
		{"run", ledger.Filter{Run: "r1"}, "B USD -1.005"},
		{"run and type", ledger.Filter{Run: "r1", Types: []ledger.Type{ledger.TypeHold}}, "B USD 0"},
		{"another run", ledger.Filter{Run: "r2"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bs, err := sm.Sum(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(bs))
			for i, b := range bs {
				got[i] = fmt.Sprintf("%s %s %s", b.Member, b.Currency, b.Amount)
			}
			if g := strings.Join(got, ", "); g != c.want {
				t.Errorf("got  %s\nwant %s", g, c.want)
			}
			scanned := make(map[[2]string]decimal.Decimal)
			err = s.Scan(ctx, c.f, func(e *ledger.Entry) error {
				k := [2]string{e.Member, e.Currency}
				scanned[k] = scanned[k].Add(e.Amount)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(scanned) != len(bs) {
				t.Errorf("Sum returned %d balances, Scan's entries make %d", len(bs), len(scanned))
			}
			for _, b := range bs {
				if v, ok := scanned[[2]string{b.Member, b.Currency}]; !ok || !v.Equal(b.Amount) {
					t.Errorf("%s %s: Sum %s, Scan's entries add up to %s", b.Member, b.Currency, b.Amount, v)
				}
			}
		})
	}
}

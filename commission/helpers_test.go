package commission_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

var (
	jan     = testworld.Jan
	orderTS = testworld.Placed
	known   = testworld.Known
)

// tree is testworld.Tree's genealogy: ROOT(3) ← A(2) ← B(1) ← C(0,
// inactive) ← D(1, enrolled 2025-08-10, code DCODE) ← R (retail customer
// of D); plus E, a distributor under D.
func tree(t testing.TB) *hierarchy.Genealogy {
	t.Helper()
	g, err := testworld.Genealogy(testworld.Tree)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// catalog is testworld's catalog (VIT-C-90, PROT-1KG, the
// KIT-STARTER-001 kit, GIFT-25).
func catalog(t testing.TB) *sku.Catalog {
	t.Helper()
	c, err := testworld.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustPlan(t testing.TB, body string, opts ...commission.LoadOption) *commission.Plan {
	t.Helper()
	p, err := commission.LoadPlan([]byte(body), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustOrder(t testing.TB, body string) normalize.Order {
	t.Helper()
	o, err := normalize.DecodeJSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// eventLines renders events compactly for table tests:
// "line/component rule beneficiary L1 P1 basis×rate=amount kind".
func eventLines(evs []commission.Event) []string {
	var out []string
	for i := range evs {
		e := &evs[i]
		s := e.LineID
		if e.Component != "" {
			s += "/" + e.Component
		}
		s += " " + e.Rule + " " + e.Beneficiary + " L" + itoa(e.Level) + " P" + itoa(e.PaidLevel) + " " +
			e.Basis().String() + "x" + e.Rate().String() + "=" + e.Amount().StringFixed(int32(digitsOf(e.Currency)))
		if e.Kind == commission.KindCorrection {
			s += " correction"
		}
		out = append(out, s)
	}
	return out
}

func digitsOf(cur string) int32 {
	d, _ := normalize.MinorUnits(cur)
	return d
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

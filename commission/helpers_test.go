package commission_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

var (
	jan     = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	orderTS = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)
	known   = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
)

// member is one line of a test genealogy: enrolled at jan unless at is set.
type member struct {
	id, sponsor string
	kind        hierarchy.Kind
	status      hierarchy.Status
	paidAs      hierarchy.Rank
	at          time.Time
	code        string
}

// tree builds a genealogy: ROOT(3) ← A(2) ← B(1) ← C(0, inactive) ← D(1,
// enrolled 2025-08-10, code DCODE) ← R (retail customer of D); plus E, a
// distributor under D.
func tree(t testing.TB, extra ...member) *hierarchy.Genealogy {
	t.Helper()
	ms := []member{
		{id: "ROOT", paidAs: 3},
		{id: "A", sponsor: "ROOT", paidAs: 2},
		{id: "B", sponsor: "A", paidAs: 1},
		{id: "C", sponsor: "B", status: hierarchy.Inactive},
		{id: "D", sponsor: "C", paidAs: 1, at: time.Date(2025, 8, 10, 0, 0, 0, 0, time.UTC), code: "DCODE"},
		{id: "R", sponsor: "D", kind: hierarchy.Retail, at: time.Date(2025, 8, 11, 0, 0, 0, 0, time.UTC)},
		{id: "E", sponsor: "D", paidAs: 1, at: time.Date(2025, 8, 11, 0, 0, 0, 0, time.UTC)},
	}
	return buildTree(t, append(ms, extra...))
}

func buildTree(t testing.TB, ms []member) *hierarchy.Genealogy {
	t.Helper()
	var g hierarchy.Genealogy
	rec := jan
	for _, m := range ms {
		at := m.at
		if at.IsZero() {
			at = jan
		}
		kind := m.kind
		if kind == 0 {
			kind = hierarchy.Distributor
		}
		st := m.status
		if st == 0 {
			st = hierarchy.Active
		}
		if err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m.id, Kind: kind, Sponsor: m.sponsor,
			Status: st, PaidAs: m.paidAs, Highest: m.paidAs, Effective: at, Recorded: rec}); err != nil {
			t.Fatal(err)
		}
		if m.code != "" {
			if err := g.AddCode(m.id, m.code, at, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &g
}

func catalog(t testing.TB) *sku.Catalog {
	t.Helper()
	d := decimal.RequireFromString
	c, err := sku.New(sku.Data{
		SKUs: []sku.Version{
			{ID: "VITC", EffectiveFrom: jan, Class: "consumable", PV: d("25"), QV: d("25"), CV: d("20")},
			{ID: "GUIDE", EffectiveFrom: jan, Class: "starter_kit", PV: d("0"), QV: d("0"), CV: d("0")},
			{ID: "STARTER", EffectiveFrom: jan, Class: "starter_kit", PV: d("100"), QV: d("100"), CV: d("80"),
				Components: []sku.Component{{SKU: "VITC", Qty: 2, Share: d("0.6")}, {SKU: "GUIDE", Qty: 1, Share: d("0.4")}}},
			{ID: "GIFT", EffectiveFrom: jan, Class: "gift_card", NonCommissionable: true, PV: d("0"), QV: d("0"), CV: d("0")},
		},
		Keys: []sku.Binding{
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "VIT-C-90"}, SKU: "VITC"},
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "KIT-STARTER-001"}, SKU: "STARTER"},
			{Key: sku.Key{Platform: normalize.Shopify, Kind: sku.KindSKU, Value: "GIFT-25"}, SKU: "GIFT"},
		},
	})
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

package sku_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// TestMapVolumesExact: Map computes a volume once when PV, QV and CV are
// the same number written the same way, and passes per-unit volumes
// through for one earning unit. The result must be the very decimal
// per unit × units (× share) gives: the same coefficient and exponent,
// not just an equal value, for every mix of equal and different volumes.
func TestMapVolumesExact(t *testing.T) {
	from := ts("2025-01-01T00:00:00Z")
	d := sku.Data{
		SKUs: []sku.Version{
			{ID: "A", EffectiveFrom: from, Class: "c", PV: dec("32.50"), QV: dec("32.50"), CV: dec("26.0")},
			{ID: "B", EffectiveFrom: from, Class: "c", PV: dec("10"), QV: dec("8"), CV: dec("10")},
			{ID: "C", EffectiveFrom: from, Class: "c", QV: dec("0"), CV: dec("1.5")}, // PV the zero decimal.Decimal
			{ID: "D", EffectiveFrom: from, Class: "c", PV: dec("7"), QV: dec("7.0"), CV: dec("7.00")},
			{ID: "K", EffectiveFrom: from, Class: "kit", PV: dec("100"), QV: dec("100.0"), CV: dec("100"),
				Components: []sku.Component{{SKU: "A", Qty: 2, Share: dec("0.25")}, {SKU: "B", Qty: 1, Share: dec("0.75")}}},
		},
		Keys: []sku.Binding{
			{Key: shopifyKey(sku.KindSKU, "A"), SKU: "A"}, {Key: shopifyKey(sku.KindSKU, "B"), SKU: "B"},
			{Key: shopifyKey(sku.KindSKU, "C"), SKU: "C"}, {Key: shopifyKey(sku.KindSKU, "D"), SKU: "D"},
			{Key: shopifyKey(sku.KindSKU, "K"), SKU: "K"},
		},
	}
	c, err := sku.New(d)
	if err != nil {
		t.Fatal(err)
	}
	lines := []line{{"A", "", 1, "10.00", "0"}, {"B", "", 1, "10.00", "0"}, {"C", "", 1, "10.00", "0"}, {"D", "", 1, "10.00", "0"}, {"K", "", 1, "10.00", "0"}}
	for _, qty := range []int64{0, 1, 2, 3} {
		for i := range lines {
			lines[i].qty = qty
		}
		orders := map[string]*normalize.Order{
			"paid":    order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, lines),
			"pending": order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPending, lines),
		}
		if qty > 0 {
			orders["one refunded"] = order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPartiallyRefunded, lines,
				refund("r1", normalize.RefundLine{LineID: "1", Qty: 1, Net: dec("10.00"), Tax: decimal.Zero},
					normalize.RefundLine{LineID: "5", Qty: 1, Net: dec("10.00"), Tax: decimal.Zero}))
		}
		for name, o := range orders {
			got, err := c.Map(o)
			if err != nil {
				t.Fatalf("qty %d, %s: %v", qty, name, err)
			}
			if len(got) != 6 {
				t.Fatalf("qty %d, %s: %d lines, want 6", qty, name, len(got))
			}
			for _, m := range got {
				// The records as given, not as the catalog holds them.
				version := func(id string) sku.Version {
					for _, v := range d.SKUs {
						if v.ID == id {
							return v
						}
					}
					t.Fatalf("no SKU %q", id)
					return sku.Version{}
				}
				v := version(m.SKU.ID)
				f := decimal.NewFromInt(m.EarningQty)
				if m.Component != sku.NoComponent {
					v = version(m.Kit.ID)
					f = decimal.NewFromInt(m.EarningQty / v.Components[m.Component].Qty) // kits earning

				}
				want := []decimal.Decimal{v.PV.Mul(f), v.QV.Mul(f), v.CV.Mul(f)}
				if m.Component != sku.NoComponent {
					share := v.Components[m.Component].Share
					for i := range want {
						want[i] = want[i].Mul(share)
					}
				}
				for i, gotV := range []decimal.Decimal{m.PV, m.QV, m.CV} {
					if gotV.Exponent() != want[i].Exponent() || gotV.Coefficient().Cmp(want[i].Coefficient()) != 0 {
						t.Errorf("qty %d, %s, line %s component %d: volume %d = %s (exponent %d), want %s (exponent %d)",
							qty, name, m.LineID, m.Component, i, gotV, gotV.Exponent(), want[i], want[i].Exponent())
					}
				}
			}
		}
	}
}

// TestMapAllocs holds Map to its allocations: the result, the nets
// normalize.Commissionable returns, and for the line earning two units
// one product (two allocations) for PV and QV, which are equal, and one
// for CV; none for the non-commissionable line or the one earning one
// unit. Go's allocator may change this; the bound is here so that a
// change in Map that allocates per line is noticed.
func TestMapAllocs(t *testing.T) {
	c := fixtureCatalog(t)
	o := order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{
		{"VIT-C-90", "", 2, "20.00", "0"}, {"GIFT-25", "", 1, "25.00", "0"}, {"", "44012345678901234567", 1, "9.99", "0"},
	})
	if n := testing.AllocsPerRun(100, func() { _, _ = c.Map(o) }); n > 6 {
		t.Errorf("Map allocates %v times, want at most 6", n)
	}
}

package sku_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// line is a test order line: sku, variant, qty, unit price, discount.
type line struct {
	sku, variant string
	qty          int64
	price, disc  string
}

// order builds a valid canonical order (it passes Validate and
// Reconcile) with no tax and no shipping.
func order(t testing.TB, platform normalize.Platform, store, at string, status normalize.Status, lines []line, refunds ...normalize.Refund) *normalize.Order {
	t.Helper()
	o := &normalize.Order{
		Platform: platform, Store: store, PlatformOrderID: "1001", OrderTS: ts(at), Version: ts(at),
		Status: status, Currency: "USD", Total: decimal.Zero, Shipping: decimal.Zero, Fees: decimal.Zero, Tax: decimal.Zero,
		Refunds: refunds,
	}
	for i, l := range lines {
		gross := dec(l.price).Mul(decimal.NewFromInt(l.qty))
		o.Items = append(o.Items, normalize.Line{
			LineID: string(rune('1' + i)), PlatformSKU: l.sku, VariantID: l.variant, Qty: l.qty,
			UnitPrice: dec(l.price), Gross: gross, Discount: dec(l.disc), Tax: decimal.Zero,
		})
	}
	if err := normalize.ComputeNets(o, decimal.Zero, ""); err != nil {
		t.Fatal(err)
	}
	for _, l := range o.Items {
		o.Total = o.Total.Add(l.Net)
	}
	if err := normalize.Reconcile(o); err != nil {
		t.Fatal(err)
	}
	return o
}

func refund(id string, lines ...normalize.RefundLine) normalize.Refund {
	return normalize.Refund{RefundID: id, TS: ts("2025-07-10T00:00:00Z"), Items: lines, Shipping: decimal.Zero, Amount: decimal.Zero}
}

// row is what a test expects of one Mapped, in strings for exact values.
type row struct {
	line      string
	comp      int
	key       string
	sku       string
	from      string
	kit       string
	class     string
	nonComm   bool
	qty, earn int64
	pv        string
	qv        string
	cv        string
	net       string
}

func rows(ms []sku.Mapped) []row {
	var out []row
	for _, m := range ms {
		r := row{
			line: m.LineID, comp: m.Component, key: m.Key.String(), sku: m.SKU.ID, from: m.SKU.EffectiveFrom.Format("2006-01-02"),
			class: m.Class, nonComm: m.NonCommissionable, qty: m.Qty, earn: m.EarningQty,
			pv: m.PV.String(), qv: m.QV.String(), cv: m.CV.String(), net: m.Net.StringFixed(2),
		}
		if m.Kit.ID != "" {
			r.kit = m.Kit.ID + "@" + m.Kit.EffectiveFrom.Format("2006-01-02")
		}
		out = append(out, r)
	}
	return out
}

func TestMap(t *testing.T) {
	c := fixtureCatalog(t)
	const (
		vitc   = "shopify/acme.myshopify.com/sku:VIT-C-90"
		kit    = "shopify/acme.myshopify.com/sku:KIT-STARTER-001"
		july   = "2025-07-01T12:00:00Z"
		wooKey = "woocommerce/shop.example/"
	)
	shop := func(at string, status normalize.Status, lines []line, refunds ...normalize.Refund) *normalize.Order {
		return order(t, normalize.Shopify, acme, at, status, lines, refunds...)
	}
	for _, tc := range []struct {
		name  string
		order *normalize.Order
		want  []row
	}{
		{"one line, version in force at order time", shop("2025-05-01T00:00:00Z", normalize.StatusPaid, []line{{"VIT-C-90", "", 2, "20.00", "0"}}),
			[]row{{"1", -1, vitc, "VITC", "2025-01-01", "", "consumable", false, 2, 2, "50", "50", "40", "40.00"}}},
		{"a newer version applies to a later order", shop(july, normalize.StatusPaid, []line{{"VIT-C-90", "", 2, "20.00", "1.50"}}),
			[]row{{"1", -1, vitc, "VITC", "2025-06-01", "", "consumable", false, 2, 2, "60", "60", "48", "38.50"}}},
		{"variant id first, above 2^53", shop(july, normalize.StatusPaid, []line{{"NOT-IN-CATALOG", "44012345678901234567", 1, "20.00", "0"}}),
			[]row{{"1", -1, "shopify/acme.myshopify.com/variant:44012345678901234567", "VITC", "2025-06-01", "", "consumable", false, 1, 1, "30", "30", "24", "20.00"}}},
		{"any-store binding, non-commissionable maps to zero", shop(july, normalize.StatusPaid, []line{{"GIFT-25", "", 2, "25.00", "0"}}),
			[]row{{"1", -1, "shopify/*/sku:GIFT-25", "GIFT", "2025-01-01", "", "non_commissionable", true, 2, 2, "0", "0", "0", "0.00"}}},
		{"kit splits volumes by share and net to the cent", shop(july, normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 3, "33.33", "0"}}),
			[]row{
				{"1", 0, kit, "VITC", "2025-06-01", "STARTER@2025-01-01", "consumable", false, 6, 6, "180", "180", "144", "59.99"},
				{"1", 1, kit, "GUIDE", "2025-01-01", "STARTER@2025-01-01", "starter_kit", false, 3, 3, "120", "120", "96", "40.00"},
			}},
		{"partial refund of units lowers volumes and net", shop(july, normalize.StatusPartiallyRefunded, []line{{"VIT-C-90", "", 3, "20.00", "0"}},
			refund("r1", normalize.RefundLine{LineID: "1", Qty: 1, Net: dec("20.00"), Tax: decimal.Zero})),
			[]row{{"1", -1, vitc, "VITC", "2025-06-01", "", "consumable", false, 3, 2, "60", "60", "48", "40.00"}}},
		{"refund of money only lowers net, not volumes", shop(july, normalize.StatusPartiallyRefunded, []line{{"VIT-C-90", "", 3, "20.00", "0"}},
			refund("r1", normalize.RefundLine{LineID: "1", Qty: 0, Net: dec("5.00"), Tax: decimal.Zero})),
			[]row{{"1", -1, vitc, "VITC", "2025-06-01", "", "consumable", false, 3, 3, "90", "90", "72", "55.00"}}},
		{"refunded kit units", shop(july, normalize.StatusPartiallyRefunded, []line{{"KIT-STARTER-001", "", 2, "50.00", "0"}},
			refund("r1", normalize.RefundLine{LineID: "1", Qty: 1, Net: dec("50.00"), Tax: decimal.Zero})),
			[]row{
				{"1", 0, kit, "VITC", "2025-06-01", "STARTER@2025-01-01", "consumable", false, 4, 2, "60", "60", "48", "30.00"},
				{"1", 1, kit, "GUIDE", "2025-01-01", "STARTER@2025-01-01", "starter_kit", false, 2, 1, "40", "40", "32", "20.00"},
			}},
		{"pending order earns nothing", shop(july, normalize.StatusPending, []line{{"VIT-C-90", "", 2, "20.00", "0"}}),
			[]row{{"1", -1, vitc, "VITC", "2025-06-01", "", "consumable", false, 2, 0, "0", "0", "0", "0.00"}}},
		{"fully refunded order earns nothing", shop(july, normalize.StatusRefunded, []line{{"VIT-C-90", "", 2, "20.00", "0"}},
			refund("r1", normalize.RefundLine{LineID: "1", Qty: 2, Net: dec("40.00"), Tax: decimal.Zero})),
			[]row{{"1", -1, vitc, "VITC", "2025-06-01", "", "consumable", false, 2, 0, "0", "0", "0", "0.00"}}},
		{"re-bound key follows the order's instant", shop("2025-09-02T00:00:00Z", normalize.StatusPaid, []line{{"OLD-VITC", "", 1, "40.00", "0"}}),
			[]row{{"1", -1, "shopify/acme.myshopify.com/sku:OLD-VITC", "SERUM", "2025-03-01", "", "consumable", false, 1, 1, "40", "40", "32.5", "40.00"}}},
		{"woocommerce variations sharing a SKU", order(t, normalize.WooCommerce, "shop.example", july, normalize.StatusPaid, []line{
			{"SHARED-SKU", "812", 1, "40.00", "0"}, {"SHARED-SKU", "813", 1, "20.00", "0"}}),
			[]row{
				{"1", -1, wooKey + "variant:812", "SERUM", "2025-03-01", "", "consumable", false, 1, 1, "40", "40", "32.5", "40.00"},
				{"2", -1, wooKey + "sku:SHARED-SKU", "VITC", "2025-06-01", "", "consumable", false, 1, 1, "30", "30", "24", "20.00"},
			}},
		{"empty order", shop(july, normalize.StatusPaid, nil), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Map(tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rows(got), cmp.AllowUnexported(row{})); diff != "" {
				t.Errorf("Map (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMapKitConserves checks that a kit's components add up to the kit:
// volumes exactly, net to the cent, for awkward nets.
func TestMapKitConserves(t *testing.T) {
	c := fixtureCatalog(t)
	for _, price := range []string{"0.01", "0.03", "33.33", "99.99", "1234.57"} {
		o := order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 7, price, "0"}})
		got, err := c.Map(o)
		if err != nil {
			t.Fatal(err)
		}
		pv, net := decimal.Zero, decimal.Zero
		for _, m := range got {
			pv, net = pv.Add(m.PV), net.Add(m.Net)
		}
		if !pv.Equal(dec("700")) || !net.Equal(o.Items[0].Net) {
			t.Errorf("price %s: components sum to PV %s, net %s; want 700, %s", price, pv, net, o.Items[0].Net)
		}
	}
}

func TestMapErrors(t *testing.T) {
	c := fixtureCatalog(t)
	o := order(t, normalize.Shopify, acme, "2025-02-15T00:00:00Z", normalize.StatusPaid, []line{
		{"VIT-C-90", "", 1, "20.00", "0"},
		{"VIT-D-60", "9001", 1, "20.00", "0"},
		{"SERUM-50", "", 1, "40.00", "0"},
	})
	o.PlatformOrderID = "587364120"
	got, err := c.Map(o)
	if got != nil {
		t.Errorf("Map returned %d lines with an error; want none (never half-paid)", len(got))
	}
	if !errors.Is(err, sku.ErrUnknownSKU) || !errors.Is(err, sku.ErrNotInForce) {
		t.Fatalf("error %v is not both ErrUnknownSKU and ErrNotInForce", err)
	}
	want := strings.Join([]string{
		`sku: order shopify/acme.myshopify.com/587364120 line "2" (items[1]) key shopify/acme.myshopify.com/variant:9001` +
			` (tried shopify/acme.myshopify.com/variant:9001 shopify/*/variant:9001 shopify/acme.myshopify.com/sku:VIT-D-60 shopify/*/sku:VIT-D-60)` +
			` at 2025-02-15T00:00:00Z: sku: unknown SKU`,
		`sku: order shopify/acme.myshopify.com/587364120 line "3" (items[2]) key shopify/acme.myshopify.com/sku:SERUM-50` +
			` at 2025-02-15T00:00:00Z: sku: no version in force`,
	}, "\n")
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
	var me *sku.MapError
	if !errors.As(err, &me) {
		t.Fatalf("error %T holds no *sku.MapError", err)
	}
	if me.OrderID != "587364120" || me.LineID != "2" || me.Line != 1 || me.Key != shopifyKey(sku.KindVariant, "9001") || len(me.Tried) != 4 {
		t.Errorf("first MapError = %+v", me)
	}

	t.Run("a found key not in force does not fall back", func(t *testing.T) {
		o := order(t, normalize.WooCommerce, "shop.example", "2025-02-01T00:00:00Z", normalize.StatusPaid, []line{{"SHARED-SKU", "812", 1, "40.00", "0"}})
		_, err := c.Map(o)
		var me *sku.MapError
		if !errors.As(err, &me) || !errors.Is(err, sku.ErrNotInForce) {
			t.Fatalf("error = %v, want a *MapError with ErrNotInForce", err)
		}
		if me.Key.String() != "woocommerce/shop.example/variant:812" {
			t.Errorf("MapError.Key = %s, want the variant key", me.Key)
		}
	})
	t.Run("a line without keys", func(t *testing.T) {
		o := order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"VIT-C-90", "", 1, "20.00", "0"}})
		o.Items[0].PlatformSKU = ""
		_, err := c.Map(o)
		const want = `sku: order shopify/acme.myshopify.com/1001 line "1" (items[0]) at 2025-07-01T00:00:00Z: sku: unknown SKU: the line has neither a platform SKU nor a variant id`
		if !errors.Is(err, sku.ErrUnknownSKU) || err.Error() != want {
			t.Errorf("error:\n got %v\nwant %s", err, want)
		}
	})
	t.Run("a kit in an unknown currency", func(t *testing.T) {
		o := order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 1, "20.00", "0"}})
		o.Currency = "XXX"
		_, err := c.Map(o)
		if !errors.Is(err, normalize.ErrInvalid) || !strings.Contains(err.Error(), `unknown currency "XXX", needed to split kit "STARTER"'s net`) {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("a kit quantity that overflows", func(t *testing.T) {
		o := order(t, normalize.Shopify, acme, "2025-07-01T00:00:00Z", normalize.StatusPaid, []line{{"KIT-STARTER-001", "", 1, "20.00", "0"}})
		o.Items[0].Qty = 1 << 62
		_, err := c.Map(o)
		if !errors.Is(err, normalize.ErrInvalid) || !strings.Contains(err.Error(), `4611686018427387904 kits × 2 of component "VITC" overflows`) {
			t.Errorf("error = %v", err)
		}
	})
}

package woocommerce_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

func TestStatuses(t *testing.T) {
	tests := []struct {
		wc      string
		refunds bool
		want    normalize.Status
	}{
		{"pending", false, normalize.StatusPending},
		{"on-hold", false, normalize.StatusPending},
		{"checkout-draft", false, normalize.StatusPending},
		{"draft", false, normalize.StatusPending},
		{"processing", false, normalize.StatusPaid},
		{"completed", false, normalize.StatusPaid},
		{"wc-completed", false, normalize.StatusPaid},
		{"processing", true, normalize.StatusPartiallyRefunded},
		{"completed", true, normalize.StatusPartiallyRefunded},
		{"refunded", true, normalize.StatusRefunded},
		{"cancelled", false, normalize.StatusCancelled},
		{"trash", false, normalize.StatusCancelled},
		{"failed", false, normalize.StatusVoided},
	}
	for _, tt := range tests {
		t.Run(tt.wc, func(t *testing.T) {
			body := ordertest.Mutate(t, "order-coupon-tax-exclusive.json", func(m map[string]any) {
				m["status"] = tt.wc
				if tt.refunds {
					m["refunds"] = []any{map[string]any{"id": json.Number("1"), "reason": "", "total": "-1.00"}}
				}
			})
			o, err := woocommerce.Decoder{}.DecodeOrder(body)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tt.want {
				t.Errorf("status %q → %q, want %q", tt.wc, o.Status, tt.want)
			}
		})
	}
	t.Run("custom status mapped by the caller", func(t *testing.T) {
		body := ordertest.Mutate(t, "order-coupon-tax-exclusive.json", func(m map[string]any) { m["status"] = "wc-shipped" })
		o, err := woocommerce.Decoder{Statuses: map[string]normalize.Status{"shipped": normalize.StatusPaid}}.DecodeOrder(body)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != normalize.StatusPaid {
			t.Errorf("status = %q, want paid", o.Status)
		}
	})
}

func TestDistributorRef(t *testing.T) {
	meta := func(k, v string) map[string]any { return map[string]any{"id": json.Number("1"), "key": k, "value": v} }
	tests := []struct {
		name string
		d    woocommerce.Decoder
		edit func(m map[string]any)
		want string
	}{
		{"hidden order meta matches without its underscore", woocommerce.Decoder{}, func(map[string]any) {}, "D-1001"},
		{"earliest RefKey wins", woocommerce.Decoder{RefKeys: []string{"referrer", "distributor_ref"}}, func(m map[string]any) {
			m["meta_data"] = append(m["meta_data"].([]any), meta("Referrer", " R-77 "))
		}, "R-77"},
		{"order meta before line meta", woocommerce.Decoder{}, func(m map[string]any) {
			lineOf(m, 0)["meta_data"] = []any{meta("distributor", "LINE-1")}
		}, "D-1001"},
		{"line meta when the order has none", woocommerce.Decoder{}, func(m map[string]any) {
			m["meta_data"] = []any{}
			lineOf(m, 1)["meta_data"] = []any{meta("distributor", "LINE-2")}
		}, "LINE-2"},
		{"coupon only when asked", woocommerce.Decoder{}, func(m map[string]any) { m["meta_data"] = []any{} }, ""},
		{"coupon code last", woocommerce.Decoder{RefFromCoupon: true}, func(m map[string]any) { m["meta_data"] = []any{} }, "spring10"},
		{"number value", woocommerce.Decoder{}, func(m map[string]any) {
			m["meta_data"] = []any{map[string]any{"id": json.Number("1"), "key": "ref", "value": json.Number("4711")}}
		}, "4711"},
		{"object value is not a ref", woocommerce.Decoder{}, func(m map[string]any) {
			m["meta_data"] = []any{map[string]any{"id": json.Number("1"), "key": "ref", "value": map[string]any{"a": "b"}}}
		}, ""},
		{"WooCommerce attribution meta when named", woocommerce.Decoder{RefKeys: []string{"wc_order_attribution_utm_campaign"}}, func(m map[string]any) {
			m["meta_data"] = append(m["meta_data"].([]any), meta("_wc_order_attribution_utm_campaign", "dist-5150"))
		}, "dist-5150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.d.DecodeOrder(ordertest.Mutate(t, "order-coupon-tax-exclusive.json", tt.edit))
			if err != nil {
				t.Fatal(err)
			}
			if o.DistributorRef != tt.want {
				t.Errorf("DistributorRef = %q, want %q", o.DistributorRef, tt.want)
			}
		})
	}
}

// TestExtraDigitsRoundOnce: figures sent with four decimals (a client
// asking for dp=4) are rounded once, half away from zero, to the cent.
func TestExtraDigitsRoundOnce(t *testing.T) {
	body := ordertest.Mutate(t, "order-coupon-tax-exclusive.json", func(m map[string]any) {
		l := lineOf(m, 0)
		l["subtotal"], l["total"], l["total_tax"] = "59.9800", "53.9800", "4.4534"
		l = lineOf(m, 1)
		l["total_tax"] = "1.8191"
		l = lineOf(m, 2)
		l["total_tax"] = "0.7950" // half: rounds up to 0.80
		m["total_tax"] = "7.7275" // 7.73
		m["price"] = "ignored"
	})
	o, err := woocommerce.Decoder{}.DecodeOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{o.Items[0].Tax.StringFixed(2), o.Items[1].Tax.StringFixed(2), o.Items[2].Tax.StringFixed(2), o.Tax.StringFixed(2), o.Items[0].Net.StringFixed(2)}
	if diff := cmp.Diff([]string{"4.45", "1.82", "0.80", "7.73", "53.98"}, got); diff != "" {
		t.Errorf("rounded figures (-want +got):\n%s", diff)
	}
	if o.Items[2].Tax.Exponent() < -2 {
		t.Errorf("tax %s keeps more than two digits", o.Items[2].Tax)
	}
}

// TestPriceIsNeverRead: line_items[].price is float noise; any value,
// even one that is not a number, leaves the amounts alone.
func TestPriceIsNeverRead(t *testing.T) {
	want, err := woocommerce.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-coupon-tax-exclusive.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, price := range []any{json.Number("1e308"), "n/a", nil, json.Number("10.799999999999999")} {
		got, err := woocommerce.Decoder{}.DecodeOrder(ordertest.Mutate(t, "order-coupon-tax-exclusive.json", func(m map[string]any) {
			for i := range 3 {
				lineOf(m, i)["price"] = price
			}
		}))
		if err != nil {
			t.Fatalf("price %v: %v", price, err)
		}
		if diff := cmp.Diff(string(ordertest.Canonical(t, want)), string(ordertest.Canonical(t, got))); diff != "" {
			t.Errorf("price %v changed the order:\n%s", price, diff)
		}
	}
}

// TestComponentRule pins which bundle/composite lines are left out.
func TestComponentRule(t *testing.T) {
	o, err := woocommerce.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-bundle-composite.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range o.Items {
		got = append(got, l.LineID+"<"+l.ParentLineID)
	}
	// 702: a zero component of bundle 700; 710: a zero composite parent
	// whose components 711 and 712 (the latter linked by meta only) carry
	// the amounts.
	if diff := cmp.Diff([]string{"700<", "701<700", "711<710", "712<710"}, got); diff != "" {
		t.Errorf("kept lines (-want +got):\n%s", diff)
	}

	t.Run("all-zero bundle keeps its parent", func(t *testing.T) {
		body := ordertest.Mutate(t, "order-bundle-composite.json", func(m map[string]any) {
			for i := range 6 {
				l := lineOf(m, i)
				l["subtotal"], l["total"] = "0.00", "0.00"
			}
			m["total"] = "0.00"
		})
		o, err := woocommerce.Decoder{}.DecodeOrder(body)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range o.Items {
			ids = append(ids, l.LineID)
		}
		if diff := cmp.Diff([]string{"700", "710"}, ids); diff != "" {
			t.Errorf("kept lines (-want +got):\n%s", diff)
		}
	})

	t.Run("refund of a left-out component takes back nothing", func(t *testing.T) {
		body := ordertest.Mutate(t, "refund-9210-one-unit.json", func(m map[string]any) {
			l := lineOf(m, 0)
			l["total"], l["total_tax"], l["subtotal"] = "0.00", "0.00", "0.00"
			l["meta_data"] = []any{map[string]any{"id": json.Number("1"), "key": "_refunded_item_id", "value": "702"}}
			m["_links"] = map[string]any{"up": []any{map[string]any{"href": "https://shop.example.com/wp-json/wc/v3/orders/9100"}}}
			m["amount"] = "0.00"
		})
		got, err := woocommerce.Decoder{}.ApplyRefund(o, body)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Refunds) != 1 || len(got.Refunds[0].Items) != 0 {
			t.Errorf("refunds = %+v, want one refund without lines", got.Refunds)
		}
	})
}

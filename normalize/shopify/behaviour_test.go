package shopify_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		financial string
		cancelled any
		want      normalize.Status
	}{
		{"pending", nil, normalize.StatusPending},
		{"authorized", nil, normalize.StatusPending},
		{"partially_paid", nil, normalize.StatusPending},
		{"paid", nil, normalize.StatusPaid},
		{"partially_refunded", nil, normalize.StatusPartiallyRefunded},
		{"refunded", nil, normalize.StatusRefunded},
		{"voided", nil, normalize.StatusVoided},
		{"expired", nil, normalize.StatusVoided},
		{"paid", "2025-03-15T10:00:00-04:00", normalize.StatusCancelled},
		{"voided", "2025-03-15T10:00:00-04:00", normalize.StatusCancelled},
	} {
		t.Run(tc.financial, func(t *testing.T) {
			body := ordertest.Mutate(t, "order_discounts_tax_exclusive.json", func(m map[string]any) {
				set(m, tc.financial, "financial_status")
				set(m, tc.cancelled, "cancelled_at")
			})
			o, err := shopify.Decoder{}.DecodeOrder(body)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != tc.want {
				t.Errorf("status %q, want %q", o.Status, tc.want)
			}
		})
	}
}

func TestDistributorRef(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keys    []string
		notes   []any
		landing any
		want    string
	}{
		{"note attributes win over the landing page", nil,
			[]any{map[string]any{"name": "ref", "value": "NOTE-1"}}, "/?distributor_ref=LAND-1", "NOTE-1"},
		{"landing path", nil, nil, "/?ref=ABC", "ABC"},
		{"full URL, escaped", nil, nil, "https://shop.example.com/p/x?utm=1&referrer=J%C3%BCrgen%2B1#top", "Jürgen+1"},
		{"hash route", nil, nil, "/#/shop?ref=HASH-9", "HASH-9"},
		{"bad escape kept as sent", nil, nil, "/?ref=AB%ZZ", "AB%ZZ"},
		{"key priority within the landing page", nil, nil, "/?ref=LOW&distributor=HIGH", "HIGH"},
		{"empty value skipped", nil, nil, "/?distributor=&ref=R2", "R2"},
		{"no query", nil, nil, "/products/serum", ""},
		{"null landing site", nil, nil, nil, ""},
		{"caller's keys", []string{"sponsor"}, []any{map[string]any{"name": "ref", "value": "IGNORED"}}, "/?sponsor=S-7", "S-7"},
		{"caller's keys, case and space", []string{"sponsor"}, []any{map[string]any{"name": " Sponsor ", "value": " S-8 "}}, nil, "S-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := ordertest.Mutate(t, "order_discounts_tax_exclusive.json", func(m map[string]any) {
				set(m, tc.notes, "note_attributes")
				set(m, tc.landing, "landing_site")
			})
			o, err := shopify.Decoder{RefKeys: tc.keys}.DecodeOrder(body)
			if err != nil {
				t.Fatal(err)
			}
			if o.DistributorRef != tc.want {
				t.Errorf("distributor_ref %q, want %q", o.DistributorRef, tc.want)
			}
		})
	}
}

// TestRefundFloatNoise: a refund line without its exact *_set twin is read
// from the float-serialised number, rounded once, half-up, to the cent.
func TestRefundFloatNoise(t *testing.T) {
	for _, tc := range []struct{ subtotal, want string }{
		{"26.999999999999996", "27.00"},
		{"27.000000000000004", "27.00"},
		{"26.995", "27.00"},
		{"26.994", "26.99"},
	} {
		t.Run(tc.subtotal, func(t *testing.T) {
			body := ordertest.Mutate(t, "refund_partial.json", func(m map[string]any) {
				del(m, "refund_line_items", 0, "subtotal_set")
				set(m, json.Number(tc.subtotal), "refund_line_items", 0, "subtotal")
			})
			r, err := shopify.Decoder{}.DecodeRefund(body)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Items[0].Net.StringFixed(2); got != tc.want {
				t.Errorf("net %s, want %s", got, tc.want)
			}
		})
	}
}

// TestApplyRefund: a refunds/create delivery applies to the order it
// names; the same refund inside a later orders/updated is no second
// clawback.
func TestApplyRefund(t *testing.T) {
	d := shopify.Decoder{Store: store}
	body := ordertest.Mutate(t, "order_partial_refund.json", func(m map[string]any) {
		set(m, []any{}, "refunds")
		set(m, "paid", "financial_status")
		set(m, "2025-04-01T12:00:02-04:00", "updated_at")
		set(m, json.Number("2"), "line_items", 0, "current_quantity")
	})
	placed, err := d.DecodeOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	r, err := d.DecodeRefund(ordertest.Fixture(t, "refund_partial.json"))
	if err != nil {
		t.Fatal(err)
	}
	after, err := placed.ApplyRefund(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []decimal.Decimal{decimal.RequireFromString("27.00"), decimal.RequireFromString("13.50")}
	if diff := cmp.Diff(want, normalize.Commissionable(&after)); diff != "" {
		t.Errorf("commissionable after the refund (-want +got):\n%s", diff)
	}
	updated, err := d.DecodeOrder(ordertest.Fixture(t, "order_partial_refund.json"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := updated.ApplyRefund(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Refunds) != 2 {
		t.Errorf("the refund already in orders/updated was added again: %d refunds", len(again.Refunds))
	}
	// A refund taking back both units after the first is too much.
	both := ordertest.Mutate(t, "refund_partial.json", func(m map[string]any) {
		set(m, json.Number("930000000009"), "id")
		set(m, json.Number("2"), "refund_line_items", 0, "quantity")
		set(m, "54.00", "refund_line_items", 0, "subtotal_set", "shop_money", "amount")
		set(m, json.Number("54.0"), "refund_line_items", 0, "subtotal")
	})
	r2, err := d.DecodeRefund(both)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.ApplyRefund(r2); !errors.Is(err, normalize.ErrRefundExceeds) {
		t.Errorf("second refund of both units: %v, want ErrRefundExceeds", err)
	}
}

// TestRESTEnvelope: the Admin REST API's {"order": ...} and {"refund": ...}
// decode like the webhook bodies, with paths under the envelope.
func TestRESTEnvelope(t *testing.T) {
	o, err := shopify.Decoder{}.DecodeOrder([]byte(`{"order":` + string(ordertest.Fixture(t, "order_zero_total.json")) + `}`))
	if err != nil || o.PlatformOrderID != "5829367209077" {
		t.Errorf("order envelope: %v, %q", err, o.PlatformOrderID)
	}
	r, err := shopify.Decoder{}.DecodeRefund([]byte(`{"refund":` + string(ordertest.Fixture(t, "refund_partial.json")) + `}`))
	if err != nil || r.RefundID != "930000000001" {
		t.Errorf("refund envelope: %v, %q", err, r.RefundID)
	}
	_, err = shopify.Decoder{}.DecodeOrder([]byte(`{"order":{"id":1,"line_items":[{"price":{}}]}}`))
	var e *normalize.Error
	if !errors.As(err, &e) || e.Path != "order.line_items.price" {
		t.Errorf("error %v, want one at order.line_items.price", err)
	}
}

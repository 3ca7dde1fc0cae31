package woocommerce_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	_ "github.com/uplinehq/upline/normalize/internal/corpus"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// shop is the Decoder the golden tests use unless a case needs options.
var shop = woocommerce.Decoder{Store: "shop.example.com"}

func goldenPath(fixture string) string {
	return filepath.Join("testdata", "golden", strings.TrimSuffix(fixture, ".json")+".golden.json")
}

func TestDecodeOrderGolden(t *testing.T) {
	tests := []struct {
		fixture string
		d       woocommerce.Decoder
	}{
		{"order-coupon-tax-exclusive.json", shop},
		{"order-prices-include-tax-eur.json", shop},
		{"order-negative-fee.json", woocommerce.Decoder{Store: "shop.example.com", RefFromCoupon: true}},
		{"order-variations-shared-sku.json", shop},
		{"order-bundle-composite.json", shop},
		{"order-partially-refunded.json", shop},
		{"order-refunded.json", shop},
		{"order-cancelled.json", shop},
		{"order-zero-total.json", shop},
		{"order-big-ids.json", shop},
		{"order-jpy.json", shop},
		{"order-kwd.json", shop},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			o, err := tt.d.DecodeOrder(ordertest.Fixture(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, goldenPath(tt.fixture), ordertest.Canonical(t, o))
		})
	}
}

// TestApplyRefundGolden applies the two refund objects of order 9200 in
// turn: the first replaces the amount-only refund the order's refunds list
// gave, the second returns the line's last unit and takes back exactly
// what is left of its net.
func TestApplyRefundGolden(t *testing.T) {
	o, err := shop.DecodeOrder(ordertest.Fixture(t, "order-partially-refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"refund-9210-one-unit.json", "refund-9211-last-unit-and-shipping.json"} {
		r, err := woocommerce.Decoder{Currency: "USD", Store: "shop.example.com"}.DecodeRefund(ordertest.Fixture(t, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, goldenPath(f), ordertest.Canonical(t, r))
		if o, err = shop.ApplyRefund(o, ordertest.Fixture(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	golden.Check(t, filepath.Join("testdata", "golden", "order-partially-refunded-applied.golden.json"), ordertest.Canonical(t, o))
	// Applying the same refund again is a duplicate delivery: no change.
	again, err := shop.ApplyRefund(o, ordertest.Fixture(t, "refund-9211-last-unit-and-shipping.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(ordertest.Canonical(t, again)), string(ordertest.Canonical(t, o)); got != want {
		t.Errorf("a duplicate refund changed the order:\n%s", got)
	}
	nets := normalize.Commissionable(&o)
	if got := nets[0].StringFixed(2) + " " + nets[1].StringFixed(2); got != "0.00 18.00" {
		t.Errorf("commissionable after both refunds = %s, want 0.00 18.00", got)
	}
}

package magento_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

// TestRowTotalsAfterDiscount: some installations write base_row_total after
// the discount (the OCA recordings do); base_subtotal tells which, and both
// readings decode to the same order.
func TestRowTotalsAfterDiscount(t *testing.T) {
	want, err := magento.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-tax-exclusive-coupon.json"))
	if err != nil {
		t.Fatal(err)
	}
	body := ordertest.Mutate(t, "order-tax-exclusive-coupon.json", func(m map[string]any) {
		for i, after := range []string{"35.98", "22.05", "8.10"} {
			itemAt(m, i)["base_row_total"] = json.Number(after)
		}
	})
	got, err := magento.Decoder{}.DecodeOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ordertest.Canonical(t, want), ordertest.Canonical(t, got)); diff != "" {
		t.Errorf("after-discount row totals decode differently (-before +after):\n%s", diff)
	}
}

// TestSkippedItems pins the documented rules that leave items out.
func TestSkippedItems(t *testing.T) {
	for _, c := range []struct {
		fixture string
		lines   []string // line ids kept
		parents []string // their parent_line_id
	}{
		// The configurable child 42 is left out; it names the variant.
		{"order-configurable-same-sku.json", []string{"41", "43", "44"}, []string{"", "", ""}},
		// The dynamic bundle's parent 51 and the fixed bundle's children 56, 57 are left out.
		{"order-bundles.json", []string{"52", "53", "54", "55"}, []string{"51", "51", "51", ""}},
		// The configurable child 112 is left out.
		{"order-refunded.json", []string{"111", "113"}, []string{"", ""}},
	} {
		t.Run(c.fixture, func(t *testing.T) {
			o, err := magento.Decoder{}.DecodeOrder(ordertest.Fixture(t, c.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var lines, parents []string
			for _, l := range o.Items {
				lines, parents = append(lines, l.LineID), append(parents, l.ParentLineID)
			}
			if diff := cmp.Diff(c.lines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.parents, parents); diff != "" {
				t.Errorf("parents (-want +got):\n%s", diff)
			}
		})
	}
	// A configurable line is the variant: the child's SKU and product id.
	o, err := magento.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-configurable-same-sku.json"))
	if err != nil {
		t.Fatal(err)
	}
	if l := o.Items[0]; l.PlatformSKU != "HOODIE-M-BLUE" || l.VariantID != "5012" || l.ProductID != "5000" {
		t.Errorf("configurable line sku %q variant %q product %q, want HOODIE-M-BLUE 5012 5000", l.PlatformSKU, l.VariantID, l.ProductID)
	}
	// A credit memo leaves out dummy items (no base_row_total) and items listed with nothing refunded.
	r, err := magento.Decoder{}.DecodeRefund(ordertest.Fixture(t, "creditmemo-partial.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 1 || r.Items[0].LineID != "111" {
		t.Errorf("credit memo lines %+v, want only line 111", r.Items)
	}
}

func TestStatuses(t *testing.T) {
	for _, c := range []struct {
		state, status string
		refunded      string
		want          normalize.Status
	}{
		{"new", "pending", "0", normalize.StatusPending},
		{"pending_payment", "pending_payment", "0", normalize.StatusPending},
		{"payment_review", "fraud", "0", normalize.StatusPending},
		{"holded", "holded", "0", normalize.StatusPending},
		{"processing", "processing", "0", normalize.StatusPaid},
		{"complete", "complete", "0", normalize.StatusPaid},
		{"complete", "complete", "10.00", normalize.StatusPartiallyRefunded},
		{"closed", "closed", "79.09", normalize.StatusRefunded},
		{"canceled", "canceled", "0", normalize.StatusCancelled},
		{"", "processing", "0", normalize.StatusPaid}, // no state: the default status of that name
		{"", "canceled", "0", normalize.StatusCancelled},
	} {
		t.Run(c.state+"/"+c.status, func(t *testing.T) {
			o, err := magento.Decoder{}.DecodeOrder(ordertest.Mutate(t, "order-tax-exclusive-coupon.json", func(m map[string]any) {
				m["state"], m["status"] = c.state, c.status
				m["base_total_refunded"] = json.Number(c.refunded)
			}))
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != c.want {
				t.Errorf("status %s, want %s", o.Status, c.want)
			}
		})
	}
}

func TestDistributorRef(t *testing.T) {
	body := ordertest.Mutate(t, "order-tax-exclusive-coupon.json", func(m map[string]any) {
		m["extension_attributes"] = map[string]any{"ref": "EXT-REF", "shipping_assignments": []any{}, "sponsor_code": json.Number("4711")}
		m["custom_attributes"] = []any{map[string]any{"attribute_code": "distributor_ref", "value": "CUSTOM-DREF"}}
		m["custom_attributes_serializable"] = map[string]any{"sales_rep": "Rep123"}
	})
	for _, c := range []struct {
		keys []string
		want string
	}{
		{nil, "CUSTOM-DREF"},                    // distributor_ref outranks ref whatever the source
		{[]string{"ref"}, "EXT-REF"},            // extension attribute
		{[]string{"sponsor_code"}, "4711"},      // numbers count
		{[]string{"Sales_Rep"}, "Rep123"},       // Adobe webhook custom attributes, any case
		{[]string{"missing", "ref"}, "EXT-REF"}, // first key that matches
		{[]string{"shipping_assignments"}, ""},  // objects and arrays never count
		{[]string{}, ""},                        // no keys: no reference
	} {
		o, err := magento.Decoder{RefKeys: c.keys}.DecodeOrder(body)
		if err != nil {
			t.Fatal(err)
		}
		if o.DistributorRef != c.want {
			t.Errorf("keys %v: distributor_ref %q, want %q", c.keys, o.DistributorRef, c.want)
		}
	}
}

// TestTenders: gift cards, store credit and reward points pay for the order
// and lower base_grand_total; they are added back, never taken as discounts.
func TestTenders(t *testing.T) {
	body := ordertest.Mutate(t, "order-tax-exclusive-coupon.json", func(m map[string]any) {
		m["base_grand_total"] = json.Number("49.09")
		m["base_gift_cards_amount"] = json.Number("10")
		m["base_customer_balance_amount"] = json.Number("15")
		m["base_reward_currency_amount"] = json.Number("5")
	})
	o, err := magento.Decoder{}.DecodeOrder(body)
	if err != nil {
		t.Fatal(err)
	}
	if o.Total.String() != "79.09" || o.Items[0].Net.String() != "35.98" {
		t.Errorf("total %s, first net %s; want 79.09 and 35.98", o.Total, o.Items[0].Net)
	}
}

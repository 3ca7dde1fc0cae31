package ingesttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlayPlatformForms delivers WooCommerce and Magento order bodies (the
// decoders' own test fixtures) as steps, with each decoder's store from
// scenario.json, and checks what they pay: WooCommerce refund objects
// (the first at the body's own date_modified) carried past the body
// redelivered, and a Magento edit replacing an order paid once.
func TestPlayPlatformForms(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "normalize", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dir := t.TempDir()
	files := map[string]string{
		"scenario.json": `{"known": "2025-01-02T00:00:00Z", "woocommerce": {"store": "shop.example.com"}, "magento": {"store": "https://magento.example.com"}}`,
		"plan.json": `{"id": "p", "version": 1, "effective_from": "2025-01-01T00:00:00Z",
			"rules": [{"type": "unilevel", "name": "unilevel", "basis": "net", "rates": {"*": ["0.10"]}}]}`,
		"genealogy.json": `[{"op": "enroll", "member": "A", "kind": "distributor", "effective": "2025-01-01T00:00:00Z", "recorded": "2025-01-01T00:00:00Z"},
			{"op": "enroll", "member": "D-7788", "kind": "distributor", "sponsor": "A", "effective": "2025-01-01T00:00:00Z", "recorded": "2025-01-01T00:00:00Z"},
			{"op": "enroll", "member": "D-1001", "kind": "distributor", "sponsor": "A", "effective": "2025-01-01T00:00:00Z", "recorded": "2025-01-01T00:00:00Z"}]`,
		"skus.csv": "sku_id,effective_from,class,pv,qv,cv\nSHAKE,2025-01-01T00:00:00Z,c,1,1,1\nBAR,2025-01-01T00:00:00Z,c,1,1,1\nVITC,2025-01-01T00:00:00Z,c,1,1,1\nSHAKER,2025-01-01T00:00:00Z,c,1,1,1\n",
		"keys.csv": "platform,store,kind,key,effective_from,sku_id\n" +
			"woocommerce,shop.example.com,variant,701,,SHAKE\nwoocommerce,,sku,BAR-BOX,,BAR\n" +
			"magento,https://magento.example.com,sku,VIT-C-500,,VITC\nmagento,,sku,PROT-BAR-12,,BAR\nmagento,,sku,SHAKER,,SHAKER\n",
		"steps/01-woocommerce-order.json": read("woocommerce/testdata/order-partially-refunded.json"),
		"steps/02-magento-order.json":     read("magento/testdata/order-tax-exclusive-coupon.json"),
		// Refund 9210 at the body's own date_modified, the body again, the
		// last unit of line 801 refunded.
		"steps/03-woocommerce-refund-9210.json":      read("woocommerce/testdata/refund-9210-one-unit.json"),
		"steps/04-woocommerce-order-again.json":      read("woocommerce/testdata/order-partially-refunded.json"),
		"steps/05-woocommerce-refund-9211.json":      read("woocommerce/testdata/refund-9211-last-unit-and-shipping.json"),
		"steps/06-magento-order-original.json":       original(t, read("magento/testdata/order-edited-replacement.json")),
		"steps/07-magento-order-edit.json":           read("magento/testdata/order-edited-replacement.json"),
		"steps/08-magento-order-original-again.json": original(t, read("magento/testdata/order-edited-replacement.json")),
	}
	writeFiles(t, dir, files)
	steps, err := Play(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		for i := range s.Events {
			e := &s.Events[i]
			got = append(got, e.Order.String()+" "+e.LineID+" "+e.Beneficiary+" "+e.Amount().StringFixed(2))
		}
	}
	want := []string{
		"woocommerce/shop.example.com/9200 801 A 5.40",
		"woocommerce/shop.example.com/9200 802 A 1.80",
		"magento/https://magento.example.com/101 11 A 3.60",
		"magento/https://magento.example.com/101 12 A 2.21",
		"magento/https://magento.example.com/101 13 A 0.81",
		"woocommerce/shop.example.com/9200 801 A -3.00",
		"woocommerce/shop.example.com/9200 801 A -2.40",
		"magento/https://magento.example.com/57 71 A 6.00",
		"magento/https://magento.example.com/57 71 A -6.00", // the edit: the original back to zero,
		"magento/https://magento.example.com/58 71 A 6.00",  // the replacement paid once
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	var outcomes []Outcome
	for _, s := range steps {
		outcomes = append(outcomes, s.Outcome)
	}
	if diff := cmp.Diff([]Outcome{Posted, Posted, Posted, Unchanged, Posted, Posted, Posted, Stale}, outcomes); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// original turns the Magento replacement fixture (entity 58, "000000021-1",
// placed 2025-03-08 14:00) into the order it replaces: entity 57,
// "000000021", placed at 12:00.
func original(t *testing.T, body string) string {
	t.Helper()
	for _, r := range [][2]string{
		{`"entity_id": 58`, `"entity_id": 57`},
		{`"increment_id": "000000021-1"`, `"increment_id": "000000021"`},
		{`"relation_parent_id": "57"`, `"relation_parent_id": null`},
		{`"relation_parent_real_id": "000000021"`, `"relation_parent_real_id": null`},
	} {
		if !strings.Contains(body, r[0]) {
			t.Fatalf("%s not in the fixture", r[0])
		}
		body = strings.Replace(body, r[0], r[1], 1)
	}
	return strings.ReplaceAll(body, `"2025-03-08 14:00:00"`, `"2025-03-08 12:00:00"`)
}

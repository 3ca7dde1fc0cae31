package commissiontest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPlayPlatformForms delivers WooCommerce and Magento order bodies (the
// decoders' own test fixtures) as steps, with each decoder's store from
// scenario.json, and checks what they pay.
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
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps, err := Play(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		for i := range s.Events {
			e := &s.Events[i]
			got = append(got, s.Order.String()+" "+e.LineID+" "+e.Beneficiary+" "+e.Amount().StringFixed(2))
		}
	}
	want := []string{
		"woocommerce/shop.example.com/9200 801 A 5.40",
		"woocommerce/shop.example.com/9200 802 A 1.80",
		"magento/https://magento.example.com/101 11 A 3.60",
		"magento/https://magento.example.com/101 12 A 2.21",
		"magento/https://magento.example.com/101 13 A 0.81",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

package magento_test

import (
	"path/filepath"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

const store = "shop.example.com"

// TestGoldenOrders decodes every order fixture and compares its canonical
// JSON with testdata/golden/<fixture>.
func TestGoldenOrders(t *testing.T) {
	ordertest.GoldenOrders(t, "order-*.json", magento.Decoder{Store: store}.DecodeOrder)
}

// TestGoldenRefunds decodes the credit memos on their own and applies them
// to their order.
func TestGoldenRefunds(t *testing.T) {
	d := magento.Decoder{Store: store}
	o, err := d.DecodeOrder(ordertest.Fixture(t, "order-refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"creditmemo-partial.json", "creditmemo-shaker-and-shipping.json"} {
		r, err := d.DecodeRefund(ordertest.Fixture(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", name), ordertest.Canonical(t, r))
		if o, err = o.ApplyRefund(r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	golden.Check(t, filepath.Join("testdata", "golden", "order-refunded-with-credit-memos.json"), ordertest.Canonical(t, o))
	// What still earns commission: one hoodie (54.00 − 27.00 taken back); the shaker is gone.
	got := normalize.Commissionable(&o)
	if len(got) != 2 || got[0].String() != "27" || got[1].String() != "0" {
		t.Errorf("Commissionable = %v, want [27 0]", got)
	}
	if o.Status != normalize.StatusPartiallyRefunded {
		t.Errorf("status %s, want partially_refunded", o.Status)
	}
}

// TestFullRefundTakesBackTheLineNet: refunding every unit of a line takes
// back exactly the net the order decoded for it.
func TestFullRefundTakesBackTheLineNet(t *testing.T) {
	o, err := magento.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := magento.Decoder{}.DecodeRefund(ordertest.Fixture(t, "creditmemo-shaker-and-shipping.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Items[0].LineID != o.Items[1].LineID || !r.Items[0].Net.Equal(o.Items[1].Net) || !r.Items[0].Tax.Equal(o.Items[1].Tax) {
		t.Errorf("refund line %+v, want line %s net %s tax %s", r.Items[0], o.Items[1].LineID, o.Items[1].Net, o.Items[1].Tax)
	}
}

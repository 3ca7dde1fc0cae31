package magento_test

import (
	"fmt"
	"os"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
)

func ExampleDecoder_DecodeOrder() {
	body, _ := os.ReadFile("testdata/order-tax-exclusive-coupon.json")
	d := magento.Decoder{Store: "shop.example.com", RefKeys: []string{"distributor_ref"}}
	o, err := d.DecodeOrder(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Key(), o.OrderNumber, o.Status, o.Currency, o.DistributorRef)
	for _, l := range o.Items {
		fmt.Println(l.LineID, l.PlatformSKU, l.Qty, "net", l.Net)
	}
	fmt.Println("shipping", o.Shipping, "tax", o.Tax, "total", o.Total)
	// Output:
	// magento/shop.example.com/101 000000101 paid USD D-1001
	// 11 VIT-C-500 2 net 35.98
	// 12 PROT-BAR-12 1 net 22.05
	// 13 SHAKER 1 net 8.1
	// shipping 7.5 tax 5.46 total 79.09
}

func ExampleDecoder_DecodeRefund() {
	d := magento.Decoder{Store: "shop.example.com"}
	orderBody, _ := os.ReadFile("testdata/order-refunded.json")
	memoBody, _ := os.ReadFile("testdata/creditmemo-partial.json")
	o, err := d.DecodeOrder(orderBody)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := d.DecodeRefund(memoBody)
	if err != nil {
		fmt.Println(err)
		return
	}
	if o, err = o.ApplyRefund(r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refund", r.RefundID, "of order", r.OrderID, "takes back", r.Items[0].Net, "from line", r.Items[0].LineID)
	fmt.Println("commissionable now:", normalize.Commissionable(&o))
	// Output:
	// refund 31 of order 301 takes back 27 from line 111
	// commissionable now: [27 13.5]
}

func ExampleVerify() {
	body := []byte(`{"eventName":"sales_order_place_before","data":{"order":{}}}`)
	publicKeyPEM, _ := os.ReadFile("testdata/test_key.pub.pem") // the key your Commerce instance publishes
	err := magento.Verify(body, "bm90IGEgc2lnbmF0dXJl", publicKeyPEM)
	fmt.Println(err)
	// Output:
	// magento: normalize: invalid webhook signature: signature is 15 bytes, want 256 for the key
}

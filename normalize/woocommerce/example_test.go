package woocommerce_test

import (
	"fmt"
	"os"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

func ExampleDecoder_DecodeOrder() {
	body, _ := os.ReadFile("testdata/order-negative-fee.json")
	o, err := woocommerce.Decoder{Store: "shop.example.com", RefFromCoupon: true}.DecodeOrder(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Key(), o.Status, o.DistributorRef)
	for _, l := range o.Items {
		fmt.Println(l.LineID, l.PlatformSKU, l.Gross.StringFixed(2), "−", l.Discount.StringFixed(2), "=", l.Net.StringFixed(2))
	}
	fmt.Println("shipping", o.Shipping, "fees", o.Fees, "total", o.Total)
	// Output:
	// woocommerce/shop.example.com/8120 paid alex-2040
	// 821 GREENS-30 45.00 − 8.56 = 36.44
	// 822 ELEC-TAB 30.00 − 5.70 = 24.30
	// 823 TEA-SLEEP 25.00 − 4.75 = 20.25
	// shipping 5 fees 2.5 total 88.49
}

func ExampleDecoder_ApplyRefund() {
	order, _ := os.ReadFile("testdata/order-partially-refunded.json")
	refund, _ := os.ReadFile("testdata/refund-9210-one-unit.json")
	d := woocommerce.Decoder{Store: "shop.example.com"}
	o, err := d.DecodeOrder(order)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("before:", normalize.Commissionable(&o))
	if o, err = d.ApplyRefund(o, refund); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("after: ", normalize.Commissionable(&o), o.Status)
	// Output:
	// before: [54 18]
	// after:  [24 18] partially_refunded
}

func ExampleIsPing() {
	id, ok := woocommerce.IsPing("application/x-www-form-urlencoded", []byte("webhook_id=17"))
	fmt.Println(id, ok)
	// Output: 17 true
}

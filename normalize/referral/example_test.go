package referral_test

import (
	"fmt"
	"time"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/referral"
)

func ExampleDecoder_DecodeOrder() {
	body := []byte(`{"shopify_order_id": "1234", "sku": "A1123", "customer_id": "5678", "referrer_id": "9012", "amount": 99.00}`)
	d := referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}
	o, err := d.DecodeOrder(body, time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Key(), o.Status, o.DistributorRef, o.Items[0].PlatformSKU, o.Items[0].Net.StringFixed(2), o.Currency)
	fmt.Println(normalize.Commissionable(&o)[0].StringFixed(2))
	// Output:
	// shopify/acme.myshopify.com/1234 paid 9012 A1123 99.00 USD
	// 99.00
}

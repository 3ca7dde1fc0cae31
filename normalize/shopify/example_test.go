package shopify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/shopify"
)

func Example() {
	body, err := os.ReadFile("testdata/order_discounts_tax_exclusive.json")
	if err != nil {
		panic(err)
	}
	secret := "shpss_example"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	header := base64.StdEncoding.EncodeToString(mac.Sum(nil)) // what Shopify sends in X-Shopify-Hmac-Sha256

	if err := shopify.Verify(body, header, secret); err != nil {
		fmt.Println(err)
		return
	}
	d := shopify.Decoder{Store: "acme.myshopify.com"}
	o, err := d.DecodeOrder(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Key(), o.Status, o.DistributorRef)
	for i, net := range normalize.Commissionable(&o) {
		fmt.Println(o.Items[i].PlatformSKU, o.Items[i].Qty, net.StringFixed(2))
	}
	fmt.Println("shipping", o.Shipping, "tax", o.Tax, "total", o.Total)
	// Output:
	// shopify/acme.myshopify.com/5829367209011 paid DIST-778
	// SERUM-30 2 44.10
	// SERUM-30 1 15.10
	// CLEANSER 1 10.80
	// shipping 4 tax 4.63 total 81.63
}

func ExampleDecoder_DecodeRefund() {
	body, err := os.ReadFile("testdata/refund_partial.json")
	if err != nil {
		panic(err)
	}
	r, err := shopify.Decoder{}.DecodeRefund(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("refund", r.RefundID, "of order", r.OrderID, "in", r.Currency)
	for _, l := range r.Items {
		fmt.Println("line", l.LineID, "qty", l.Qty, "net", l.Net.StringFixed(2), "tax", l.Tax.StringFixed(2))
	}
	// Output:
	// refund 930000000001 of order 5829367209044 in USD
	// line 14000000000101 qty 1 net 27.00 tax 2.16
}

func ExampleVerify() {
	err := shopify.Verify([]byte(`{"id":1}`), "", "shpss_example")
	fmt.Println(errors.Is(err, normalize.ErrSignature), err)
	// Output:
	// true shopify: normalize: invalid webhook signature: missing X-Shopify-Hmac-Sha256 header
}

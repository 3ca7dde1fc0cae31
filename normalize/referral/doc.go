// Package referral decodes the simple referral webhook that upline's
// founding article posts to an MLM backend, into a one-line canonical order:
//
//	{"shopify_order_id": "1234", "sku": "A1123", "customer_id": "5678",
//	 "referrer_id": "9012", "amount": 99.00}
//
// The body names the platform through its order-id key
// (shopify_order_id, woocommerce_order_id or magento_order_id; exactly one),
// the SKU sold, the buyer, the referring distributor and the commissionable
// amount: one unit at that price, without tax and shipping, already paid.
// It names no currency and no time, so the Decoder supplies the currency
// and the caller the instant the webhook was received, unless the body
// carries "currency" and "order_ts" itself. That is why, unlike the
// platform packages' DecodeOrder(body), this DecodeOrder takes the
// received instant beside the body: reading the clock here would make the
// same body decode differently run after run. The form has no refunds, so
// there is no DecodeRefund, and no signature, so no Verify.
//
// The form is upline's own, so it is read strictly: an unknown field, a
// key given twice or a key that differs from a field only in case
// ("AMOUNT" for "amount") is refused with ErrMalformed naming its path,
// as is text that is not valid UTF-8, so a misspelt or repeated field
// never silently becomes zero or replaces the real one.
//
//	d := referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}
//	o, err := d.DecodeOrder(body, receivedAt)
package referral

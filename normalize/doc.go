// Package normalize defines the canonical order that every other part of
// upline reads, and the one place that computes what a line earns
// commission on.
//
// A platform decoder (normalize/shopify, normalize/woocommerce,
// normalize/magento, normalize/referral) turns a webhook or API body into
// an Order: lines with platform SKU or variant id, quantity, gross,
// discount, tax and Net; order-level shipping, fees, tax and total; and
// refunds. Money is decimal.Decimal everywhere, never float64; ids are
// strings, so ids above 2^53 survive; instants are UTC.
//
// Every platform package reads the same way: a Decoder value, usable at
// its zero value, with DecodeOrder(body) and DecodeRefund(body); Verify
// and SignatureHeader for the webhook's signature. The referral form is
// the exception that proves the rule: it carries no timestamp, so its
// DecodeOrder takes the instant the webhook was received beside the body.
//
// Net is computed by ComputeNets and nowhere else: gross less every
// discount allocated to the line (including the line's share of order-level
// discounts the platform did not allocate, spread by Allocate's
// largest-remainder rule), without tax even when prices include it, and
// without shipping; errors about an order-level discount name the JSON
// path the decoder read it from. Commissionable then takes refunds into account and
// returns what each line earns now; only paid value earns anything.
//
// Every Order a decoder returns has passed Validate (identity, currency,
// amounts at the currency's minor unit, nets that follow from their parts,
// refunds that never exceed what was bought) and Reconcile (Σ net +
// shipping + fees + tax equals the platform's own total to the minor unit).
// Errors are *Error values that name the order, the line and the JSON path,
// and wrap one of the Err* kinds for errors.Is.
//
// No decoder accepts text that is not valid UTF-8 (encoding/json would
// read it as U+FFFD, making "1\xff" and "1\xfe" one id). The forms upline
// defines itself — the canonical JSON and the referral webhook — are also
// read strictly: an unknown key, a key given twice or a key that differs
// from a field's name only in case is refused with ErrMalformed and its
// path, never matched loosely or let replace the real one.
//
// The canonical JSON form (Order.MarshalJSON, DecodeJSON) writes amounts as
// strings with exactly the currency's minor-unit digits, so the same order
// always encodes to the same bytes:
//
//	o, err := normalize.DecodeJSON(body)
//	if err != nil {
//		var e *normalize.Error
//		errors.As(err, &e) // e.OrderID, e.Line, e.Path say where
//	}
//	nets := normalize.Commissionable(&o)
package normalize

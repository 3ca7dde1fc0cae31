// Package woocommerce turns WooCommerce order webhooks and REST v3 bodies
// into upline's canonical normalize.Order.
//
// Start with a Decoder's DecodeOrder (every platform package reads the
// same: a Decoder with DecodeOrder and DecodeRefund, Verify and
// SignatureHeader). An order.created or order.updated webhook body is the
// same object as GET /wp-json/wc/v3/orders/{id}:
//
//	if err := woocommerce.Verify(body, r.Header.Get(woocommerce.SignatureHeader), secret); err != nil {
//		if _, ping := woocommerce.IsPing(r.Header.Get("Content-Type"), body); ping {
//			return http.StatusOK // the unsigned webhook_id=N ping: acknowledge it
//		}
//		return http.StatusUnauthorized
//	}
//	o, err := woocommerce.Decoder{Store: "shop.example.com"}.DecodeOrder(body)
//
// The zero Decoder works, woocommerce.Decoder{}.DecodeOrder(body). Set
// Store, because WooCommerce bodies do not name their site. Text that is
// not valid UTF-8 is refused (ErrMalformed, with its path) rather than
// read as U+FFFD, so two different SKUs never become one. Refund objects decode
// with DecodeRefund, or better with ApplyRefund, which decodes one against
// its order and returns the order as it stands after it.
//
// # Amounts
//
// Money arrives as strings, except line_items[].price, a JSON float with
// float noise (10.799999999999999): it is never read. Per line:
//
//	Gross    = subtotal (before discounts, without tax)
//	Discount = subtotal − total (the coupons WooCommerce allocated to it)
//	Tax      = total_tax (rounded by WooCommerce; the 6-decimal taxes[] breakdown is not used)
//	Net      = total (after discounts, without tax)
//	UnitPrice = subtotal ÷ quantity (informational; rounded half-up to the minor unit if it does not divide)
//
// subtotal and total exclude tax even when prices_include_tax is true, so
// GrossIncludesTax is always false. coupon_lines are therefore not applied
// again; their codes can name the distributor (see below). The lines'
// subtotal − total must add to discount_total, or the order is refused
// with ErrUnreconciled.
//
// Order figures: Shipping = shipping_total (without tax), Tax = total_tax
// (lines, shipping and fees), Total = total. A fee_line with a positive
// total goes to Fees and never earns commission. A negative fee is a
// discount WooCommerce did not allocate to any line: the negative fees are
// summed and spread over the lines by normalize.ComputeNets in proportion
// to their value, to the cent, and each line's share is added to its
// Discount. Then normalize.Reconcile must hold: Σ Net + Shipping + Fees +
// Tax = total, to the minor unit.
//
// An amount with more digits than the currency's minor unit (a REST
// client asking for dp=4, a shop with more price decimals than its
// currency has) is rounded once, to the minor unit, half away from zero:
// that is PHP's round(), which WooCommerce totals with, so the rounded
// parts add up the way the shop's own total does, or the order is refused
// as unreconciled. Quantities must be whole numbers.
//
// # Lines
//
// LineID is the line item id. PlatformSKU is the sku. VariantID is the
// variation id, or the product id for a simple product: both are WordPress
// post ids, unique in the shop, so two variations that share one SKU are
// still told apart. ProductID is the product id.
//
// Product Bundles and Composite Products write a parent line and one line
// per component. A component names its parent by bundled_by or
// composite_parent (line ids), or by the meta _bundled_by /
// _composite_parent (the parent's _bundle_cart_key / _composite_cart_key).
// WooCommerce's own total is the sum of all their totals, so every amount
// is counted once whichever lines carry it; what must not be counted twice
// is the sale itself. The figures decide:
//
//   - a component with all amounts zero (not priced individually) is
//     left out: its parent line sold it;
//   - a parent with all amounts zero whose components carry amounts
//     (priced per item) is left out: its components are the sales;
//   - lines that both carry amounts (a bundle's base price and a component
//     priced individually) are both kept.
//
// Kept components have ParentLineID set to the parent's line id, also when
// the parent was left out. A standalone line with zero amounts (a free
// sample) is kept.
//
// # Statuses
//
//	WooCommerce            canonical
//	pending                pending (awaiting payment)
//	on-hold                pending (awaiting payment confirmation)
//	checkout-draft, draft  pending (the block checkout's draft)
//	processing             paid, or partially_refunded if it has refunds
//	completed              paid, or partially_refunded if it has refunds
//	refunded               refunded
//	cancelled              cancelled
//	trash                  cancelled (the merchant deleted it)
//	failed                 voided (the payment failed: nothing was paid)
//
// A "wc-" prefix is ignored. Other statuses (plugins add their own) are
// refused with ErrInvalid unless Decoder.Statuses maps them.
//
// # Times
//
// OrderTS = date_created_gmt: when the buyer placed the order, the instant
// the genealogy is read at (date_paid is null for cash on delivery and
// bank transfers, and would move an order's placement to whenever the
// money cleared). Version = date_modified_gmt, or date_created_gmt when
// absent. The *_gmt fields carry no zone and are UTC; date_created and
// date_modified are the site's local time without a zone, and are never
// used.
//
// # Refunds
//
// An order's refunds list gives only id, reason and a negative total. Each
// becomes an amount-only Refund (Amount = −total, TS = the order's Version,
// no lines): the money returned is on the record, and the order's status
// says partially_refunded or refunded. Such a refund takes back no line's
// net — WooCommerce does not say which lines it was for, and spreading it
// pro rata would claw back commission on lines that were never returned
// while the total also covers tax and shipping in unknown parts. A
// refunded order earns nothing at all (normalize.Commissionable). For a
// partially refunded order the refund objects
// (GET /wp-json/wc/v3/orders/{id}/refunds) say which lines: pass each to
// ApplyRefund, which replaces the amount-only refund of the same id by the
// refund with its lines. Until then the commission stays on the lines,
// and the amount-only refund in the order is the explanation.
//
// A refund object's amount is positive; its line items have negative
// quantities and totals and name the order line in the meta
// _refunded_item_id. DecodeRefund turns them positive: Qty = −quantity,
// Net = −total (after discounts, without tax), Tax = −total_tax, Shipping
// = −Σ shipping_lines[].total. Refunded fees are not read: fees never
// earned commission. The order id comes from Decoder.OrderID, else the
// body's order_id or parent_id, else its _links.up href; the currency from
// Decoder.Currency, else the body (refund objects do not carry one).
// ApplyRefund fills both from the order.
//
// ApplyRefund also keeps refund nets consistent with the order's line
// nets. A line's Net can be below WooCommerce's line total, by its share
// of a negative fee; the canonical line does not keep that share, so a
// refund cannot be scaled by it. Instead each refund line takes back
// WooCommerce's refunded total capped at what is left of the line's Net,
// and the refund that returns the line's last unit takes back exactly
// what is left. A full refund so takes back exactly the line's Net, and
// refunds never take back more; a partial refund of such a line takes
// back its share of the fee early (order 9200 in testdata: the first of
// two units takes back 30.00, the second the remaining 24.00).
//
// # Attribution
//
// DistributorRef is found with normalize.FindRef under Decoder.RefKeys
// (nil: normalize.DefaultRefKeys()), looking in this order:
//
//  1. the order's meta_data (where checkout fields and referral plugins
//     store it);
//  2. each line's meta_data, in line order (product add-on fields);
//  3. with Decoder.RefFromCoupon, the first coupon code.
//
// Meta keys match case-insensitively, and a key with WordPress's leading
// underscore for hidden meta matches without it ("_distributor_ref"
// matches "distributor_ref"). Only string and number values are read.
// WooCommerce's own Order Attribution meta (_wc_order_attribution_*) is
// not a distributor reference by default: name one of its keys in RefKeys
// to use it. CustomerRef is customer_id, empty for guests (0).
//
// # Currency
//
// WooCommerce core keeps one currency per order, the order's currency, and
// every amount is in it: that is Currency, and there is no presentment
// currency beside it. Multi-currency plugins place orders in the buyer's
// currency and keep no exact figures in the shop's. When
// Decoder.ShopCurrency is set, or the WooPayments meta
// _wcpay_multi_currency_order_default_currency names the shop's currency,
// an order in another currency is refused with ErrUnsupported rather than
// paid in a currency the plan does not expect.
//
// # Webhooks
//
// Verify checks X-WC-Webhook-Signature: base64(HMAC-SHA256(secret, raw
// body)), compared in constant time. A new webhook first sends an unsigned
// form-encoded webhook_id=N ping that must get 200: IsPing recognises it,
// and DecodeOrder refuses it with ErrUnsupported. WooCommerce retries
// little and disables a webhook after repeated failures, so reconcile
// against the REST API rather than rely on every delivery.
//
// Errors are *normalize.Error values naming the order, the line and the
// JSON path (such as "line_items[1].quantity"), wrapping one of the
// normalize.Err* kinds.
package woocommerce

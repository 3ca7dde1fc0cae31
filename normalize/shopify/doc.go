// Package shopify turns Shopify webhook bodies into upline's canonical
// order, and checks that they really came from Shopify.
//
// Start with Verify on the raw body, then a Decoder's DecodeOrder for the
// topics orders/create, orders/paid, orders/updated and orders/cancelled,
// or its DecodeRefund for refunds/create (every platform package reads
// the same: a Decoder with DecodeOrder and DecodeRefund, Verify and
// SignatureHeader):
//
//	if err := shopify.Verify(body, r.Header.Get(shopify.SignatureHeader), secret); err != nil {
//		return err // errors.Is(err, normalize.ErrSignature)
//	}
//	d := shopify.Decoder{Store: r.Header.Get("X-Shopify-Shop-Domain")}
//	o, err := d.DecodeOrder(body)
//
// The zero Decoder works, shopify.Decoder{}.DecodeOrder(body); its fields
// name the order key's store, the attribution keys and, for refunds decoded
// on their own, whether the shop's prices include tax. Every order returned
// has passed normalize.Validate and normalize.Reconcile: its lines' nets,
// shipping, fees and tax add up to Shopify's total_price to the cent.
// Errors are *normalize.Error values naming the order, the line and the
// JSON path. Text that is not valid UTF-8 is refused (ErrMalformed, with
// its path) rather than read as U+FFFD, so two different ids or SKUs
// never become one.
//
// # Amounts
//
// All amounts are shop money (currency): the unsuffixed fields. The buyer's
// currency and total_price_set.presentment_money are kept beside them in
// PresentmentCurrency and PresentmentTotal when the two currencies differ;
// the two conversions do not agree to the cent, so they are never mixed.
// Money strings must carry no more digits than the currency's minor unit
// (Shopify formats them so; anything else is refused with ErrInvalid,
// never rounded). The one exception is refund_line_items[].subtotal and
// total_tax, JSON numbers serialised from binary floats: the exact
// subtotal_set / total_tax_set shop money is preferred, and only when it is
// absent is the number rounded once, half-up, to the minor unit, because
// digits beyond it are float noise. Ids stay exact text, above 2^53 too.
//
// A line's figures are Shopify's own: UnitPrice is price, Gross is price ×
// quantity, Discount is the sum of its discount_allocations (total_discount
// is often "0.00" while allocations exist, so it is read only from bodies
// older than discount_allocations), Tax is the sum of its tax_lines. With
// taxes_included, GrossIncludesTax is set and Net leaves the tax out.
// Shipping is each shipping line's discounted_price (price less its
// discount_allocations: shipping discounts never touch lines), without its
// tax_lines when prices include tax; shipping tax joins Order.Tax, which
// must equal total_tax. Tips (total_tip_received), duties and additional
// fees (original_total_*_set) are Fees. Current Shopify allocates every
// discount; a part of total_discounts that no line or shipping line carries
// (bodies from before API 2019-04) is spread over the lines by
// normalize.ComputeNets only when subtotal_price confirms it.
//
// # Quantities and refunds
//
// Qty is quantity, what was ordered, never current_quantity: units that
// left the order are refunds[].refund_line_items, and counting them in both
// would claw back twice. current_quantity is used only as a check: it must
// equal quantity less the units refunded (edits that remove units create
// refund lines with restock_type "cancel"), except on cancelled orders.
// Totals are likewise the original total_price, never current_total_price.
//
// A refund line takes back its subtotal (the units' price less their
// discounts, shop money) less total_tax when prices include tax, less its
// units' share of any spread order discount. Transactions (money moved) and
// order_adjustments (discrepancies) claw nothing back. When refunds take
// back every unit of a line, their subtotals must add up to the line's
// price × quantity less its allocations, so a full refund takes back
// exactly the line's Net; otherwise the body is refused with
// ErrUnreconciled. Refund.Shipping is refund_shipping_lines, else (before
// API 2024-10) the shipping_refund order adjustments; Refund.Amount is the
// successful refund transactions, zero when they are in the buyer's
// currency. Refund.TS is created_at (processed_at when absent): the
// platform's own record time, since Order.ApplyRefund moves Version up to
// it.
//
// # Statuses and times
//
//	financial_status / cancelled_at   canonical status
//	cancelled_at set (any status)     cancelled
//	pending                           pending
//	authorized                        pending (nothing captured yet)
//	partially_paid                    pending (only paid value earns)
//	paid                              paid
//	partially_refunded                partially_refunded
//	refunded                          refunded
//	voided                            voided
//	expired                           voided (the authorization lapsed)
//	anything else                     refused with ErrInvalid
//
// Version is updated_at. OrderTS is processed_at, falling back to
// created_at: processed_at is when the sale happened (for orders imported
// from elsewhere, the original date) and is what Shopify's own reports use,
// while created_at is when the record was made. Apps can set processed_at
// in the past, so an operator who does not trust the apps on a shop should
// compare it with created_at. All instants are UTC.
//
// # Lines that are not plain products
//
// No line is ever skipped. Product variants are lines with their own
// variant_id, also when variants share a SKU. Shopify Bundles report each
// component as a line carrying its own amounts (sales_line_item_group_id
// names the bundle, which is not a line itself), so components are kept as
// they are and ParentLineID stays empty. Free gifts are lines whose
// allocations equal their gross: Net 0. Custom line items with neither sku
// nor variant_id cannot be mapped and are refused (ErrMissing). Gift card
// lines are kept; their variant's catalog entry decides whether they earn.
//
// # Attribution
//
// DistributorRef is taken, with normalize.FindRef and Decoder.RefKeys
// (normalize.DefaultRefKeys when nil), from:
//
//  1. note_attributes (name/value pairs a referral app or the cart wrote);
//  2. the query parameters of landing_site, the first page the buyer
//     opened ("/?ref=ABC", a full URL, or a hash route), in order.
//
// The first source with a match wins, whatever the key's rank in the other.
// CustomerRef is customer.id. Store is Decoder.Store: bodies do not name
// their shop (the X-Shopify-Shop-Domain header does).
package shopify

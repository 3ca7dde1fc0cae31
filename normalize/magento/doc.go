// Package magento turns Magento 2 / Adobe Commerce orders and credit memos
// into upline's canonical normalize.Order and normalize.Refund, and verifies
// Adobe Commerce webhook signatures.
//
// Start with a Decoder's DecodeOrder on the body of GET /V1/orders/{id} (or
// of an Adobe Commerce webhook that carries an order), and its DecodeRefund
// on a credit memo, Magento's record of a refund. Every platform package
// reads the same: a Decoder with DecodeOrder and DecodeRefund, Verify and
// SignatureHeader; Magento's Verify takes the published public key, not a
// shared secret:
//
//	d := magento.Decoder{Store: "https://shop.example.com"}
//	o, err := d.DecodeOrder(body)
//	if err != nil {
//		var e *normalize.Error
//		errors.As(err, &e) // e.OrderID, e.Line, e.Path say where
//	}
//
// The zero Decoder works too, magento.Decoder{}.DecodeOrder(body); Store is
// the key's store, since Magento bodies do not name their installation, and
// RefKeys the attribute names the distributor reference is read from. Every
// order returned has passed normalize.Validate and normalize.Reconcile.
// Text that is not valid UTF-8 is refused (ErrMalformed, with its path)
// rather than read as U+FFFD, so two different SKUs never become one.
//
// # Identity and time
//
// PlatformOrderID is entity_id: the key of GET /V1/orders/{id}, stable
// across every revision of one order, new for the order an edit creates,
// and the order_id a credit memo names. OrderNumber is increment_id, the
// number people see. An edited order (Magento cancels the original and
// creates "000000013-1") sets ReplacesOrderID to relation_parent_id, the
// original's entity_id. An edit recognised only by relation_parent_real_id
// or by an increment number of the form digits-dash-digits is refused with
// ErrMissing: its original can be named only by entity id, and a
// replacement must never pass for a second sale. Custom increment formats
// with dashes of their own are not mistaken for edits.
//
// OrderTS is created_at, when the order was placed: the instant genealogy
// and catalog are read at. Version is updated_at (created_at when absent).
// Magento writes both in UTC without a zone; they are read as UTC.
//
// # Status
//
// The status comes from state, Magento's fixed state machine (status is a
// label a store can rename); a body without state falls back to the default
// status of the same name.
//
//	state            canonical status
//	new              pending
//	pending_payment  pending
//	payment_review   pending  (also status "fraud")
//	holded           pending  (on hold: earns nothing until released)
//	processing       paid, or partially_refunded when base_total_refunded > 0
//	complete         paid, or partially_refunded when base_total_refunded > 0
//	closed           refunded
//	canceled         cancelled
//
// Magento has no separate void: a voided payment cancels the order, so
// voided is never produced. Any other state is ErrInvalid. An order that
// stands (not canceled) with cancelled units on a counted line (a partial
// cancellation) is refused with ErrUnsupported rather than paid in full.
//
// # Money
//
// Amounts are JSON numbers, read exactly (never through float64). The
// decoder uses the base_* amounts, in base_currency_code, the store's own
// currency; when order_currency_code differs it is kept beside them as
// PresentmentCurrency with grand_total as PresentmentTotal.
//
// Magento rounds stored amounts to two decimals whatever the currency, so a
// currency with fewer digits (JPY, KRW) can carry fractions of its minor
// unit (10% tax on ¥1234 is 123.4): such amounts are rounded half-up to the
// minor unit, once, when read, and Reconcile then proves the rounded parts
// still add up to the rounded total. An amount with more digits than its
// currency allows in any other case did not come from core Magento and is
// refused (ErrInvalid). Unit prices are kept exactly as sent (Magento keeps
// four decimals there).
//
// # Lines
//
// Items with a parent_item_id belong to their parent, and exactly one side
// of each family is counted: whichever carries base amounts.
//   - Configurable products: the parent carries price, totals, tax and
//     discount; the child repeats the SKU with zero base amounts. The parent
//     is the line; the child is left out, but names the variant bought:
//     the line's PlatformSKU is the child's SKU (the real variant SKU; core
//     Magento writes the same on the parent) and its VariantID the child's
//     product_id, while ProductID stays the configurable product's.
//   - Dynamic bundles: the children carry the amounts and are the lines,
//     with ParentLineID naming the bundle; the parent, which restates their
//     sum, is left out.
//   - Fixed bundles: the parent carries the amounts and is the line; the
//     children, at zero, are left out (kits are expanded by the catalog).
//
// A family where both sides carry amounts (other than a bundle) is refused
// with ErrInvalid, since counting both would count the product twice.
//
// A line's Gross is its row total before discount. Core Magento writes
// base_row_total before discount; some installations write it after. The
// body decides: the counted rows must sum to base_subtotal either as they
// are or with their base_discount_amount added back, else ErrUnreconciled.
// Discount is the item's base_discount_amount (positive, allocated by
// Magento), Tax its base_tax_amount.
//
// When a discount was applied to prices that include tax, Magento records
// the tax part of it as a discount tax compensation. If any counted line
// has one, the order's GrossIncludesTax is set and each line states gross
// and discount with tax: Gross = row total + tax + compensation, UnitPrice
// = base_price_incl_tax, Discount = base_discount_amount. Net (always
// without tax) is then row total − discount + compensation either way.
//
// The order-level base_discount_amount is negative and holds the items'
// discounts plus the shipping discount. Shipping is base_shipping_amount −
// base_shipping_discount_amount + the shipping discount tax compensation.
// What the order-level discount holds beyond the items and shipping
// (discounts of extensions that do not allocate; core Magento leaves none)
// is spread over the lines by normalize.ComputeNets; an order-level
// discount smaller than the items' and shipping's is ErrUnreconciled.
//
// Total is base_grand_total plus the Adobe Commerce tenders that lower it
// without discounting the goods: gift cards (base_gift_cards_amount), store
// credit (base_customer_balance_amount) and reward points
// (base_reward_currency_amount). Magento has no fees; Fees is zero.
//
// When total_qty_ordered is present, the top-level items must add up to it:
// documentation samples that elide items are refused with ErrMissing.
//
// # Refunds
//
// A Magento order entity does not embed its refunds: they are credit memos.
// DecodeRefund decodes a credit memo, GET /V1/creditmemo/{id}, into a normalize.Refund
// whose OrderID is the memo's order_id (the order's entity_id) and RefundID
// its entity_id; apply it with normalize.Order.ApplyRefund. An order whose
// status says it was partly refunded pays on its full nets until its credit
// memos are applied.
//
// Each memo item names the order item it refunds (order_item_id, the
// LineID), its quantity, the net it takes back (row total − discount +
// discount tax compensation, the same formula as the order line's, so a
// full refund of a line takes back exactly its net) and its tax. Items
// without base_row_total are Magento's dummy items (configurable children,
// dynamic bundle parents), which carry no totals, and are left out, as are
// items listed with zero quantity and zero amounts. Shipping is
// base_shipping_amount; Amount is base_grand_total. Adjustment refunds and
// fees (adjustment_positive, adjustment_negative) are money, not goods, and
// take back no commission. A cancelled credit memo (state 3) is
// ErrUnsupported.
//
// # Distributor reference
//
// DistributorRef is found with normalize.FindRef among, in this order: the
// order's extension_attributes (string and number members), its
// custom_attributes ([{"attribute_code", "value"}]), and the Adobe Commerce
// webhook form custom_attributes_serializable ({"name": "value"}). FindRef
// tries each key in turn over all of them, so the most specific key wins
// whatever its source; for one key, the earlier source wins. CustomerRef is
// customer_id, empty for guests.
//
// # Other bodies
//
// DecodeOrder accepts the bare REST entity and the Adobe Commerce webhook
// forms {"order": {...}} and {"data": {"order": {...}}} (error paths then
// start with "order." or "data.order."). Invoices, credit memos, shipments,
// refund requests and search results are refused with ErrUnsupported;
// DecodeRefund likewise refuses invoices, orders and refund requests.
//
// # Signatures
//
// Adobe Commerce can sign webhook bodies: the x-adobe-commerce-webhook-signature
// header holds the base64 RSA PKCS #1 v1.5 signature of SHA-256 over the raw
// body, checked with the public key the merchant's instance publishes.
// Verify takes the PEM; ParsePublicKey and VerifyKey parse it once for many
// bodies. Verify the raw body before decoding it.
package magento

package magento

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// order is the part of a REST sales order entity (GET /V1/orders/{id})
// the decoder reads. Every amount is a wire.Num and every id a wire.ID, so
// nothing passes through float64.
type order struct {
	EntityID    wire.ID `json:"entity_id"`
	IncrementID wire.ID `json:"increment_id"`
	// State and Status are wire.IDs because invoices and credit memos carry
	// integer states: a body of the wrong kind must be recognised, not
	// rejected as malformed.
	State  wire.ID `json:"state"`
	Status wire.ID `json:"status"`

	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`

	BaseCurrencyCode  string   `json:"base_currency_code"`
	OrderCurrencyCode string   `json:"order_currency_code"`
	BaseGrandTotal    wire.Num `json:"base_grand_total"`
	GrandTotal        wire.Num `json:"grand_total"`
	BaseSubtotal      wire.Num `json:"base_subtotal"`
	BaseDiscount      wire.Num `json:"base_discount_amount"`
	BaseTax           wire.Num `json:"base_tax_amount"`
	BaseShipping      wire.Num `json:"base_shipping_amount"`
	BaseShipDiscount  wire.Num `json:"base_shipping_discount_amount"`
	// Magento's column name is truncated to fit MySQL's identifier limit;
	// the REST field keeps the truncation.
	BaseShipDiscountComp     wire.Num `json:"base_shipping_discount_tax_compensation_amnt"`
	BaseShipDiscountCompLong wire.Num `json:"base_shipping_discount_tax_compensation_amount"`
	BaseTotalRefunded        wire.Num `json:"base_total_refunded"`
	// Adobe Commerce tenders: gift cards, store credit and reward points pay
	// for the order and lower grand_total; they do not discount it.
	BaseGiftCards       wire.Num `json:"base_gift_cards_amount"`
	BaseCustomerBalance wire.Num `json:"base_customer_balance_amount"`
	BaseRewardCurrency  wire.Num `json:"base_reward_currency_amount"`
	TotalQtyOrdered     wire.Num `json:"total_qty_ordered"`

	RelationParentID     wire.ID `json:"relation_parent_id"`
	RelationParentRealID wire.ID `json:"relation_parent_real_id"`

	CustomerID      wire.ID  `json:"customer_id"`
	CustomerIsGuest wire.Num `json:"customer_is_guest"`

	Items []item `json:"items"`

	ExtensionAttributes          json.RawMessage `json:"extension_attributes"`
	CustomAttributes             []customAttr    `json:"custom_attributes"`
	CustomAttributesSerializable json.RawMessage `json:"custom_attributes_serializable"`

	// Shapes that are not orders, recognised so they can be refused as
	// ErrUnsupported rather than mistaken for an incomplete order.
	OrderID        json.RawMessage `json:"order_id"`
	Arguments      json.RawMessage `json:"arguments"`
	SearchCriteria json.RawMessage `json:"search_criteria"`
}

// item is one sales order item.
type item struct {
	ItemID       wire.ID `json:"item_id"`
	ParentItemID wire.ID `json:"parent_item_id"`
	SKU          string  `json:"sku"`
	Name         string  `json:"name"`
	ProductID    wire.ID `json:"product_id"`
	ProductType  string  `json:"product_type"`

	QtyOrdered  wire.Num `json:"qty_ordered"`
	QtyCanceled wire.Num `json:"qty_canceled"`

	BasePrice        wire.Num `json:"base_price"`
	BasePriceInclTax wire.Num `json:"base_price_incl_tax"`
	BaseRowTotal     wire.Num `json:"base_row_total"`
	BaseDiscount     wire.Num `json:"base_discount_amount"`
	BaseTax          wire.Num `json:"base_tax_amount"`
	BaseDiscountComp wire.Num `json:"base_discount_tax_compensation_amount"`

	OrderItemID json.RawMessage `json:"order_item_id"` // marks an invoice or credit memo item
}

// customAttr is the EAV form Magento uses for custom attributes.
type customAttr struct {
	AttributeCode string          `json:"attribute_code"`
	Value         json.RawMessage `json:"value"`
}

// creditMemo is the part of a REST credit memo (GET /V1/creditmemo/{id})
// the decoder reads.
type creditMemo struct {
	EntityID         wire.ID  `json:"entity_id"`
	OrderID          wire.ID  `json:"order_id"`
	State            wire.ID  `json:"state"`
	CreatedAt        string   `json:"created_at"`
	BaseCurrencyCode string   `json:"base_currency_code"`
	BaseSubtotal     wire.Num `json:"base_subtotal"`
	BaseGrandTotal   wire.Num `json:"base_grand_total"`
	BaseShipping     wire.Num `json:"base_shipping_amount"`

	Items []memoItem `json:"items"`

	// Credit memo markers: only credit memos carry adjustments.
	CreditmemoStatus       json.RawMessage `json:"creditmemo_status"`
	Adjustment             json.RawMessage `json:"adjustment"`
	AdjustmentPositive     json.RawMessage `json:"adjustment_positive"`
	AdjustmentNegative     json.RawMessage `json:"adjustment_negative"`
	BaseAdjustment         json.RawMessage `json:"base_adjustment"`
	BaseAdjustmentPositive json.RawMessage `json:"base_adjustment_positive"`
	BaseAdjustmentNegative json.RawMessage `json:"base_adjustment_negative"`

	// Shapes that are not credit memos.
	CanVoidFlag json.RawMessage `json:"can_void_flag"`
	TotalQty    json.RawMessage `json:"total_qty"`
	Arguments   json.RawMessage `json:"arguments"`
	IncrementID json.RawMessage `json:"increment_id"`
}

type memoItem struct {
	OrderItemID      wire.ID  `json:"order_item_id"`
	SKU              string   `json:"sku"`
	Qty              wire.Num `json:"qty"`
	BaseRowTotal     wire.Num `json:"base_row_total"`
	BaseDiscount     wire.Num `json:"base_discount_amount"`
	BaseTax          wire.Num `json:"base_tax_amount"`
	BaseDiscountComp wire.Num `json:"base_discount_tax_compensation_amount"`
}

// envelope recognises the bodies Adobe Commerce webhooks send: the
// observer form {"eventName": ..., "data": {"order": {...}}} and the plugin
// form {"order": {...}}.
type envelope struct {
	Order json.RawMessage `json:"order"`
	Data  *struct {
		Order json.RawMessage `json:"order"`
	} `json:"data"`
}

// present reports whether a raw field was in the body with a non-null value.
func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// reader turns wire values into canonical ones at the currency's minor
// unit, keeping the first error with where it is.
type reader struct {
	wire.Reader
	digits int32
}

func newReader(orderID, prefix string) *reader {
	return &reader{Reader: wire.Reader{Platform: normalize.Magento, OrderID: orderID, Prefix: prefix}}
}

// exact reads a non-negative amount exactly as sent, whatever its digits
// (unit prices keep Magento's four decimals).
func (r *reader) exact(line string, path func() string, n wire.Num) decimal.Decimal {
	d := r.Decimal(line, path, n)
	if d.IsNegative() {
		r.Fail(line, path(), fmt.Errorf("%w: negative amount %s", normalize.ErrInvalid, n.Raw()))
		return decimal.Zero
	}
	return d
}

// amount reads a non-negative amount at the currency's minor unit; see
// minor for digits beyond it.
func (r *reader) amount(line string, path func() string, n wire.Num) decimal.Decimal {
	return r.minor(line, path, r.exact(line, path, n))
}

// signed reads an amount that may be negative, at the minor unit.
func (r *reader) signed(line string, path func() string, n wire.Num) decimal.Decimal {
	return r.minor(line, path, r.Decimal(line, path, n))
}

// minor holds d to the currency's minor unit. Magento rounds every stored
// amount to two decimals whatever the currency (PriceCurrency::round), so
// a currency with fewer digits (JPY, KRW) can carry fractions of its minor
// unit: those are rounded half-up, once, here. Any other amount with more
// digits than its currency allows did not come from core Magento and is
// refused.
func (r *reader) minor(line string, path func() string, d decimal.Decimal) decimal.Decimal {
	if d.Shift(r.digits).IsInteger() {
		return d
	}
	if r.digits < 2 && d.Shift(2).IsInteger() {
		return d.Round(r.digits)
	}
	r.Fail(line, path(), fmt.Errorf("%w: amount %s has more digits than the currency's minor unit (%d)", normalize.ErrInvalid, d, r.digits))
	return decimal.Zero
}

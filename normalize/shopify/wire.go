package shopify

import "github.com/uplinehq/upline/normalize/internal/wire"

// The JSON shapes this package reads: only the fields the canonical order
// needs, so decoding skips the rest of a webhook body (addresses, client
// details, fulfillments) without building anything for it. Amounts and ids
// are wire.Num and wire.ID, never float64.

// money is one side of a Shopify *_set: an amount and its currency.
type money struct {
	Amount       wire.Num `json:"amount"`
	CurrencyCode string   `json:"currency_code"`
}

// moneySet is a Shopify *_set: the amount in the shop's currency and in the
// currency the buyer saw.
type moneySet struct {
	Shop        money `json:"shop_money"`
	Presentment money `json:"presentment_money"`
}

type orderBody struct {
	ID                  wire.ID  `json:"id"`
	Name                string   `json:"name"`
	OrderNumber         wire.ID  `json:"order_number"`
	Currency            string   `json:"currency"`
	PresentmentCurrency string   `json:"presentment_currency"`
	TaxesIncluded       bool     `json:"taxes_included"`
	FinancialStatus     string   `json:"financial_status"`
	CancelledAt         string   `json:"cancelled_at"`
	CreatedAt           string   `json:"created_at"`
	ProcessedAt         string   `json:"processed_at"`
	UpdatedAt           string   `json:"updated_at"`
	TotalPrice          wire.Num `json:"total_price"`
	TotalPriceSet       moneySet `json:"total_price_set"`
	SubtotalPrice       wire.Num `json:"subtotal_price"`
	TotalDiscounts      wire.Num `json:"total_discounts"`
	TotalTax            wire.Num `json:"total_tax"`
	TotalTipReceived    wire.Num `json:"total_tip_received"`
	// Duties and additional fees as charged when the order was placed; the
	// current_* variants change with refunds, which Refunds already say.
	OriginalTotalDutiesSet         moneySet    `json:"original_total_duties_set"`
	OriginalTotalAdditionalFeesSet moneySet    `json:"original_total_additional_fees_set"`
	LandingSite                    string      `json:"landing_site"`
	NoteAttributes                 []attribute `json:"note_attributes"`
	Customer                       struct {
		ID wire.ID `json:"id"`
	} `json:"customer"`
	LineItems     []lineItem     `json:"line_items"`
	ShippingLines []shippingLine `json:"shipping_lines"`
	Refunds       []refundBody   `json:"refunds"`

	// Order holds the body of the Admin REST API's {"order": {...}}.
	Order *orderBody `json:"order"`
	// RefundLineItems tells a refund body handed to DecodeOrder apart.
	RefundLineItems []refundLineItem `json:"refund_line_items"`
}

type attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type lineItem struct {
	ID              wire.ID  `json:"id"`
	VariantID       wire.ID  `json:"variant_id"`
	ProductID       wire.ID  `json:"product_id"`
	SKU             string   `json:"sku"`
	Name            string   `json:"name"`
	Quantity        wire.Num `json:"quantity"`
	CurrentQuantity wire.Num `json:"current_quantity"`
	Price           wire.Num `json:"price"`
	// TotalDiscount is read only from bodies older than
	// discount_allocations (API 2019-04); see lineDiscount.
	TotalDiscount       wire.Num      `json:"total_discount"`
	DiscountAllocations *[]allocation `json:"discount_allocations"`
	TaxLines            []taxLine     `json:"tax_lines"`
}

type allocation struct {
	Amount wire.Num `json:"amount"`
}

type taxLine struct {
	Price wire.Num `json:"price"`
}

type shippingLine struct {
	Price               wire.Num     `json:"price"`
	DiscountedPrice     wire.Num     `json:"discounted_price"`
	DiscountAllocations []allocation `json:"discount_allocations"`
	TaxLines            []taxLine    `json:"tax_lines"`
}

type refundBody struct {
	ID                  wire.ID              `json:"id"`
	OrderID             wire.ID              `json:"order_id"`
	CreatedAt           string               `json:"created_at"`
	ProcessedAt         string               `json:"processed_at"`
	RefundLineItems     []refundLineItem     `json:"refund_line_items"`
	RefundShippingLines []refundShippingLine `json:"refund_shipping_lines"`
	OrderAdjustments    []orderAdjustment    `json:"order_adjustments"`
	Transactions        []transaction        `json:"transactions"`

	// Refund holds the body of the Admin REST API's {"refund": {...}}.
	Refund *refundBody `json:"refund"`
	// LineItems tells an order body handed to DecodeRefund apart.
	LineItems []lineItem `json:"line_items"`
}

type refundLineItem struct {
	ID          wire.ID  `json:"id"`
	LineItemID  wire.ID  `json:"line_item_id"`
	Quantity    wire.Num `json:"quantity"`
	Subtotal    wire.Num `json:"subtotal"`
	TotalTax    wire.Num `json:"total_tax"`
	SubtotalSet moneySet `json:"subtotal_set"`
	TotalTaxSet moneySet `json:"total_tax_set"`
	// LineItem is the refunded order line as Shopify embeds it; a refund
	// decoded on its own checks full refunds against it.
	LineItem *refundedLine `json:"line_item"`
}

type refundedLine struct {
	Quantity            wire.Num      `json:"quantity"`
	Price               wire.Num      `json:"price"`
	TotalDiscount       wire.Num      `json:"total_discount"`
	DiscountAllocations *[]allocation `json:"discount_allocations"`
}

type refundShippingLine struct {
	SubtotalAmountSet moneySet `json:"subtotal_amount_set"`
}

type orderAdjustment struct {
	Kind      string   `json:"kind"`
	Amount    wire.Num `json:"amount"`
	AmountSet moneySet `json:"amount_set"`
}

type transaction struct {
	Kind     string   `json:"kind"`
	Status   string   `json:"status"`
	Amount   wire.Num `json:"amount"`
	Currency string   `json:"currency"`
}

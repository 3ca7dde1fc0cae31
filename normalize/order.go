package normalize

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/fixedpoint"
)

// Platform names the system an order came from.
type Platform string

// The platforms upline decodes. Canonical JSON may carry any non-empty
// platform name; these are the ones with decoders in this module.
const (
	Shopify     Platform = "shopify"
	WooCommerce Platform = "woocommerce"
	Magento     Platform = "magento"
)

// Status is the commission-relevant state of an order. Only paid value
// earns commission.
type Status string

// The canonical statuses.
const (
	StatusPending           Status = "pending"
	StatusPaid              Status = "paid"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
	StatusCancelled         Status = "cancelled"
	StatusVoided            Status = "voided"
)

// Valid reports whether s is one of the canonical statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusPaid, StatusPartiallyRefunded, StatusRefunded, StatusCancelled, StatusVoided:
		return true
	}
	return false
}

// Key identifies an order across revisions: the same key with a newer
// Version is a revision of the same order.
type Key struct {
	Platform Platform
	Store    string
	OrderID  string
}

// String renders the key as platform/store/order, the form used in errors
// and logs.
func (k Key) String() string {
	return string(k.Platform) + "/" + k.Store + "/" + k.OrderID
}

// Order is one revision of a platform order in canonical form. Amounts are
// in the shop's own (base) currency; the currency the buyer saw is kept
// beside it in PresentmentCurrency and PresentmentTotal, never mixed in.
//
// The zero Order is not valid; decoders return orders that have passed
// Validate and Reconcile.
type Order struct {
	Platform        Platform
	Store           string
	PlatformOrderID string
	OrderNumber     string
	// ReplacesOrderID names the order this one replaces when a platform
	// edits an order by cancelling it and creating a successor (Magento's
	// "000000013-1"). It is a replacement, not a second sale.
	ReplacesOrderID string
	// Version orders revisions of the same order: the platform's
	// updated-at instant. An older revision must never undo a newer one.
	Version time.Time
	// OrderTS is when the order was placed: the instant the genealogy and
	// the catalog are read at.
	OrderTS  time.Time
	Status   Status
	Currency string
	// PresentmentCurrency and PresentmentTotal are what the buyer saw when
	// it differs from the shop currency. Informational only.
	PresentmentCurrency string
	PresentmentTotal    decimal.Decimal

	DistributorRef string
	CustomerRef    string

	// GrossIncludesTax reports that each line's Gross and Discount include
	// the line's Tax, as in shops whose prices include tax. Net never does.
	GrossIncludesTax bool

	Items []Line

	// Shipping is what the buyer paid for shipping after shipping
	// discounts, without tax. It never earns commission.
	Shipping decimal.Decimal
	// Fees are positive surcharges (handling, tips, duties), without tax.
	// They never earn commission. Negative fees are discounts and are
	// spread over the lines instead.
	Fees decimal.Decimal
	// Tax is all tax on the order: lines, shipping and fees.
	Tax decimal.Decimal
	// Total is the platform's own grand total. Reconcile checks that
	// Σ Net + Shipping + Fees + Tax equals it to the minor unit.
	Total decimal.Decimal

	Refunds []Refund
}

// Key returns the order's identity across revisions.
func (o *Order) Key() Key {
	return Key{Platform: o.Platform, Store: o.Store, OrderID: o.PlatformOrderID}
}

// Discount is the sum of every line's discount: what the order's
// merchandise was discounted by, including order-level discounts spread
// over the lines. Shipping discounts are not part of it.
func (o *Order) Discount() decimal.Decimal {
	sum := decimal.Zero
	for i := range o.Items {
		sum = fixedpoint.Add(sum, o.Items[i].Discount)
	}
	return sum
}

// Line is one order line. Exactly one of PlatformSKU and VariantID may be
// empty: lines are mapped by SKU or variant id, never by name.
type Line struct {
	LineID      string
	PlatformSKU string
	VariantID   string
	ProductID   string
	// ParentLineID links a bundle or kit component to its parent line when
	// the platform reports both; only lines that carry amounts are kept.
	ParentLineID string
	// Name is the product title, for people only. Nothing maps by it.
	Name string
	Qty  int64
	// UnitPrice is the platform's unit price before discounts, on the same
	// tax basis as Gross.
	UnitPrice decimal.Decimal
	// Gross is the line's amount before discounts, normally Qty × UnitPrice.
	Gross decimal.Decimal
	// Discount is every discount allocated to the line: the platform's own
	// allocations plus this line's share of order-level discounts.
	Discount decimal.Decimal
	Tax      decimal.Decimal
	// Net is the commissionable amount as sold: after discounts, without
	// tax and without shipping. See ComputeNets.
	Net decimal.Decimal
}

// Refund is money returned on an order. Its lines say which order lines
// were refunded and how much commissionable net that takes back.
type Refund struct {
	// Platform, Store, OrderID and Currency are set on a refund decoded on
	// its own (a refunds/create webhook, a credit memo) and empty on refunds
	// nested in an Order.
	Platform Platform
	Store    string
	OrderID  string
	Currency string

	RefundID string
	TS       time.Time
	Items    []RefundLine
	// Shipping is refunded shipping, without tax. It never earned
	// commission, so it claws nothing back.
	Shipping decimal.Decimal
	// Amount is the money the platform returned to the buyer, tax and
	// shipping included, as the platform states it. Informational.
	Amount decimal.Decimal
	// CapToLine says the lines' Net are the platform's refunded totals,
	// which can exceed what the canonical line earns (a WooCommerce line's
	// total does not include its share of a discount given as a negative
	// fee): Order.ApplyRefund takes back at most what is left of each
	// line's Net, exactly what is left when the refund returns the line's
	// last unit, and drops lines the order does not have that take back
	// nothing (a bundle's component the order left out). The refund is
	// fitted to the order it is applied to, whenever it is applied, so a
	// refund kept before its order arrives is fitted to it then.
	CapToLine bool
}

// RefundLine is the refunded part of one order line.
type RefundLine struct {
	LineID string
	Qty    int64
	// Net is the commissionable net this refund takes back from the line:
	// after discounts, without tax.
	Net decimal.Decimal
	Tax decimal.Decimal
}

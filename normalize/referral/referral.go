package referral

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/wire"
)

// Decoder holds what the simple webhook does not say. The zero Decoder
// works when every body names its currency.
type Decoder struct {
	// Store is the order key's store.
	Store string
	// Currency is the ISO 4217 code of amount when the body has no
	// "currency" field.
	Currency string
}

type body struct {
	ShopifyOrderID     wire.ID  `json:"shopify_order_id"`
	WooCommerceOrderID wire.ID  `json:"woocommerce_order_id"`
	MagentoOrderID     wire.ID  `json:"magento_order_id"`
	SKU                string   `json:"sku"`
	CustomerID         wire.ID  `json:"customer_id"`
	ReferrerID         wire.ID  `json:"referrer_id"`
	Amount             wire.Num `json:"amount"`
	Currency           string   `json:"currency"`
	OrderTS            string   `json:"order_ts"`
}

// DecodeOrder turns one webhook body into a paid one-line order placed at
// received (or at the body's order_ts, when it has one). The platforms'
// decoders take only the body, whose own timestamps they read; this form
// usually has none, and the package reads no clock, so the caller passes
// the instant it received the webhook.
func (d Decoder) DecodeOrder(b []byte, received time.Time) (normalize.Order, error) {
	var w body
	if err := normalize.UnmarshalStrict("", b, &w); err != nil {
		return normalize.Order{}, err
	}

	o := normalize.Order{Status: normalize.StatusPaid, Store: d.Store, Currency: d.Currency}
	fail := func(path string, err error) (normalize.Order, error) {
		return normalize.Order{}, wire.Reader{Platform: o.Platform, OrderID: o.PlatformOrderID}.Error("", path, err)
	}
	ids := 0
	for _, c := range []struct {
		p  normalize.Platform
		id wire.ID
	}{{normalize.Shopify, w.ShopifyOrderID}, {normalize.WooCommerce, w.WooCommerceOrderID}, {normalize.Magento, w.MagentoOrderID}} {
		if c.id != "" {
			ids++
			o.Platform, o.PlatformOrderID = c.p, c.id.String()
		}
	}
	switch ids {
	case 0:
		return fail("shopify_order_id", fmt.Errorf("%w: one of shopify_order_id, woocommerce_order_id, magento_order_id", normalize.ErrMissing))
	case 1:
	default:
		return fail("", fmt.Errorf("%w: more than one of shopify_order_id, woocommerce_order_id, magento_order_id", normalize.ErrInvalid))
	}
	if w.SKU == "" {
		return fail("sku", fmt.Errorf("%w: sku", normalize.ErrMissing))
	}
	if !w.Amount.IsSet() {
		return fail("amount", fmt.Errorf("%w: amount", normalize.ErrMissing))
	}
	amount, err := w.Amount.Decimal()
	if err != nil {
		return fail("amount", err)
	}
	if w.Currency != "" {
		o.Currency = w.Currency
	}
	if o.Currency == "" {
		return fail("currency", fmt.Errorf("%w: currency (neither the body nor the Decoder names one)", normalize.ErrMissing))
	}
	digits, ok := normalize.MinorUnits(o.Currency)
	if !ok {
		return fail("currency", fmt.Errorf("%w: unknown currency %q", normalize.ErrInvalid, o.Currency))
	}
	if amount.IsNegative() || !amount.Shift(digits).IsInteger() {
		return fail("amount", fmt.Errorf("%w: amount %s is negative or finer than a minor unit of %s", normalize.ErrInvalid, amount, o.Currency))
	}
	o.OrderTS = received.UTC()
	if w.OrderTS != "" {
		if o.OrderTS, err = normalize.ParseTime(w.OrderTS); err != nil {
			return fail("order_ts", err)
		}
	}
	o.Version = o.OrderTS
	o.DistributorRef = w.ReferrerID.String()
	o.CustomerRef = w.CustomerID.String()
	o.Items = []normalize.Line{{LineID: "1", PlatformSKU: w.SKU, Qty: 1, UnitPrice: amount, Gross: amount}}
	o.Total = amount
	if err := normalize.ComputeNets(&o, decimal.Zero, ""); err != nil {
		return normalize.Order{}, err
	}
	return o, normalize.Reconcile(&o)
}

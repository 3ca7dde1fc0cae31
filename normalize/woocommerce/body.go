package woocommerce

import (
	"bytes"
	"encoding/json"

	"github.com/uplinehq/upline/normalize/internal/wire"
)

// The shapes of WooCommerce REST v3 bodies (order webhooks carry the same
// object as GET /wp-json/wc/v3/orders/{id}). Only the fields the decoder
// reads are declared. line_items[].price is deliberately absent: it is a
// JSON float with float noise (10.799999999999999) and never an amount.

type orderBody struct {
	ID               wire.ID     `json:"id"`
	Number           wire.ID     `json:"number"`
	Status           string      `json:"status"`
	Currency         string      `json:"currency"`
	PricesIncludeTax *bool       `json:"prices_include_tax"`
	DateCreatedGMT   string      `json:"date_created_gmt"`
	DateModifiedGMT  string      `json:"date_modified_gmt"`
	DiscountTotal    wire.Num    `json:"discount_total"`
	ShippingTotal    wire.Num    `json:"shipping_total"`
	TotalTax         wire.Num    `json:"total_tax"`
	Total            wire.Num    `json:"total"`
	CustomerID       wire.ID     `json:"customer_id"`
	MetaData         []metaBody  `json:"meta_data"`
	LineItems        []lineBody  `json:"line_items"`
	FeeLines         []feeBody   `json:"fee_lines"`
	CouponLines      []coupon    `json:"coupon_lines"`
	Refunds          []refundRef `json:"refunds"`

	// Read only to recognise bodies that are not orders.
	Amount wire.Num        `json:"amount"`
	Data   json.RawMessage `json:"data"`
}

type lineBody struct {
	ID              wire.ID    `json:"id"`
	Name            string     `json:"name"`
	ProductID       wire.ID    `json:"product_id"`
	VariationID     wire.ID    `json:"variation_id"`
	Quantity        wire.Num   `json:"quantity"`
	Subtotal        wire.Num   `json:"subtotal"`
	SubtotalTax     wire.Num   `json:"subtotal_tax"`
	Total           wire.Num   `json:"total"`
	TotalTax        wire.Num   `json:"total_tax"`
	SKU             string     `json:"sku"`
	MetaData        []metaBody `json:"meta_data"`
	BundledBy       wire.ID    `json:"bundled_by"`
	CompositeParent wire.ID    `json:"composite_parent"`
}

type feeBody struct {
	Name     string   `json:"name"`
	Total    wire.Num `json:"total"`
	TotalTax wire.Num `json:"total_tax"`
}

type coupon struct {
	Code string `json:"code"`
}

// refundRef is an entry of an order's refunds: id, reason and a negative
// total, nothing about lines.
type refundRef struct {
	ID     wire.ID  `json:"id"`
	Reason string   `json:"reason"`
	Total  wire.Num `json:"total"`
}

// metaBody is one meta_data entry. Values may be strings, numbers, objects
// or arrays; only strings and numbers are ever read.
type metaBody struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// text returns a meta value that is a JSON string or number as text.
func (m metaBody) text() (string, bool) {
	v := bytes.TrimSpace(m.Value)
	switch {
	case len(v) == 0:
		return "", false
	case v[0] == '"':
		s, err := wire.Text(v)
		return s, err == nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		return string(v), true
	}
	return "", false
}

// metaText returns the first meta value named key that is a string or a
// number.
func metaText(ms []metaBody, key string) (string, bool) {
	for _, m := range ms {
		if m.Key == key {
			if s, ok := m.text(); ok {
				return s, true
			}
		}
	}
	return "", false
}

type refundBody struct {
	ID             wire.ID          `json:"id"`
	OrderID        wire.ID          `json:"order_id"`
	ParentID       wire.ID          `json:"parent_id"`
	Currency       string           `json:"currency"`
	DateCreatedGMT string           `json:"date_created_gmt"`
	Amount         wire.Num         `json:"amount"`
	LineItems      []refundLineBody `json:"line_items"`
	ShippingLines  []feeBody        `json:"shipping_lines"`
	Links          struct {
		Up []struct {
			Href string `json:"href"`
		} `json:"up"`
	} `json:"_links"`

	// Read only to recognise bodies that are not refunds.
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
}

type refundLineBody struct {
	ID       wire.ID    `json:"id"`
	Quantity wire.Num   `json:"quantity"`
	Total    wire.Num   `json:"total"`
	TotalTax wire.Num   `json:"total_tax"`
	MetaData []metaBody `json:"meta_data"`
}

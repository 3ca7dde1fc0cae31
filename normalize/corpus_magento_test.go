package normalize_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
)

func init() {
	corpora = append(corpora, corpusPlatform{dir: "magento", decode: decodeMagento, expect: map[string]string{
		// Documentation bodies whose items and ids the docs elide: no entity_id.
		"adobe-commerce-webhook-observer-sales-order-place-before-default-payload-ELIDED.json": "elided-or-incomplete",
		"adobe-commerce-webhook-plugin-order-management-place-default-payload-ELIDED.json":     "elided-or-incomplete",
		// Invoices (GET /V1/invoices): documents of an order, not orders or refunds.
		"adobedocs-rest-invoice-000000003-bundle-configurable-downloadable.json": "not-an-order",
		"adobedocs-rest-invoice-inventory-cart-rule-discount.json":               "not-an-order",
		// The docs keep 1 of the order's items: 1 unit listed against
		// total_qty_ordered 4 (and row totals 22 against base_subtotal 160).
		"adobedocs-rest-order-000000003-ELIDED.json": "elided-or-incomplete",
		// A POST /V1/order/5/refund request body: it creates a credit memo
		// but is not one (no id, no amounts).
		"adobedocs-rest-refund-request-order-5.json": "not-an-order",
		// Genuine REST orders; each reconciles to the cent.
		"oca-rest-order-10-edited-000000013-1.json":                        "",
		"oca-rest-order-11-cart-rule-20pct-discount.json":                  "",
		"oca-rest-order-13-eur-order-currency-HAND-EDITED.json":            "",
		"oca-rest-order-16-configurable-no-tax.json":                       "",
		"oca-rest-order-17-100pct-coupon-free-shipping-grand-total-0.json": "",
		"oca-rest-order-9-canceled.json":                                   "",
		"oca-rest-order-9-configurable-parent-child-tax.json":              "",
	}})
}

// decodeMagento decodes a sample by its shape: a list decodes each element;
// a body that names an order (order_id) or whose items point at order items
// is a document of an order and goes to Decoder.DecodeRefund, which refuses
// invoices and requests; anything else is an order.
func decodeMagento(name string, body []byte) ([]normalize.Order, []normalize.Refund, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", normalize.ErrMalformed, err)
		}
		var orders []normalize.Order
		var refunds []normalize.Refund
		for _, el := range list {
			o, r, err := decodeMagento(name, el)
			if err != nil {
				return nil, nil, err
			}
			orders, refunds = append(orders, o...), append(refunds, r...)
		}
		return orders, refunds, nil
	}
	var shape struct {
		OrderID json.RawMessage `json:"order_id"`
		Items   []struct {
			OrderItemID json.RawMessage `json:"order_item_id"`
		} `json:"items"`
	}
	_ = json.Unmarshal(body, &shape) // a malformed body fails in the decoder with a located error
	memo := len(shape.OrderID) > 0 && string(shape.OrderID) != "null"
	for _, it := range shape.Items {
		if len(it.OrderItemID) > 0 {
			memo = true
		}
	}
	if memo {
		r, err := magento.Decoder{}.DecodeRefund(body)
		if err != nil {
			return nil, nil, err
		}
		return nil, []normalize.Refund{r}, nil
	}
	o, err := magento.Decoder{}.DecodeOrder(body)
	if err != nil {
		return nil, nil, err
	}
	return []normalize.Order{o}, nil, nil
}

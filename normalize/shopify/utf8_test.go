package shopify_test

import (
	"bytes"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

// Invalid UTF-8 was turned into U+FFFD, so "SERUM-30\xff" and
// "SERUM-30\xfe" read as one SKU; it is refused with its path.
func TestInvalidUTF8(t *testing.T) {
	order := bytes.Replace(ordertest.Fixture(t, "order_discounts_tax_exclusive.json"), []byte(`"SERUM-30"`), []byte("\"SERUM-30\xff\""), 1)
	_, err := shopify.Decoder{}.DecodeOrder(order)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.IndexByte(order, 0xff)),
		"shopify: line_items[0].sku: at byte 4762: normalize: malformed payload: invalid UTF-8 (byte 0xff) in a string")

	refund := bytes.Replace(ordertest.Fixture(t, "refund_partial.json"), []byte(`"COLLAGEN"`), []byte(`"COLLAGEN\udbff"`), 1)
	_, err = shopify.Decoder{}.DecodeRefund(refund)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.Index(refund, []byte(`\udbff`))),
		`shopify: refund_line_items[0].line_item.sku: at byte 2370: normalize: malformed payload: lone surrogate escape \udbff in a string`)
}

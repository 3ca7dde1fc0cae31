package woocommerce_test

import (
	"bytes"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// Invalid UTF-8 was turned into U+FFFD, so "SHAKE-VAN\xff" and
// "SHAKE-VAN\xfe" read as one SKU; it is refused with its path.
func TestInvalidUTF8(t *testing.T) {
	order := bytes.Replace(ordertest.Fixture(t, "order-coupon-tax-exclusive.json"), []byte(`"SHAKE-VAN"`), []byte("\"SHAKE-VAN\xfe\""), 1)
	_, err := woocommerce.Decoder{}.DecodeOrder(order)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.IndexByte(order, 0xfe)),
		"woocommerce: line_items[0].sku: at byte 2076: normalize: malformed payload: invalid UTF-8 (byte 0xfe) in a string")

	refund := bytes.Replace(ordertest.Fixture(t, "refund-9210-one-unit.json"), []byte(`"SHAKE-CHOC"`), []byte("\"SHAKE-CHOC\xff\""), 1)
	_, err = woocommerce.Decoder{}.DecodeRefund(refund)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.IndexByte(refund, 0xff)),
		"woocommerce: line_items[0].sku: at byte 786: normalize: malformed payload: invalid UTF-8 (byte 0xff) in a string")
}

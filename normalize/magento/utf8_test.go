package magento_test

import (
	"bytes"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

// Invalid UTF-8 was turned into U+FFFD, so "VIT-C-500\xff" and
// "VIT-C-500\xfe" read as one SKU; it is refused with its path.
func TestInvalidUTF8(t *testing.T) {
	order := bytes.Replace(ordertest.Fixture(t, "order-tax-exclusive-coupon.json"), []byte(`"VIT-C-500"`), []byte("\"VIT-C-500\xff\""), 1)
	_, err := magento.Decoder{}.DecodeOrder(order)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.IndexByte(order, 0xff)),
		"magento: items[0].sku: at byte 2911: normalize: malformed payload: invalid UTF-8 (byte 0xff) in a string")

	memo := bytes.Replace(ordertest.Fixture(t, "creditmemo-partial.json"), []byte(`"HOODIE-L-GRAY"`), []byte("\"HOODIE-L-GRAY\xc3\""), 1)
	_, err = magento.Decoder{}.DecodeRefund(memo)
	ordertest.CheckError(t, err, normalize.ErrMalformed, int64(bytes.IndexByte(memo, 0xc3)),
		"magento: items[0].sku: at byte 1842: normalize: malformed payload: invalid UTF-8 (byte 0xc3) in a string")
}

package shopify

import (
	"testing"

	"github.com/uplinehq/upline/normalize/internal/ordertest"
)

// FuzzDecodeMatchesEncodingJSON: every body decodes into each wire
// struct through the fast path exactly as through encoding/json.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	ordertest.SeedAll(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ordertest.SameAsEncodingJSON[orderBody](t, body)
		ordertest.SameAsEncodingJSON[refundBody](t, body)
	})
}

package referral_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	_ "github.com/uplinehq/upline/normalize/internal/corpus" // accepts -corpus
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/referral"
)

var received = time.Date(2025, 8, 28, 8, 11, 4, 0, time.FixedZone("EDT", -4*3600))

func TestDecodeOrderGolden(t *testing.T) {
	d := referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}
	for _, name := range []string{"article", "woocommerce-big-id-jpy"} {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := d.DecodeOrder(body, received)
			if err != nil {
				t.Fatal(err)
			}
			ordertest.Check(t, o)
			golden.Check(t, filepath.Join("testdata", "golden", name+".json"), ordertest.Canonical(t, o))
		})
	}
}

func TestDecodeOrderErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		currency string
		kind     error
		msg      string
	}{
		{"no order id", `{"sku":"A1","amount":1}`, "USD", normalize.ErrMissing,
			"shopify_order_id: normalize: missing field: one of shopify_order_id, woocommerce_order_id, magento_order_id"},
		{"two order ids", `{"shopify_order_id":"1","magento_order_id":"2","sku":"A1","amount":1}`, "USD", normalize.ErrInvalid,
			"magento: order 2: normalize: invalid value: more than one of shopify_order_id, woocommerce_order_id, magento_order_id"},
		{"no sku", `{"shopify_order_id":"1","amount":1}`, "USD", normalize.ErrMissing,
			"shopify: order 1: sku: normalize: missing field: sku"},
		{"no amount", `{"shopify_order_id":"1","sku":"A1"}`, "USD", normalize.ErrMissing,
			"shopify: order 1: amount: normalize: missing field: amount"},
		{"bad amount", `{"shopify_order_id":"1","sku":"A1","amount":"9,99"}`, "USD", normalize.ErrInvalid,
			`shopify: order 1: amount: normalize: invalid value: amount "9,99" is not a decimal number`},
		{"negative amount", `{"shopify_order_id":"1","sku":"A1","amount":-5}`, "USD", normalize.ErrInvalid,
			"shopify: order 1: amount: normalize: invalid value: amount -5 is negative or finer than a minor unit of USD"},
		{"fraction of a cent", `{"shopify_order_id":"1","sku":"A1","amount":99.001}`, "USD", normalize.ErrInvalid,
			"shopify: order 1: amount: normalize: invalid value: amount 99.001 is negative or finer than a minor unit of USD"},
		{"unknown currency", `{"shopify_order_id":"1","sku":"A1","amount":1,"currency":"EURO"}`, "USD", normalize.ErrInvalid,
			`shopify: order 1: currency: normalize: invalid value: unknown currency "EURO"`},
		{"no currency anywhere", `{"shopify_order_id":"1","sku":"A1","amount":1}`, "", normalize.ErrMissing,
			"shopify: order 1: currency: normalize: missing field: currency (neither the body nor the Decoder names one)"},
		{"float id", `{"shopify_order_id":1.5e3,"sku":"A1","amount":1}`, "USD", normalize.ErrMalformed,
			"shopify_order_id: normalize: malformed payload: got JSON number 1.5e3, want an integer or a string id"},
		{"misspelt field", `{"shopify_order_id":"1","sku":"A1","amuont":1}`, "USD", normalize.ErrMalformed,
			`amuont: at byte 35: normalize: malformed payload: unknown field "amuont"`},
		{"invalid UTF-8 in an order id", "{\"shopify_order_id\":\"1\xff\",\"sku\":\"A1\",\"amount\":1}", "USD", normalize.ErrMalformed,
			"shopify_order_id: at byte 22: normalize: malformed payload: invalid UTF-8 (byte 0xff) in a string"},
		{"duplicate amount", `{"shopify_order_id":"1","sku":"A1","amount":"99.00","amount":"0.01"}`, "USD", normalize.ErrMalformed,
			`amount: at byte 52: normalize: malformed payload: duplicate key "amount"`},
		{"case-variant amount beside amount", `{"shopify_order_id":"1","sku":"A1","amount":"99.00","AMOUNT":"0.01"}`, "USD", normalize.ErrMalformed,
			`AMOUNT: at byte 52: normalize: malformed payload: key "AMOUNT" is not "amount": keys must match exactly, case included`},
		{"case-variant amount instead of amount", `{"shopify_order_id":"1","sku":"A1","AMOUNT":"0.01"}`, "USD", normalize.ErrMalformed,
			`AMOUNT: at byte 35: normalize: malformed payload: key "AMOUNT" is not "amount": keys must match exactly, case included`},
		{"trailing data", `{"shopify_order_id":"1","sku":"A1","amount":1} {}`, "USD", normalize.ErrMalformed,
			"at byte 46: normalize: malformed payload: data after the JSON value"},
		{"bad time", `{"shopify_order_id":"1","sku":"A1","amount":1,"order_ts":"28/08/2025"}`, "USD", normalize.ErrInvalid,
			`shopify: order 1: order_ts: normalize: invalid value: time "28/08/2025" is not RFC 3339 or "YYYY-MM-DD hh:mm:ss" from 1970 on`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := referral.Decoder{Currency: tt.currency}.DecodeOrder([]byte(tt.body), received)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if err.Error() != tt.msg {
				t.Errorf("err =\n%q\nwant\n%q", err, tt.msg)
			}
		})
	}
}

func FuzzDecodeOrder(f *testing.F) {
	for _, name := range []string{"article", "woocommerce-big-id-jpy"} {
		body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
		for _, c := range ordertest.Corrupt(body) {
			f.Add(c)
		}
	}
	f.Add([]byte(`{"shopify_order_id":"1","sku":"A1","amount":"99.00","amount":"0.01"}`))
	f.Add([]byte(`{"shopify_order_id":"1","sku":"A1","amount":"99.00","AMOUNT":"0.01"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := referral.Decoder{Currency: "USD"}.DecodeOrder(body, received)
		if err != nil {
			return
		}
		ordertest.Strict(t, body)
		ordertest.Check(t, o)
		if len(o.Items) != 1 || !o.Items[0].Net.Equal(o.Total) {
			t.Fatalf("a referral order is one line whose net is the total: %+v", o)
		}
	})
}

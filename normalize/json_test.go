package normalize_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
)

func TestDecodeJSONGolden(t *testing.T) {
	for _, name := range []string{"refunded-starter-kit", "yen-numbers-tax-included"} {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "canonical", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := normalize.DecodeJSON(body)
			if err != nil {
				t.Fatal(err)
			}
			got := ordertest.Canonical(t, o)
			golden.Check(t, filepath.Join("testdata", "golden", name+".json"), got)

			// The canonical form decodes to the same order, byte for byte.
			again, err := normalize.DecodeJSON(got)
			if err != nil {
				t.Fatalf("re-decoding the canonical form: %v", err)
			}
			if string(ordertest.Canonical(t, again)) != string(got) {
				t.Errorf("canonical JSON is not stable across decode and encode")
			}
		})
	}
}

// The examples that upline started from do not add up; decoding says so
// precisely instead of commissioning on them.
func TestDecodeJSONRejectsInconsistentExamples(t *testing.T) {
	tests := []struct {
		file string
		msg  string
	}{
		{"design-example.json", "shopify: order 587364120: total: normalize: parts do not add up to the total: " +
			"Σ net 94 + shipping 4.99 + fees 0 + tax 2.92 = 101.91, but the total is 96.92 (off by -4.99)"},
		{"article-transform.json", "shopify: order 587364120: total: normalize: parts do not add up to the total: " +
			"Σ net 99 + shipping 0 + fees 0 + tax 0 = 99, but the total is 96.92 (off by -2.08)"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "canonical", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = normalize.DecodeJSON(body)
			if !errors.Is(err, normalize.ErrUnreconciled) {
				t.Fatalf("err = %v, want ErrUnreconciled", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("err =\n%q\nwant\n%q", err, tt.msg)
			}
		})
	}
}

const minimal = `{"platform":"shopify","platform_order_id":"7","order_ts":"2025-01-02T03:04:05Z","status":"paid","currency":"USD",` +
	`"items":[{"line_id":"1","platform_sku":"A1123","qty":2,"unit_price":"10.00"}],"total":"20.00"}`

func TestDecodeJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		kind error
		msg  string
	}{
		{"not JSON", func(string) string { return `{"platform":` }, normalize.ErrMalformed,
			"at byte 12: normalize: malformed payload: unexpected end of JSON input"},
		{"unknown field", func(s string) string { return strings.Replace(s, `"status"`, `"statsu"`, 1) }, normalize.ErrMalformed,
			`statsu: at byte 80: normalize: malformed payload: unknown field "statsu"`},
		{"invalid UTF-8 in an id", func(s string) string { return strings.Replace(s, `"7"`, "\"7\xff\"", 1) }, normalize.ErrMalformed,
			"platform_order_id: at byte 44: normalize: malformed payload: invalid UTF-8 (byte 0xff) in a string"},
		{"lone surrogate in a sku", func(s string) string { return strings.Replace(s, `A1123`, `A1\udc00`, 1) }, normalize.ErrMalformed,
			`items[0].platform_sku: at byte 155: normalize: malformed payload: lone surrogate escape \udc00 in a string`},
		{"duplicate key", func(s string) string {
			return strings.Replace(s, `"total":"20.00"`, `"total":"20.00","total":"0.01"`, 1)
		}, normalize.ErrMalformed,
			`total: at byte 207: normalize: malformed payload: duplicate key "total"`},
		{"case-variant key beside the key", func(s string) string {
			return strings.Replace(s, `"total":"20.00"`, `"total":"20.00","TOTAL":"0.01"`, 1)
		}, normalize.ErrMalformed,
			`TOTAL: at byte 207: normalize: malformed payload: key "TOTAL" is not "total": keys must match exactly, case included`},
		{"case-variant key instead of the key", func(s string) string { return strings.Replace(s, `"qty"`, `"Qty"`, 1) }, normalize.ErrMalformed,
			`items[0].Qty: at byte 160: normalize: malformed payload: key "Qty" is not "qty": keys must match exactly, case included`},
		{"amount is not a number", func(s string) string { return strings.Replace(s, `"10.00"`, `"ten"`, 1) }, normalize.ErrInvalid,
			`shopify: order 7: line 1: items[0].unit_price: normalize: invalid value: amount "ten" is not a decimal number`},
		{"amount is an object", func(s string) string { return strings.Replace(s, `"10.00"`, `{}`, 1) }, normalize.ErrMalformed,
			`shopify: order 7: line 1: items[0].unit_price: normalize: malformed payload: got JSON {}, want a number or a numeric string`},
		{"huge exponent", func(s string) string { return strings.Replace(s, `"10.00"`, `1e999999999`, 1) }, normalize.ErrInvalid,
			`shopify: order 7: line 1: items[0].unit_price: normalize: invalid value: amount "1e999999999" has an exponent out of range`},
		{"fractional quantity", func(s string) string { return strings.Replace(s, `"qty":2`, `"qty":1.5`, 1) }, normalize.ErrInvalid,
			"shopify: order 7: line 1: items[0].qty: normalize: invalid value: quantity 1.5 is not a whole number from 0 to 2^53"},
		{"bad time", func(s string) string { return strings.Replace(s, `2025-01-02T03:04:05Z`, `yesterday`, 1) }, normalize.ErrInvalid,
			`shopify: order 7: order_ts: normalize: invalid value: time "yesterday" is not RFC 3339 or "YYYY-MM-DD hh:mm:ss" from 1970 on`},
		{"no order id", func(s string) string { return strings.Replace(s, `"7"`, `""`, 1) }, normalize.ErrMissing,
			"shopify: platform_order_id: normalize: missing field: platform_order_id"},
		{"unknown currency", func(s string) string { return strings.Replace(s, `"USD"`, `"usd"`, 1) }, normalize.ErrInvalid,
			`shopify: order 7: currency: normalize: invalid value: unknown currency "usd"`},
		{"unknown status", func(s string) string { return strings.Replace(s, `"paid"`, `"shipped"`, 1) }, normalize.ErrInvalid,
			`shopify: order 7: status: normalize: invalid value: unknown status "shipped"`},
		{"no sku or variant", func(s string) string { return strings.Replace(s, `"platform_sku":"A1123",`, `"name":"Vitamins",`, 1) }, normalize.ErrMissing,
			"shopify: order 7: line 1: items[0]: normalize: missing field: platform_sku or variant_id (lines are never mapped by name)"},
		{"net that does not follow", func(s string) string {
			return strings.Replace(s, `"unit_price":"10.00"`, `"unit_price":"10.00","net":"19.00"`, 1)
		}, normalize.ErrInvalid,
			"shopify: order 7: line 1: items[0].net: normalize: invalid value: net 19 does not follow from gross 20, discount 0 and tax 0 (want 20)"},
		{"discount that is not the lines' sum", func(s string) string { return strings.Replace(s, `"total"`, `"discount":"1.00","total"`, 1) }, normalize.ErrInvalid,
			"shopify: order 7: discount: normalize: invalid value: discount 1 is not the sum of the lines' discounts 0"},
		{"refund of more than was bought", func(s string) string {
			return strings.Replace(s, `}]`, `}],"refunds":[{"refund_id":"r","ts":"2025-01-03T00:00:00Z","items":[{"line_id":"1","qty":3,"net":"20.00"}]}]`, 1)
		}, normalize.ErrRefundExceeds,
			"shopify: order 7: line 1: refunds[0].items[0].qty: normalize: refund exceeds what was bought: refunds take back 3 units of a line that sold 2"},
		{"refund of more net than was sold", func(s string) string {
			return strings.Replace(s, `}]`, `}],"refunds":[{"refund_id":"r","ts":"2025-01-03T00:00:00Z","items":[{"line_id":"1","qty":1,"net":"20.01"}]}]`, 1)
		}, normalize.ErrRefundExceeds,
			"shopify: order 7: line 1: refunds[0].items[0].net: normalize: refund exceeds what was bought: refunds take back net 20.01 of a line whose net is 20"},
		{"refund of an unknown line", func(s string) string {
			return strings.Replace(s, `}]`, `}],"refunds":[{"refund_id":"r","ts":"2025-01-03T00:00:00Z","items":[{"line_id":"9","qty":1,"net":"1.00"}]}]`, 1)
		}, normalize.ErrInvalid,
			`shopify: order 7: line 9: refunds[0].items[0].line_id: normalize: invalid value: refund names line "9" that the order does not have`},
		{"duplicate line id", func(s string) string {
			return strings.Replace(s, `}]`, `},{"line_id":"1","platform_sku":"B","qty":1,"unit_price":"20.00"}]`, 1)
		}, normalize.ErrInvalid,
			`shopify: order 7: line 1: items[1].line_id: normalize: invalid value: duplicate line_id "1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := normalize.DecodeJSON([]byte(tt.edit(minimal)))
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if err.Error() != tt.msg {
				t.Errorf("err =\n%q\nwant\n%q", err, tt.msg)
			}
		})
	}
}

func TestDecodeJSONMinimalDefaults(t *testing.T) {
	o, err := normalize.DecodeJSON([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	l := o.Items[0]
	if got := [...]string{o.Version.String(), l.Gross.String(), l.Net.String(), l.Discount.String()}; got !=
		[...]string{"2025-01-02 03:04:05 +0000 UTC", "20", "20", "0"} {
		t.Errorf("version, gross, net, discount = %q", got)
	}
}

func TestRefundJSON(t *testing.T) {
	const body = `{"platform":"shopify","store":"s","order_id":"9007199254740993","currency":"KWD","refund_id":"r1",` +
		`"ts":"2025-01-03T00:00:00Z","items":[{"line_id":"1","qty":1,"net":"1.5","tax":0}],"amount":"1.650"}`
	r, err := normalize.DecodeRefundJSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"platform":"shopify","store":"s","order_id":"9007199254740993","currency":"KWD","refund_id":"r1",` +
		`"ts":"2025-01-03T00:00:00Z","items":[{"line_id":"1","qty":1,"net":"1.500","tax":"0.000"}],"shipping":"0.000","amount":"1.650"}`
	if string(got) != want {
		t.Errorf("refund JSON =\n%s\nwant\n%s", got, want)
	}
	_, err = normalize.DecodeRefundJSON([]byte(strings.Replace(body, `"KWD"`, `"XXX"`, 1)))
	if want := `shopify: order 9007199254740993: currency: normalize: invalid value: unknown currency "XXX"`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// A refund decoded on its own is read as strictly as an order: a second
// "net" or a "NET" would otherwise replace the real one.
func TestRefundJSONStrict(t *testing.T) {
	const body = `{"platform":"shopify","store":"s","order_id":"9","currency":"USD","refund_id":"r1",` +
		`"ts":"2025-01-03T00:00:00Z","items":[{"line_id":"1","qty":1,"net":"99.00"}]}`
	for _, tc := range []struct {
		name, body string
		offset     int64
		msg        string
	}{
		{"invalid UTF-8", strings.Replace(body, `"r1"`, "\"r1\xfe\"", 1), 81,
			"refund_id: at byte 81: normalize: malformed payload: invalid UTF-8 (byte 0xfe) in a string"},
		{"duplicate key", strings.Replace(body, `"net":"99.00"`, `"net":"99.00","net":"0.01"`, 1), 157,
			`items[0].net: at byte 157: normalize: malformed payload: duplicate key "net"`},
		{"case-variant key", strings.Replace(body, `"net":"99.00"`, `"net":"99.00","NET":"0.01"`, 1), 157,
			`items[0].NET: at byte 157: normalize: malformed payload: key "NET" is not "net": keys must match exactly, case included`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := normalize.DecodeRefundJSON([]byte(tc.body))
			var e *normalize.Error
			if !errors.Is(err, normalize.ErrMalformed) || !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *normalize.Error of kind ErrMalformed", err)
			}
			if e.Offset != tc.offset || err.Error() != tc.msg {
				t.Errorf("err = %q (offset %d)\nwant %q (offset %d)", err, e.Offset, tc.msg, tc.offset)
			}
		})
	}
}

func TestApplyRefund(t *testing.T) {
	o, err := normalize.DecodeJSON([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	r := normalize.Refund{Platform: normalize.Shopify, OrderID: "7", Currency: "USD", RefundID: "r1",
		TS: o.OrderTS.Add(48 * 3600e9), Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: d("10.00")}}}
	after, err := o.ApplyRefund(r)
	if err != nil {
		t.Fatal(err)
	}
	if n := normalize.Commissionable(&after); n[0].String() != "10" || !after.Version.Equal(r.TS) || len(o.Refunds) != 0 {
		t.Errorf("after one refund: commissionable %s, version %s, original refunds %d", n[0], after.Version, len(o.Refunds))
	}
	again, err := after.ApplyRefund(r)
	if err != nil || len(again.Refunds) != 1 {
		t.Errorf("a duplicate refund changed the order: %d refunds, err %v", len(again.Refunds), err)
	}
	r2 := r
	r2.RefundID = "r2"
	r2.Items = []normalize.RefundLine{{LineID: "1", Qty: 1, Net: d("10.01")}}
	if _, err := after.ApplyRefund(r2); !errors.Is(err, normalize.ErrRefundExceeds) {
		t.Errorf("second refund beyond the line's net: err = %v, want ErrRefundExceeds", err)
	}
	summary, err := o.ApplyRefund(normalize.Refund{RefundID: "r1", TS: r.TS, Amount: d("10.00")})
	if err != nil || len(summary.Refunds) != 1 || normalize.Commissionable(&summary)[0].String() != "20" {
		t.Fatalf("an amount-only refund takes back no line: %v, %+v", err, summary.Refunds)
	}
	detailed, err := summary.ApplyRefund(r)
	if err != nil || len(detailed.Refunds) != 1 || normalize.Commissionable(&detailed)[0].String() != "10" {
		t.Errorf("the detailed refund does not replace its summary: %v, %+v", err, detailed.Refunds)
	}
	if again, _ := detailed.ApplyRefund(normalize.Refund{RefundID: "r1", TS: r.TS}); len(again.Refunds[0].Items) != 1 {
		t.Errorf("a summary replaced a detailed refund")
	}
	r3 := r
	r3.OrderID = "8"
	if _, err := o.ApplyRefund(r3); err == nil || err.Error() != "shopify: order 7: order_id: normalize: invalid value: refund r1 is for order shopify//8" {
		t.Errorf("refund for another order: err = %v", err)
	}
}

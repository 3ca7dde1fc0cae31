package woocommerce_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

func lineOf(m map[string]any, i int) map[string]any {
	return m["line_items"].([]any)[i].(map[string]any)
}

// wantErr checks an error's kind, where it says it is and its message.
func wantErr(t *testing.T, err error, kind error, order, line, path, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	var e *normalize.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *normalize.Error", err)
	}
	if e.Platform != normalize.WooCommerce || e.OrderID != order || e.Line != line || e.Path != path {
		t.Errorf("error at platform %q order %q line %q path %q, want woocommerce %q %q %q", e.Platform, e.OrderID, e.Line, e.Path, order, line, path)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not say %q", err, msg)
	}
}

func TestDecodeOrderErrors(t *testing.T) {
	const base = "order-coupon-tax-exclusive.json"
	tests := []struct {
		name                    string
		d                       woocommerce.Decoder
		body                    []byte
		kind                    error
		order, line, path, want string
	}{
		{name: "not json", body: []byte(`{"id": 1,`), kind: normalize.ErrMalformed, want: "unexpected end of JSON input"},
		{name: "ping", body: []byte("webhook_id=42"), kind: normalize.ErrUnsupported, want: "the webhook_id=42 ping"},
		{name: "list", body: []byte(`[{"id": 1}]`), kind: normalize.ErrUnsupported, want: "decode each element as an order"},
		{name: "proxy envelope", body: []byte(`{"data": {"id": 1}}`), kind: normalize.ErrUnsupported, path: "data", want: "envelope"},
		{name: "refund object", body: ordertest.Fixture(t, "refund-9210-one-unit.json"), kind: normalize.ErrUnsupported, path: "amount", want: "use DecodeRefund"},
		{name: "id as object", body: []byte(`{"id": {}}`), kind: normalize.ErrMalformed, path: "id", want: "want an integer or a string id"},
		{name: "amount as bool", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["subtotal"] = true }),
			kind: normalize.ErrMalformed, path: "line_items.subtotal", want: "want a number or a numeric string"},
		{name: "missing id", body: ordertest.Mutate(t, base, func(m map[string]any) { delete(m, "id") }),
			kind: normalize.ErrMissing, path: "id", want: "missing field: id"},
		{name: "unknown currency", body: ordertest.Mutate(t, base, func(m map[string]any) { m["currency"] = "XBT" }),
			kind: normalize.ErrInvalid, order: "5012", path: "currency", want: `unknown currency "XBT"`},
		{name: "no gmt date", body: ordertest.Mutate(t, base, func(m map[string]any) { delete(m, "date_created_gmt") }),
			kind: normalize.ErrMissing, order: "5012", path: "date_created_gmt", want: "local time without a zone"},
		{name: "bad modified date", body: ordertest.Mutate(t, base, func(m map[string]any) { m["date_modified_gmt"] = "yesterday" }),
			kind: normalize.ErrInvalid, order: "5012", path: "date_modified_gmt", want: `time "yesterday"`},
		{name: "unknown status", body: ordertest.Mutate(t, base, func(m map[string]any) { m["status"] = "shipped" }),
			kind: normalize.ErrInvalid, order: "5012", path: "status", want: `unknown WooCommerce status "shipped" (map it with Decoder.Statuses)`},
		{name: "fractional quantity", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 1)["quantity"] = json.Number("1.5") }),
			kind: normalize.ErrInvalid, order: "5012", line: "102", path: "line_items[1].quantity", want: `quantity "1.5" is not a whole number`},
		{name: "bad total", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["total"] = "53,98" }),
			kind: normalize.ErrInvalid, order: "5012", line: "101", path: "line_items[0].total", want: `amount "53,98" is not a decimal number`},
		{name: "total above subtotal", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 2)["total"] = "10.81" }),
			kind: normalize.ErrInvalid, order: "5012", line: "103", path: "line_items[2].total", want: "total 10.81 after discounts exceeds subtotal 10.8"},
		{name: "duplicate line id", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 1)["id"] = json.Number("101") }),
			kind: normalize.ErrInvalid, order: "5012", line: "101", path: "line_items[1].id", want: `duplicate line id "101"`},
		{name: "no sku and no product", body: ordertest.Mutate(t, base, func(m map[string]any) {
			lineOf(m, 0)["sku"] = ""
			lineOf(m, 0)["product_id"] = json.Number("0")
		}), kind: normalize.ErrMissing, order: "5012", line: "101", path: "items[0]", want: "never mapped by name"},
		{name: "discount_total disagrees", body: ordertest.Mutate(t, base, func(m map[string]any) { m["discount_total"] = "9.50" }),
			kind: normalize.ErrUnreconciled, order: "5012", path: "discount_total", want: "add to 9.53 but discount_total is 9.5"},
		{name: "total off by a cent", body: ordertest.Mutate(t, base, func(m map[string]any) { m["total"] = "101.49" }),
			kind: normalize.ErrUnreconciled, order: "5012", path: "total", want: "but the total is 101.49 (off by 0.01)"},
		{name: "positive refund total", body: ordertest.Mutate(t, base, func(m map[string]any) {
			m["refunds"] = []any{map[string]any{"id": json.Number("77"), "reason": "", "total": "5.00"}}
		}), kind: normalize.ErrInvalid, order: "5012", path: "refunds[0].total", want: "refund total 5 is positive"},
		{name: "negative fee beyond the lines", body: ordertest.Mutate(t, base, func(m map[string]any) {
			m["fee_lines"] = []any{map[string]any{"id": json.Number("9"), "name": "Discount", "total": "-85.76", "total_tax": "0.00"}}
		}), kind: normalize.ErrInvalid, order: "5012", path: "fee_lines", want: "order-level discount 85.76 exceeds the lines' value 85.75"},
		{name: "order in another currency than the shop's", d: woocommerce.Decoder{ShopCurrency: "EUR"}, body: ordertest.Fixture(t, base),
			kind: normalize.ErrUnsupported, order: "5012", path: "currency", want: "the order is in USD but the shop's currency is EUR"},
		{name: "WooPayments multi-currency order", body: ordertest.Mutate(t, base, func(m map[string]any) {
			m["meta_data"] = append(m["meta_data"].([]any), map[string]any{"id": json.Number("1"), "key": "_wcpay_multi_currency_order_default_currency", "value": "CAD"})
		}), kind: normalize.ErrUnsupported, order: "5012", path: "meta_data[3].value", want: "the shop's currency is CAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.DecodeOrder(tt.body)
			wantErr(t, err, tt.kind, tt.order, tt.line, tt.path, tt.want)
		})
	}
}

func TestDecodeRefundErrors(t *testing.T) {
	const base = "refund-9210-one-unit.json"
	usd := woocommerce.Decoder{Currency: "USD"}
	noLinks := func(m map[string]any) { delete(m, "_links") }
	tests := []struct {
		name                    string
		d                       woocommerce.Decoder
		body                    []byte
		kind                    error
		order, line, path, want string
	}{
		{name: "order body", d: usd, body: ordertest.Fixture(t, "order-refunded.json"), kind: normalize.ErrUnsupported, order: "9300", path: "status", want: "use DecodeOrder"},
		{name: "ping", d: usd, body: []byte("webhook_id=7"), kind: normalize.ErrUnsupported, want: "webhook_id=7 ping"},
		{name: "names no order", d: usd, body: ordertest.Mutate(t, base, noLinks), kind: normalize.ErrMissing, path: "order_id", want: "set Decoder.OrderID"},
		{name: "another order than the caller's", d: woocommerce.Decoder{Currency: "USD", OrderID: "9300"}, body: ordertest.Fixture(t, base),
			kind: normalize.ErrInvalid, path: "_links.up[0].href", want: "refund 9210 is for order 9200, not order 9300"},
		{name: "no currency", body: ordertest.Fixture(t, base), kind: normalize.ErrMissing, order: "9200", path: "currency", want: "set Decoder.Currency"},
		{name: "missing date", d: usd, body: ordertest.Mutate(t, base, func(m map[string]any) { delete(m, "date_created_gmt") }),
			kind: normalize.ErrMissing, order: "9200", path: "date_created_gmt", want: "date_created_gmt"},
		{name: "negative amount", d: usd, body: ordertest.Mutate(t, base, func(m map[string]any) { m["amount"] = "-32.40" }),
			kind: normalize.ErrInvalid, order: "9200", path: "amount", want: "refund amount -32.4 is negative"},
		{name: "positive quantity", d: usd, body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["quantity"] = json.Number("1") }),
			kind: normalize.ErrInvalid, order: "9200", line: "801", path: "line_items[0].quantity", want: "1 is positive; WooCommerce writes refunded figures as negative numbers"},
		{name: "fractional quantity", d: usd, body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["quantity"] = json.Number("-0.5") }),
			kind: normalize.ErrInvalid, order: "9200", line: "801", path: "line_items[0].quantity", want: `quantity "0.5" is not a whole number`},
		{name: "no _refunded_item_id", d: usd, body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["meta_data"] = []any{} }),
			kind: normalize.ErrMissing, order: "9200", line: "805", path: "line_items[0].meta_data", want: "_refunded_item_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.DecodeRefund(tt.body)
			wantErr(t, err, tt.kind, tt.order, tt.line, tt.path, tt.want)
		})
	}
}

func TestApplyRefundErrors(t *testing.T) {
	o, err := shop.DecodeOrder(ordertest.Fixture(t, "order-partially-refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	const base = "refund-9210-one-unit.json"
	tests := []struct {
		name                    string
		body                    []byte
		kind                    error
		order, line, path, want string
	}{
		{name: "more units than sold", body: ordertest.Mutate(t, base, func(m map[string]any) { lineOf(m, 0)["quantity"] = json.Number("-3") }),
			kind: normalize.ErrRefundExceeds, order: "9200", line: "801", path: "refunds[0].items[0].qty", want: "refunds take back 3 units of a line that sold 2"},
		{name: "a line the order does not have", body: ordertest.Mutate(t, base, func(m map[string]any) {
			lineOf(m, 0)["meta_data"] = []any{map[string]any{"id": json.Number("1"), "key": "_refunded_item_id", "value": "999"}}
		}), kind: normalize.ErrInvalid, order: "9200", line: "999", path: "line_items[0]", want: `takes back net 30 and tax 2.4 from line "999" that the order does not have`},
		{name: "another order", body: bytes.ReplaceAll(ordertest.Fixture(t, base), []byte("orders/9200"), []byte("orders/9300")),
			kind: normalize.ErrInvalid, path: "_links.up[0].href", want: "refund 9210 is for order 9300, not order 9200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shop.ApplyRefund(o, tt.body)
			wantErr(t, err, tt.kind, tt.order, tt.line, tt.path, tt.want)
		})
	}
}

// A negative fee beyond what the lines are worth is refused naming
// fee_lines, where the order-level discount comes from.
func TestOrderDiscountBeyondTheLinesNamesFeeLines(t *testing.T) {
	body := ordertest.Mutate(t, "order-coupon-tax-exclusive.json", func(m map[string]any) {
		m["fee_lines"] = []any{map[string]any{"id": json.Number("9"), "name": "Discount", "total": "-85.76", "total_tax": "0.00"}}
	})
	_, err := woocommerce.Decoder{}.DecodeOrder(body)
	ordertest.CheckError(t, err, normalize.ErrInvalid, -1,
		"woocommerce: order 5012: fee_lines: normalize: invalid value: order-level discount 85.76 exceeds the lines' value 85.75")
}

package shopify_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

// at walks a JSON tree by keys and indexes.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

// set sets the value at path; the last element is a key.
func set(m map[string]any, value any, path ...any) {
	at(m, path[:len(path)-1]...).(map[string]any)[path[len(path)-1].(string)] = value
}

func del(m map[string]any, path ...any) {
	delete(at(m, path[:len(path)-1]...).(map[string]any), path[len(path)-1].(string))
}

func TestDecodeOrderErrors(t *testing.T) {
	const disc, part, canc = "order_discounts_tax_exclusive.json", "order_partial_refund.json", "order_cancelled_refunded.json"
	for _, tc := range []struct {
		name  string
		body  []byte
		kind  error
		order string
		line  string
		path  string
		msg   string
	}{
		{name: "not JSON", body: []byte(`{"id": 1,`), kind: normalize.ErrMalformed, msg: "unexpected end of JSON input"},
		{name: "a refund body", body: ordertest.Fixture(t, "refund_partial.json"), kind: normalize.ErrUnsupported,
			msg: "a refund (refund_line_items), not an order: use DecodeRefund"},
		{name: "neither", body: []byte(`{"webhook_id": 7}`), kind: normalize.ErrUnsupported, msg: "neither an order"},
		{name: "no id", body: ordertest.Mutate(t, disc, func(m map[string]any) { del(m, "id") }),
			kind: normalize.ErrMissing, path: "id"},
		{name: "fractional id", body: []byte(`{"id": 1.5e3, "line_items": []}`), kind: normalize.ErrMalformed, path: "id",
			msg: "want an integer or a string id"},
		{name: "unknown currency", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "XYZ", "currency") }),
			kind: normalize.ErrInvalid, order: "5829367209011", path: "currency", msg: `unknown currency "XYZ"`},
		{name: "unknown financial status", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "settled", "financial_status") }),
			kind: normalize.ErrInvalid, order: "5829367209011", path: "financial_status", msg: `unknown financial_status "settled"`},
		{name: "no updated_at", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, nil, "updated_at") }),
			kind: normalize.ErrMissing, order: "5829367209011", path: "updated_at"},
		{name: "price with a tenth of a cent", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "24.505", "line_items", 0, "price") }),
			kind: normalize.ErrInvalid, order: "5829367209011", line: "13901234567001", path: "line_items[0].price",
			msg: "amount 24.505 has more digits than USD's minor unit (2)"},
		{name: "price is an object", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, map[string]any{}, "line_items", 0, "price") }),
			kind: normalize.ErrMalformed, path: "line_items.price", msg: "got JSON object, want a number or a numeric string"},
		{name: "fractional quantity", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, json.Number("1.5"), "line_items", 1, "quantity") }),
			kind: normalize.ErrInvalid, order: "5829367209011", line: "13901234567002", path: "line_items[1].quantity"},
		{name: "no price", body: ordertest.Mutate(t, disc, func(m map[string]any) { del(m, "line_items", 2, "price") }),
			kind: normalize.ErrMissing, order: "5829367209011", line: "13901234567003", path: "line_items[2].price"},
		{name: "allocation without amount", body: ordertest.Mutate(t, disc, func(m map[string]any) { del(m, "line_items", 1, "discount_allocations", 1, "amount") }),
			kind: normalize.ErrMissing, order: "5829367209011", line: "13901234567002", path: "line_items[1].discount_allocations[1].amount"},
		{name: "line mapped by nothing", body: ordertest.Mutate(t, disc, func(m map[string]any) {
			set(m, "", "line_items", 2, "sku")
			set(m, nil, "line_items", 2, "variant_id")
		}), kind: normalize.ErrMissing, order: "5829367209011", line: "13901234567003", path: "items[2]"},
		{name: "total off by a cent", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "81.64", "total_price") }),
			kind: normalize.ErrUnreconciled, order: "5829367209011", path: "total", msg: "but the total is 81.64 (off by 0.01)"},
		{name: "total_tax not the sum of tax lines", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "4.64", "total_tax") }),
			kind: normalize.ErrUnreconciled, order: "5829367209011", path: "total_tax",
			msg: "total_tax 4.64 is not the lines' tax 4.38 plus the shipping tax 0.25"},
		{name: "unconfirmed order discount", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "15.00", "total_discounts") }),
			kind: normalize.ErrUnreconciled, order: "5829367209011", path: "total_discounts",
			msg: "total_discounts 15 leaves 1 allocated to no line or shipping line, but subtotal_price 70 is not the lines after their allocations 70 less it (69)"},
		{name: "total_discounts below allocations", body: ordertest.Mutate(t, disc, func(m map[string]any) { set(m, "9.00", "total_discounts") }),
			kind: normalize.ErrUnreconciled, order: "5829367209011", path: "total_discounts"},
		{name: "presentment total missing", body: ordertest.Mutate(t, "order_multicurrency_cad_eur.json", func(m map[string]any) {
			del(m, "total_price_set", "presentment_money", "amount")
		}), kind: normalize.ErrMissing, order: "5829367209033", path: "total_price_set.presentment_money.amount"},
		{name: "refund of more units than sold", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("3"), "refunds", 0, "refund_line_items", 0, "quantity")
		}), kind: normalize.ErrRefundExceeds, order: "5829367209044", line: "14000000000101", path: "refunds[0].items[0].qty",
			msg: "refunds take back 3 units of a line that sold 2"},
		{name: "refund of more net than sold", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, "54.01", "refunds", 0, "refund_line_items", 0, "subtotal_set", "shop_money", "amount")
			set(m, json.Number("54.01"), "refunds", 0, "refund_line_items", 0, "subtotal")
		}), kind: normalize.ErrRefundExceeds, order: "5829367209044", line: "14000000000101", path: "refunds[0].items[0].net"},
		{name: "full refund short of the line", body: ordertest.Mutate(t, canc, func(m map[string]any) {
			set(m, "16.66", "refunds", 1, "refund_line_items", 0, "subtotal_set", "shop_money", "amount")
			set(m, json.Number("16.66"), "refunds", 1, "refund_line_items", 0, "subtotal")
		}), kind: normalize.ErrUnreconciled, order: "5829367209055", line: "14000000000201", path: "refunds[1].refund_line_items[0].subtotal",
			msg: "refunds take back all 3 units with subtotals of 24.99, but the line's price less its discounts is 25"},
		{name: "subtotal number and shop money disagree", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("27.5"), "refunds", 0, "refund_line_items", 0, "subtotal")
		}), kind: normalize.ErrUnreconciled, order: "5829367209044", line: "14000000000101", path: "refunds[0].refund_line_items[0].subtotal",
			msg: "27.5, but its shop money is 27"},
		{name: "refund of another order", body: ordertest.Mutate(t, part, func(m map[string]any) { set(m, json.Number("1"), "refunds", 0, "order_id") }),
			kind: normalize.ErrInvalid, order: "5829367209044", path: "refunds[0].order_id", msg: "refund 930000000001 names order 1"},
		{name: "refund of an unknown line", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("42"), "refunds", 0, "refund_line_items", 0, "line_item_id")
		}), kind: normalize.ErrInvalid, order: "5829367209044", line: "42", path: "refunds[0].items[0].line_id"},
		{name: "units gone without a refund", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("0"), "line_items", 1, "current_quantity")
		}), kind: normalize.ErrUnreconciled, order: "5829367209044", line: "14000000000102", path: "line_items[1].current_quantity",
			msg: "current_quantity 0, but quantity 1 less 0 refunded is 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := shopify.Decoder{}.DecodeOrder(tc.body)
			if err == nil {
				t.Fatalf("decoded %+v, want an error", o)
			}
			checkErr(t, err, tc.kind, tc.order, tc.line, tc.path, tc.msg)
		})
	}
}

func checkErr(t *testing.T, err, kind error, order, line, path, msg string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	var e *normalize.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %q is not a *normalize.Error", err)
	}
	if e.Platform != normalize.Shopify || e.OrderID != order || e.Line != line || e.Path != path {
		t.Errorf("error at platform %q order %q line %q path %q, want shopify %q %q %q (%v)", e.Platform, e.OrderID, e.Line, e.Path, order, line, path, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not say %q", err, msg)
	}
}

func TestDecodeRefundErrors(t *testing.T) {
	const part = "refund_partial.json"
	for _, tc := range []struct {
		name  string
		body  []byte
		kind  error
		order string
		line  string
		path  string
		msg   string
	}{
		{name: "an order body", body: ordertest.Fixture(t, "order_partial_refund.json"), kind: normalize.ErrUnsupported, order: "",
			msg: "an order (line_items), not a refund: use DecodeOrder"},
		{name: "no order_id", body: ordertest.Mutate(t, part, func(m map[string]any) { del(m, "order_id") }),
			kind: normalize.ErrMissing, path: "order_id"},
		{name: "no currency anywhere", body: ordertest.Mutate(t, part, func(m map[string]any) {
			del(m, "refund_line_items", 0, "subtotal_set")
			del(m, "refund_line_items", 0, "total_tax_set")
		}), kind: normalize.ErrMissing, order: "5829367209044", path: "refund_line_items", msg: "no shop_money in the refund names one"},
		{name: "two shop currencies", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, "CAD", "refund_line_items", 0, "total_tax_set", "shop_money", "currency_code")
		}), kind: normalize.ErrInvalid, order: "5829367209044", path: "refund_line_items[0].total_tax_set.shop_money.currency_code",
			msg: "shop money in CAD, but refund_line_items[0].subtotal_set.shop_money.currency_code is in USD"},
		{name: "full refund not the embedded line's value", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("2"), "refund_line_items", 0, "quantity")
		}), kind: normalize.ErrUnreconciled, order: "5829367209044", line: "14000000000101", path: "refund_line_items[0].subtotal",
			msg: "refunds take back all 2 units with subtotals of 27, but the line's price less its discounts is 54"},
		{name: "no created_at or processed_at", body: ordertest.Mutate(t, part, func(m map[string]any) {
			del(m, "created_at")
			del(m, "processed_at")
		}), kind: normalize.ErrMissing, order: "5829367209044", path: "processed_at"},
		{name: "negative quantity", body: ordertest.Mutate(t, part, func(m map[string]any) {
			set(m, json.Number("-1"), "refund_line_items", 0, "quantity")
		}), kind: normalize.ErrInvalid, order: "5829367209044", line: "14000000000101", path: "refund_line_items[0].quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := shopify.Decoder{}.DecodeRefund(tc.body)
			if err == nil {
				t.Fatalf("decoded %+v, want an error", r)
			}
			checkErr(t, err, tc.kind, tc.order, tc.line, tc.path, tc.msg)
		})
	}
}

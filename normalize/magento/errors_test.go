package magento_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

func items(m map[string]any) []any { return m["items"].([]any) }
func itemAt(m map[string]any, i int) map[string]any {
	return items(m)[i].(map[string]any)
}

type errCase struct {
	name  string
	body  func(t *testing.T) []byte
	kind  error
	order string
	line  string
	path  string
	msg   string // a substring of the message
}

func checkErr(t *testing.T, c errCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", c.kind)
	}
	if !errors.Is(err, c.kind) {
		t.Fatalf("error %v, want kind %v", err, c.kind)
	}
	var e *normalize.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not a *normalize.Error", err)
	}
	if e.Platform != normalize.Magento || e.OrderID != c.order || e.Line != c.line || e.Path != c.path {
		t.Errorf("error at platform %q order %q line %q path %q, want magento %q %q %q (%v)", e.Platform, e.OrderID, e.Line, e.Path, c.order, c.line, c.path, err)
	}
	if !strings.Contains(err.Error(), c.msg) {
		t.Errorf("message %q does not contain %q", err.Error(), c.msg)
	}
}

func TestDecodeOrderErrors(t *testing.T) {
	const fx = "order-tax-exclusive-coupon.json"
	set := func(name string, f func(m map[string]any)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return ordertest.Mutate(t, name, f) }
	}
	cases := []errCase{
		{name: "not JSON", body: func(*testing.T) []byte { return []byte(`{"entity_id": 1,`) },
			kind: normalize.ErrMalformed, msg: "at byte"},
		{name: "amount of the wrong JSON type", body: set(fx, func(m map[string]any) { itemAt(m, 0)["base_row_total"] = map[string]any{} }),
			kind: normalize.ErrMalformed, path: "items.base_row_total", msg: "got JSON object, want a number or a numeric string"},
		{name: "no entity_id", body: set(fx, func(m map[string]any) { delete(m, "entity_id") }),
			kind: normalize.ErrMissing, path: "entity_id", msg: "missing field: entity_id"},
		{name: "unknown state", body: set(fx, func(m map[string]any) { m["state"] = "shipped" }),
			kind: normalize.ErrInvalid, order: "101", path: "state", msg: `unknown order state "shipped"`},
		{name: "unknown currency", body: set(fx, func(m map[string]any) { m["base_currency_code"] = "XXY" }),
			kind: normalize.ErrInvalid, order: "101", path: "base_currency_code", msg: `unknown currency "XXY"`},
		{name: "grand total a cent off", body: set(fx, func(m map[string]any) { m["base_grand_total"] = json.Number("79.10") }),
			kind: normalize.ErrUnreconciled, order: "101", path: "total", msg: "off by 0.01"},
		{name: "subtotal that no reading of the rows gives", body: set(fx, func(m map[string]any) { m["base_subtotal"] = json.Number("70") }),
			kind: normalize.ErrUnreconciled, order: "101", path: "base_subtotal", msg: "base_subtotal 70 is neither the counted items' row totals 73.48 nor those plus their discounts 80.83"},
		{name: "positive order discount", body: set(fx, func(m map[string]any) { m["base_discount_amount"] = json.Number("9.85") }),
			kind: normalize.ErrInvalid, order: "101", path: "base_discount_amount", msg: "is positive"},
		{name: "order discount below the items' discounts", body: set(fx, func(m map[string]any) { m["base_discount_amount"] = json.Number("-7") }),
			kind: normalize.ErrUnreconciled, order: "101", path: "base_discount_amount", msg: "order-level discount 7 is less than the items' discounts 7.35 and the shipping discount 2.5"},
		{name: "negative item discount", body: set(fx, func(m map[string]any) { itemAt(m, 1)["base_discount_amount"] = json.Number("-2.45") }),
			kind: normalize.ErrInvalid, order: "101", line: "12", path: "items[1].base_discount_amount", msg: "negative amount -2.45"},
		{name: "fractional quantity", body: set(fx, func(m map[string]any) { itemAt(m, 2)["qty_ordered"] = json.Number("1.5000") }),
			kind: normalize.ErrInvalid, order: "101", line: "13", path: "items[2].qty_ordered", msg: "not a whole number"},
		{name: "sub-cent amount in USD", body: set(fx, func(m map[string]any) { itemAt(m, 0)["base_tax_amount"] = json.Number("2.965") }),
			kind: normalize.ErrInvalid, order: "101", line: "11", path: "items[0].base_tax_amount", msg: "more digits than the currency's minor unit (2)"},
		{name: "items left out", body: set(fx, func(m map[string]any) { m["items"] = items(m)[:2] }),
			kind: normalize.ErrMissing, order: "101", path: "items", msg: "lists 3 units of top-level items but total_qty_ordered is 4"},
		{name: "no items", body: set(fx, func(m map[string]any) { m["items"] = []any{}; delete(m, "total_qty_ordered") }),
			kind: normalize.ErrMissing, order: "101", path: "items", msg: "an order sells at least one item"},
		{name: "duplicate item id", body: set(fx, func(m map[string]any) { itemAt(m, 1)["item_id"] = json.Number("11") }),
			kind: normalize.ErrInvalid, order: "101", line: "11", path: "items[1].item_id", msg: "duplicate item_id 11"},
		{name: "parent item not in the body", body: set(fx, func(m map[string]any) { itemAt(m, 1)["parent_item_id"] = json.Number("99") }),
			kind: normalize.ErrInvalid, order: "101", line: "12", path: "items[1].parent_item_id", msg: "parent item 99 is not among the items"},
		{name: "edit without the parent's entity id", body: set("order-edited-replacement.json", func(m map[string]any) { delete(m, "relation_parent_id") }),
			kind: normalize.ErrMissing, order: "58", path: "relation_parent_id", msg: "order 000000021-1 is an edit of order 000000021"},
		{name: "edit recognised by its increment number alone", body: set(fx, func(m map[string]any) { m["increment_id"] = "000000101-2" }),
			kind: normalize.ErrMissing, order: "101", path: "relation_parent_id", msg: "is an edit of order 000000101"},
		{name: "configurable child carrying amounts too", body: set("order-configurable-same-sku.json", func(m map[string]any) { itemAt(m, 1)["base_price"] = json.Number("45") }),
			kind: normalize.ErrInvalid, order: "104", line: "41", path: "items[0].base_row_total", msg: "both the configurable item and its children carry amounts"},
		{name: "partly cancelled order", body: set(fx, func(m map[string]any) { itemAt(m, 0)["qty_canceled"] = json.Number("1") }),
			kind: normalize.ErrUnsupported, order: "101", line: "11", path: "items[0].qty_canceled", msg: "1 of 2 units cancelled"},
		{name: "tax-inclusive line without its inclusive price", body: set("order-tax-inclusive-eur.json", func(m map[string]any) { delete(itemAt(m, 1), "base_price_incl_tax") }),
			kind: normalize.ErrMissing, order: "102", line: "22", path: "items[1].base_price_incl_tax", msg: "prices include tax"},
		{name: "shipping discount above shipping", body: set(fx, func(m map[string]any) {
			m["base_shipping_discount_amount"] = json.Number("12.50")
			m["base_discount_amount"] = json.Number("-19.85")
		}), kind: normalize.ErrInvalid, order: "101", path: "base_shipping_discount_amount", msg: "shipping discount 12.5 exceeds shipping 10"},
		{name: "webhook body without an id", body: func(*testing.T) []byte {
			return []byte(`{"eventName":"sales_order_place_before","data":{"order":{"base_currency_code":"USD","items":[{"sku":"A"}]}}}`)
		}, kind: normalize.ErrMissing, path: "data.order.entity_id", msg: "entity_id"},
		{name: "webhook body with a malformed amount", body: func(*testing.T) []byte {
			return []byte(`{"order":{"entity_id":5,"base_grand_total":true}}`)
		}, kind: normalize.ErrMalformed, path: "order.base_grand_total", msg: "got JSON bool"},
		{name: "an invoice", body: func(t *testing.T) []byte {
			return ordertest.Mutate(t, "creditmemo-partial.json", func(map[string]any) {})
		},
			kind: normalize.ErrUnsupported, order: "", msg: "a document of an order"},
		{name: "a refund request", body: func(*testing.T) []byte {
			return []byte(`{"items":[{"order_item_id":3,"qty":1}],"notify":true,"arguments":{"shipping_amount":0}}`)
		}, kind: normalize.ErrUnsupported, msg: "a refund or invoice request"},
		{name: "a search result", body: func(*testing.T) []byte {
			return []byte(`{"items":[{"entity_id":1}],"search_criteria":{},"total_count":1}`)
		}, kind: normalize.ErrUnsupported, msg: "a search result"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := magento.Decoder{Store: store}.DecodeOrder(c.body(t))
			checkErr(t, c, err)
		})
	}
}

func TestDecodeRefundErrors(t *testing.T) {
	const fx = "creditmemo-partial.json"
	set := func(f func(m map[string]any)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return ordertest.Mutate(t, fx, f) }
	}
	cases := []errCase{
		{name: "no order_id", body: set(func(m map[string]any) { delete(m, "order_id") }),
			kind: normalize.ErrMissing, path: "order_id", msg: "order_id"},
		{name: "no entity_id", body: set(func(m map[string]any) { delete(m, "entity_id") }),
			kind: normalize.ErrMissing, order: "301", path: "entity_id", msg: "entity_id"},
		{name: "cancelled credit memo", body: set(func(m map[string]any) { m["state"] = json.Number("3") }),
			kind: normalize.ErrUnsupported, order: "301", msg: "a cancelled credit memo"},
		{name: "zero units with amounts", body: set(func(m map[string]any) { itemAt(m, 0)["qty"] = json.Number("0") }),
			kind: normalize.ErrInvalid, order: "301", line: "111", path: "items[0].qty", msg: "refunds 27 net and 2.16 tax for zero units"},
		{name: "discount above the row", body: set(func(m map[string]any) {
			itemAt(m, 0)["base_discount_amount"] = json.Number("31")
			m["base_subtotal"] = json.Number("30")
		}), kind: normalize.ErrInvalid, order: "301", line: "111", path: "items[0].base_discount_amount", msg: "discount 31 exceeds the refunded row 30"},
		{name: "subtotal that no reading gives", body: set(func(m map[string]any) { m["base_subtotal"] = json.Number("31") }),
			kind: normalize.ErrUnreconciled, order: "301", path: "base_subtotal", msg: "neither"},
		{name: "an invoice", body: set(func(m map[string]any) {
			for _, k := range []string{"creditmemo_status", "adjustment", "adjustment_positive", "adjustment_negative", "base_adjustment", "base_adjustment_positive", "base_adjustment_negative"} {
				delete(m, k)
			}
			m["can_void_flag"] = json.Number("0")
		}), kind: normalize.ErrUnsupported, order: "301", msg: "an invoice, not a credit memo"},
		{name: "an order", body: func(t *testing.T) []byte { return ordertest.Fixture(t, "order-jpy.json") },
			kind: normalize.ErrUnsupported, order: "", msg: "an order, not a credit memo"},
		{name: "not JSON", body: func(*testing.T) []byte { return []byte(`[`) }, kind: normalize.ErrMalformed, msg: "at byte"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := magento.Decoder{Store: store}.DecodeRefund(c.body(t))
			checkErr(t, c, err)
		})
	}
}

// TestRefundBeyondTheOrder: a credit memo for more than the line sold is
// refused when applied to its order.
func TestRefundBeyondTheOrder(t *testing.T) {
	o, err := magento.Decoder{}.DecodeOrder(ordertest.Fixture(t, "order-refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := magento.Decoder{}.DecodeRefund(ordertest.Mutate(t, "creditmemo-partial.json", func(m map[string]any) {
		itemAt(m, 0)["qty"] = json.Number("3")
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.ApplyRefund(r)
	checkErr(t, errCase{kind: normalize.ErrRefundExceeds, order: "301", line: "111", path: "refunds[0].items[0].qty", msg: "take back 3 units of a line that sold 2"}, err)
}

// An order-level discount beyond what the lines are worth is refused
// naming base_discount_amount, inside the envelope when there is one.
func TestOrderDiscountBeyondTheLinesNamesItsPath(t *testing.T) {
	body := ordertest.Mutate(t, "order-tax-exclusive-coupon.json", func(m map[string]any) {
		m["base_discount_amount"] = json.Number("-75.99")
	})
	_, err := magento.Decoder{}.DecodeOrder(body)
	ordertest.CheckError(t, err, normalize.ErrInvalid, -1,
		"magento: order 101: base_discount_amount: normalize: invalid value: order-level discount 66.14 exceeds the lines' value 66.13")

	_, err = magento.Decoder{}.DecodeOrder([]byte(`{"data":{"order":` + string(body) + `}}`))
	ordertest.CheckError(t, err, normalize.ErrInvalid, -1,
		"magento: order 101: data.order.base_discount_amount: normalize: invalid value: order-level discount 66.14 exceeds the lines' value 66.13")
}

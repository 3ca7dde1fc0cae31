package wire_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/uplinehq/upline/normalize"
	_ "github.com/uplinehq/upline/normalize/internal/corpus" // accepts -corpus
	"github.com/uplinehq/upline/normalize/internal/wire"
)

func TestNumAndID(t *testing.T) {
	var v struct {
		Price wire.Num `json:"price"`
		Tax   wire.Num `json:"tax"`
		Gone  wire.Num `json:"gone"`
		Qty   wire.Num `json:"qty"`
		ID    wire.ID  `json:"id"`
		SID   wire.ID  `json:"sid"`
	}
	body := `{"price":10.799999999999999,"tax":" 0.450000 ","gone":null,"qty":"2.0000","id":820982911946154508,"sid":"gid://x/1"}`
	if err := normalize.Unmarshal(normalize.Shopify, []byte(body), &v); err != nil {
		t.Fatal(err)
	}
	price, _ := v.Price.Decimal()
	tax, _ := v.Tax.Decimal()
	gone, _ := v.Gone.Decimal()
	qty, err := v.Qty.Qty()
	if price.String() != "10.799999999999999" || tax.String() != "0.45" || gone.String() != "0" || v.Gone.IsSet() || qty != 2 || err != nil {
		t.Errorf("price %s tax %s gone %s (set %v) qty %d (%v)", price, tax, gone, v.Gone.IsSet(), qty, err)
	}
	if v.ID != "820982911946154508" || v.SID != "gid://x/1" {
		t.Errorf("ids %q %q; ids above 2^53 must survive exactly", v.ID, v.SID)
	}
}

func TestDecodeErrors(t *testing.T) {
	var v struct {
		Lines []struct {
			Price wire.Num `json:"price"`
			ID    wire.ID  `json:"id"`
		} `json:"lines"`
	}
	tests := []struct{ body, msg string }{
		{`{"lines":[{"price":{}}]}`, "shopify: lines.price: normalize: malformed payload: got JSON object, want a number or a numeric string"},
		{`{"lines":[{"id":1.5}]}`, "shopify: lines.id: normalize: malformed payload: got JSON number 1.5, want an integer or a string id"},
		{`{"lines":[{"id":true}]}`, "shopify: lines.id: normalize: malformed payload: got JSON bool, want an integer or a string id"},
		{`{"lines":{}}`, "shopify: lines: at byte 10: normalize: malformed payload: got JSON object, want an array"},
		{`{"lines":[}`, "shopify: at byte 11: normalize: malformed payload: invalid character '}' looking for beginning of value"},
	}
	for _, tt := range tests {
		err := normalize.Unmarshal(normalize.Shopify, []byte(tt.body), &v)
		if !errors.Is(err, normalize.ErrMalformed) || err.Error() != tt.msg {
			t.Errorf("%s:\n err = %v\nwant %s", tt.body, err, tt.msg)
		}
	}
}

func TestQty(t *testing.T) {
	for _, in := range []string{"1.5", "-1", "9007199254740993", "x"} {
		if _, err := wire.NumOf(in).Qty(); !errors.Is(err, normalize.ErrInvalid) {
			t.Errorf("Qty(%q) err = %v, want ErrInvalid", in, err)
		}
	}
	if q, err := wire.NumOf("").Qty(); q != 0 || err != nil {
		t.Errorf("absent quantity = %d, %v; want 0", q, err)
	}
}

func TestPath(t *testing.T) {
	if got := wire.Path("line_items", 2, "discount_allocations", 0, "amount"); got != "line_items[2].discount_allocations[0].amount" {
		t.Errorf("Path = %q", got)
	}
	if got := wire.Path("total"); got != "total" {
		t.Errorf("Path = %q", got)
	}
}

var _ json.Unmarshaler = (*wire.Num)(nil)

// TestEscapedText: amounts and ids with escapes read as encoding/json
// reads the string, not as their raw bytes.
func TestEscapedText(t *testing.T) {
	for _, tt := range []struct{ in, num, id string }{
		{`"1\u002e50"`, "1.50", "1.50"},
		{`" 2.00\t"`, "2.00", " 2.00\t"},
		{`"a\"b\/c"`, `a"b/c`, `a"b/c`},
		{`"é1"`, "é1", "é1"},
	} {
		var n wire.Num
		var id wire.ID
		if err := n.UnmarshalJSON([]byte(tt.in)); err != nil || n.Raw() != tt.num {
			t.Errorf("Num %s = %q, %v; want %q", tt.in, n.Raw(), err, tt.num)
		}
		if err := id.UnmarshalJSON([]byte(tt.in)); err != nil || string(id) != tt.id {
			t.Errorf("ID %s = %q, %v; want %q", tt.in, id, err, tt.id)
		}
	}
}

// TestNumSpace: a Num is read without the space around it, Unicode
// spaces included, as strings.TrimSpace reads it.
func TestNumSpace(t *testing.T) {
	for _, tt := range []struct{ in, raw string }{
		{`"10.00"`, "10.00"}, {`" 10.00"`, "10.00"}, {`"10.00\n"`, "10.00"},
		{`"\u00a010.00"`, "10.00"}, {`"10.00\u2003"`, "10.00"}, {`"\u00e910"`, "\u00e910"}, {`""`, ""},
	} {
		var n wire.Num
		if err := n.UnmarshalJSON([]byte(tt.in)); err != nil || n.Raw() != tt.raw {
			t.Errorf("Num %s = %q, %v; want %q", tt.in, n.Raw(), err, tt.raw)
		}
	}
}

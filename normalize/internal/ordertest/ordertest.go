// Package ordertest holds the checks every decoder's tests and fuzz targets
// apply to the orders it accepts, so each property is written once.
package ordertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/internal/jsondec"
	"github.com/uplinehq/upline/internal/strictjson"

	"github.com/uplinehq/upline/normalize"
)

// Fixture returns the file testdata/name of the package under test.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Mutate returns fixture testdata/name with f applied to its JSON tree.
// Numbers stay json.Number, so ids above 2^53 and amounts stay exact.
func Mutate(t testing.TB, name string, f func(m map[string]any)) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(Fixture(t, name)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Canonical returns the canonical JSON of an order or refund, indented,
// with a trailing newline: the form golden files hold.
func Canonical(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// Check holds an order a decoder accepted to what every decoder promises:
// the canonical form decodes back to the same bytes, nets never exceed
// gross, refunds never take back more than a line's net, and the parts
// reconcile with the total.
func Check(t testing.TB, o normalize.Order) {
	t.Helper()
	first := Canonical(t, o)
	again, err := normalize.DecodeJSON(first)
	if err != nil {
		t.Fatalf("canonical form does not decode: %v\n%s", err, first)
	}
	if second := Canonical(t, again); string(second) != string(first) {
		t.Fatalf("canonical form is not stable:\n%s\n---\n%s", first, second)
	}
	for _, l := range o.Items {
		if l.Net.GreaterThan(l.Gross) || l.Net.IsNegative() {
			t.Fatalf("line %s: net %s outside [0, gross %s]", l.LineID, l.Net, l.Gross)
		}
	}
	for i, n := range normalize.Commissionable(&o) {
		if n.IsNegative() || n.GreaterThan(o.Items[i].Net) {
			t.Fatalf("line %s: commissionable %s outside [0, net %s]", o.Items[i].LineID, n, o.Items[i].Net)
		}
	}
	if err := normalize.Reconcile(&o); err != nil {
		t.Fatal(err)
	}
}

// GoldenOrders decodes every fixture matching testdata/pattern (at least
// eight, as the decoders promise), holds each order to Check, and compares
// its canonical JSON with testdata/golden/<fixture> byte for byte.
func GoldenOrders(t *testing.T, pattern string, decode func([]byte) (normalize.Order, error)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) < 8 {
		t.Fatalf("want at least 8 order fixtures matching %s, have %d (%v)", pattern, len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			o, err := decode(Fixture(t, name))
			if err != nil {
				t.Fatal(err)
			}
			Check(t, o)
			golden.Check(t, filepath.Join("testdata", "golden", name), Canonical(t, o))
		})
	}
}

// CheckError asserts that err is a *normalize.Error of kind at offset
// with exactly the message msg.
func CheckError(t testing.TB, err, kind error, offset int64, msg string) {
	t.Helper()
	var e *normalize.Error
	if !errors.As(err, &e) || !errors.Is(err, kind) {
		t.Fatalf("err = %v, want a *normalize.Error of kind %v", err, kind)
	}
	if e.Offset != offset {
		t.Errorf("offset = %d, want %d", e.Offset, offset)
	}
	if err.Error() != msg {
		t.Errorf("err =\n%q\nwant\n%q", err, msg)
	}
}

// Corrupt returns body with its first string value spoilt two ways: an
// invalid UTF-8 byte in it, and a lone surrogate escape. Fuzz targets add
// them as seeds, so the refusals of text that is not valid Unicode are
// explored from the start.
func Corrupt(body []byte) [][]byte {
	i := bytes.Index(body, []byte(`": "`)) + 4
	if i < 4 {
		i = bytes.Index(body, []byte(`":"`)) + 3
	}
	if i < 3 {
		return nil
	}
	insert := func(s string) []byte {
		return append(append(append([]byte{}, body[:i]...), s...), body[i:]...)
	}
	return [][]byte{insert("\xff"), insert(`\ud800`)}
}

// Unicode fails t when a decoder accepted body although a string in it
// is not valid Unicode.
func Unicode(t testing.TB, body []byte) {
	t.Helper()
	if err := strictjson.Check(body); err != nil {
		t.Fatalf("accepted a body whose text is not valid Unicode: %v", err)
	}
}

// Strict fails t when a decoder of one of upline's own forms accepted
// body although a key in it is repeated or its text is not valid Unicode.
func Strict(t testing.TB, body []byte) {
	t.Helper()
	if err := strictjson.Decode(body, new(any)); err != nil {
		t.Fatalf("accepted a body a strict form refuses: %v", err)
	}
}

// SameAsEncodingJSON decodes body into a fresh T through the fast path
// every platform decoder takes (jsondec) and through encoding/json, the
// reference, and fails t unless they agree: when the fast path finishes,
// encoding/json must accept body and give a deeply equal T (nil and empty
// slices told apart, amounts compared as their text); when it does not,
// it must leave T zero for encoding/json to decode and explain. It finishes
// only on bodies strictjson.Check accepts, as normalize.Unmarshal checks
// only the bodies it does not finish. The canonical order is a function
// of T alone, so equal Ts give equal orders.
func SameAsEncodingJSON[T any](t testing.TB, body []byte) {
	t.Helper()
	var fast, std T
	finished := jsondec.Decode(body, &fast)
	if err := strictjson.Check(body); err != nil {
		if finished {
			t.Fatalf("%T: the fast path accepted a body strictjson.Check refuses (%v)", fast, err)
		}
		return // refused before encoding/json runs
	}
	err := json.Unmarshal(body, &std)
	switch {
	case !finished:
		if !reflect.ValueOf(fast).IsZero() {
			t.Fatalf("%T: the fast path gave up but left %#v", fast, fast)
		}
	case err != nil:
		t.Fatalf("%T: the fast path accepted a body encoding/json refuses (%v)", fast, err)
	case !reflect.DeepEqual(fast, std):
		t.Fatalf("%T: the fast path and encoding/json differ:\nfast %#v\nstd  %#v", fast, fast, std)
	}
}

// EdgeSeeds are bodies on the edges where a JSON decoder can differ from
// encoding/json: repeated and case-folded keys, escaped and non-ASCII keys,
// nulls, empty and null arrays, numbers as ids, escapes in values, syntax
// errors in skipped values and trailing text.
func EdgeSeeds() [][]byte {
	seeds := []string{
		`{"id":1,"id":2}`, `{"ID":"5","Id":6}`, `{"\u0069d":"5"}`, `{"id":null,"sku":null}`,
		`{"ſku":"a","K":1}`, `{"sku":"a","SKU":"b"}`, `{"id":18446744073709551617}`, `{"id":1.5}`, `{"id":-0}`,
		`{"id":"1"} x`, `{"id":"1"}  ` + "\n", ` {"name":"a\u00e9\"b\/c\\d\n"}`, `{"name":"\ud83d\ude00"}`,
		`{"taxes_included":"true"}`, `{"taxes_included":true,"prices_include_tax":null}`,
		`{"order":{"id":1},"order":null}`, `{"order":{"id":1,"line_items":[{}]},"data":{"order":null}}`,
		`{"x":[1,2,,]}`, `{"x":01}`, `{"x":1.}`, `{"x":-}`, `{"x":"\x"}`, `{"x":tru}`, `{"x":[{"a":}]}`,
		`{"line_items":[]}`, `{"line_items":null}`, `{"line_items":[{},null,{"sku":"a"}]}`, `{"line_items":{}}`,
		`{"items":[{"discount_allocations":[]},{"discount_allocations":null}]}`, `{"meta_data":[{"key":"a","value":{"b":[1]}}]}`,
		`{"items":[{"sku":"a"}],"items":[{"name":"b"}]}`, `[]`, `null`, `"order"`, `{}`, `{"entity_id":"7","items":[{"qty_ordered":"1.0000"}]}`,
		`{"amount":"1e400","total":"NaN","price":10.799999999999999}`, `{"x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
	}
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	return out
}

// SeedAll adds every testdata/*.json of the package under test, their
// Corrupt forms and EdgeSeeds to f.
func SeedAll(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, c := range Corrupt(b) {
			f.Add(c)
		}
	}
	for _, b := range EdgeSeeds() {
		f.Add(b)
	}
}

// BenchUnmarshal reads body into a T the way the decoders do (jsondec,
// which checks the text as it reads it) and, side by side, the way they
// did before: the Unicode check, then encoding/json.
func BenchUnmarshal[T any](b *testing.B, body []byte) {
	b.Run("jsondec", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v T
			if !jsondec.Decode(body, &v) { // which checks the text as strictjson.Check does
				b.Fatal("fell back")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var v T
			if err := strictjson.Check(body); err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

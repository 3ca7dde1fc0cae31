package jsondec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/uplinehq/upline/internal/strictjson"
)

// raw keeps a value's JSON text, as wire.Num and wire.ID do.
type raw string

func (r *raw) UnmarshalJSON(b []byte) error { *r = raw(b); return nil }

type line struct {
	ID     raw    `json:"id"`
	SKU    string `json:"sku"`
	Allocs *[]struct {
		Amount raw `json:"amount"`
	} `json:"discount_allocations"`
}

type body struct {
	ID       raw             `json:"id"`
	Name     string          `json:"name"`
	Included *bool           `json:"taxes_included"`
	Test     bool            `json:"test"`
	Lines    []line          `json:"line_items"`
	Meta     json.RawMessage `json:"meta"`
	Inner    *body           `json:"order"`
	Links    struct {
		Up []struct {
			Href string `json:"href"`
		} `json:"up"`
	} `json:"_links"`
	Skipped string `json:"-"`
	hidden  string //nolint:unused // encoding/json ignores unexported fields
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		finished bool
	}{
		{"all kinds", `{"id":18446744073709551617,"name":"a\u00e9\"\/\ud83d\ude00","taxes_included":false,"test":true,
			"line_items":[{"id":"1","sku":"S","discount_allocations":[{"amount":"1.10"},{"amount":2.5e1}]},{"discount_allocations":[]}],
			"meta":{"k":[1,"x",null]},"order":{"id":2,"order":null},"_links":{"up":[{"href":"h"}]},"unknown":[{"a":[true,false,null,-0.5e-3]}]}`, true},
		{"a number keeps its text", `{"id":10.799999999999999}`, true},
		{"nulls", `{"id":null,"name":null,"taxes_included":null,"test":null,"line_items":null,"meta":null,"order":null,"_links":null}`, true},
		{"keys fold ASCII case", `{"NAME":"n","Line_Items":[]}`, true},
		{"long keys fold ASCII case", `{"TAXES_INCLUDED":true,"discount_ALLOCATIONS":null,"_LINKS":{"UP":[]}}`, true},
		{"a key with DEL", "{\"taxes_included\x7f\":true}", false},
		{"a long key with a non-ASCII letter", `{"taxes_includéd":true}`, false},
		{"whitespace around", " \t\n{ \"name\" : \"n\" , \"id\" : 1 }\r\n", true},
		{"a repeated field merges in encoding/json", `{"line_items":[{"sku":"a"}],"line_items":[{"id":1}]}`, false},
		{"a case-folded repeat", `{"name":"a","Name":"b"}`, false},
		{"an escaped key", `{"n\u0061me":"a"}`, false},
		{"a non-ASCII key folds in encoding/json", `{"\u017fku":"a"}`, false},
		{"a type mismatch", `{"name":1}`, false},
		{"a syntax error in a skipped value", `{"x":[1,]}`, false},
		{"a leading zero", `{"x":01}`, false},
		{"text after the value", `{} {}`, false},
		{"not an object", `[]`, false},
		{"a lone surrogate", `{"name":"\ud800"}`, false},
		{"a lone surrogate in a skipped value", `{"x":"\ud800"}`, false},
		{"a lone low surrogate in a skipped value", `{"x":["\udc00\ud800"]}`, false},
		{"a high surrogate without its low one", `{"meta":{"k":"\ud83d\u0041"}}`, false},
		{"a surrogate pair in skipped values", `{"x":"\ud83d\ude00","y":{"z":["\ud83d\ude00"]}}`, true},
		{"UTF-8 in values", "{\"name\":\"é😀\",\"x\":[\"ü\"],\"meta\":\"ñ\"}", true},
		{"invalid UTF-8 in a value", "{\"name\":\"a\xffb\"}", false},
		{"invalid UTF-8 in an escaped value", "{\"name\":\"\\n\xc3\"}", false},
		{"invalid UTF-8 in a skipped value", "{\"x\":\"\xed\xa0\x80\"}", false},
		{"invalid UTF-8 in a skipped nested value", "{\"x\":{\"k\":\"\xc0\xaf\"}}", false},
		{"invalid UTF-8 in a skipped key", "{\"x\":{\"\xfe\":1}}", false},
		{"too deep", `{"x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decodesAsStd[body](t, tt.body, tt.finished)
		})
	}
}

// TestDecodeRemembersShapes decodes bodies one after another into one
// type, so each meets the members the ones before it left (see object):
// whatever it meets, it gives what encoding/json gives, or gives up where
// encoding/json would not give the same.
func TestDecodeRemembersShapes(t *testing.T) {
	type item struct {
		ID  raw    `json:"id"`
		SKU string `json:"sku"`
	}
	type order struct {
		ID    raw    `json:"id"`
		Name  string `json:"name"`
		Items []item `json:"items"`
	}
	tests := []struct {
		name     string
		body     string
		finished bool
	}{
		{"the first", `{"id": 1, "name": "a", "x": 2, "items": [{"id": 1, "sku": "A"}, {"id": 2, "sku": "B", "qty": 1}]}`, true},
		{"the same keys", `{"id": 3, "name": "b", "x": [], "items": [{"id": 3, "sku": "C"}, {"id": 4, "sku": "D", "qty": 2}]}`, true},
		{"other spacing", `{"id":5,"name" : "c","x":2,"items":[{"id": 5,"sku":"E"}]}`, true},
		{"the lines' shapes swapped", `{"id": 1, "name": "a", "x": 2, "items": [{"id": 2, "sku": "B", "qty": 1}, {"id": 1, "sku": "A"}]}`, true},
		{"a known member given twice", `{"id": 1, "name": "a", "name": "b"}`, false},
		{"a member after the known ones", `{"id": 1, "name": "a", "x": 2, "items": [], "y": {"z": 1}}`, true},
		{"fewer members", `{"id": 1}`, true},
		{"none", `{}`, true},
		{"a key folded in case where a known one was", `{"ID": 7, "name": "a"}`, true},
		{"then the known one and its folded twin", `{"id": 7, "ID": 8}`, false},
		{"a known key then an escaped twin", `{"id": 1, "name": "a", "x": 2, "n\u0061me": "b"}`, false},
		{"a known member then a syntax error", `{"id": 1, "name": "a", "x": 2,}`, false},
		{"a known member then a type mismatch", `{"id": 1, "name": 2}`, false},
		{"a known member's text cut short", `{"id": 1, "na`, false},
		{"many shapes in turn", `{"items": [{"a": 1}, {"b": 1}, {"c": 1}, {"d": 1}, {"e": 1}, {"id": 9}, {"a": 1}, {"sku": "S", "id": 10}]}`, true},
		{"the first again", `{"id": 1, "name": "a", "x": 2, "items": [{"id": 1, "sku": "A"}, {"id": 2, "sku": "B", "qty": 1}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decodesAsStd[order](t, tt.body, tt.finished)
		})
	}
}

// decodesAsStd decodes body into a T: Decode finishes it when finished
// says so, and then gives what encoding/json gives; when it gives up, it
// leaves the T as it was.
func decodesAsStd[T any](t *testing.T, body string, finished bool) {
	t.Helper()
	var fast, std T
	if got := Decode([]byte(body), &fast); got != finished {
		t.Fatalf("finished %v, want %v", got, finished)
	}
	if !finished {
		if !reflect.ValueOf(fast).IsZero() {
			t.Fatalf("left %#v", fast)
		}
		return
	}
	if err := json.Unmarshal([]byte(body), &std); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("fast %#v\nstd  %#v", fast, std)
	}
}

// TestDecodeConcurrently decodes bodies of different shapes into one type
// from several goroutines at once, which share its plan and the shapes it
// remembers: each gets what encoding/json gives (run with -race).
func TestDecodeConcurrently(t *testing.T) {
	type item struct {
		ID  raw    `json:"id"`
		SKU string `json:"sku"`
	}
	type order struct {
		ID    raw    `json:"id"`
		Items []item `json:"items"`
	}
	bodies := []string{
		`{"id": 1, "items": [{"id": 1, "sku": "A"}, {"sku": "B", "id": 2}]}`,
		`{"items":[{"x":[1,{"y":"z"}],"id":3}],"id":"4"}`,
		`{ "id" : 5 , "extra": {"k": "v"}, "items": [] }`,
		`{"id": 6, "items": [{"id": 7, "sku": "C", "qty": 1}, {"id": 8}]}`,
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 200 {
				body := []byte(bodies[(g+n)%len(bodies)])
				var fast, std order
				if !Decode(body, &fast) {
					t.Errorf("gave up on %s", body)
					return
				}
				if err := json.Unmarshal(body, &std); err != nil || !reflect.DeepEqual(fast, std) {
					t.Errorf("%s: fast %#v, std %#v (%v)", body, fast, std, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDecodeRemembersBoundedShapes(t *testing.T) {
	type small struct {
		A raw `json:"a"`
	}
	remembered := func() []shape {
		if s := planFor(reflect.TypeFor[small]()).shapes.Load(); s != nil {
			return *s
		}
		return nil
	}
	var v small
	if !Decode([]byte(`{"`+strings.Repeat("k", maxMemberText)+`": 1, "a": 2}`), &v) || v.A != "2" {
		t.Fatalf("decoded %#v", v)
	}
	if s := remembered(); s != nil {
		t.Fatalf("remembered %q, a member longer than maxMemberText", s)
	}
	many := strings.Repeat(`"k": 1, `, maxShapeMembers) + `"a": 3}`
	if v = (small{}); !Decode([]byte("{"+many), &v) || v.A != "3" {
		t.Fatalf("decoded %#v", v)
	}
	if s := remembered(); s != nil {
		t.Fatalf("remembered %d members, more than maxShapeMembers", len(s[0]))
	}
	if v = (small{}); !Decode([]byte(`{ "b": [],"a" :4}`), &v) || v.A != "4" {
		t.Fatalf("decoded %#v", v)
	}
	want := []shape{{{text: ` "b": `, field: -1}, {text: `"a" :`, field: 0}}}
	if s := remembered(); !reflect.DeepEqual(s, want) {
		t.Fatalf("remembered %q, want %q", s, want)
	}
}

func TestDecodeRefusesWhatItDoesNotHandle(t *testing.T) {
	var f struct {
		N float64 `json:"n"`
	}
	var full body
	full.Name = "x"
	for name, v := range map[string]any{"a float": &f, "a non-zero target": &full, "not a pointer": full, "a map": &map[string]string{}} {
		if Decode([]byte(`{"n":1}`), v) {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecode: when Decode finishes, encoding/json accepts the body and
// gives the same value, and decoding it again gives it again.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":1,"line_items":[{"sku":"a","discount_allocations":[{"amount":"1"}]}],"order":{"name":"\u00e9"}}`))
	f.Add([]byte(`{"meta":{"a":[1,2,{"b":null}]},"_links":{"up":[{"href":"x"}]},"taxes_included":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Twice: the second time meets the members the first remembered.
		var fast, again, std body
		finished := Decode(b, &fast)
		if Decode(b, &again) != finished || !reflect.DeepEqual(fast, again) {
			t.Fatalf("a second decode gave %#v, the first %#v", again, fast)
		}
		if !finished {
			if !reflect.ValueOf(fast).IsZero() {
				t.Fatalf("left %#v", fast)
			}
			return
		}
		if err := strictjson.Check(b); err != nil {
			t.Fatalf("finished where strictjson.Check refuses: %v", err)
		}
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("finished where encoding/json fails: %v", err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Fatalf("fast %#v\nstd  %#v", fast, std)
		}
	})
}

// members reads a JSON object's members with encoding/json, the
// reference for Members.
func members(obj []byte) (keys []string, values []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, values = append(keys, tok.(string)), append(values, string(v))
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, nil, false
	}
	return keys, values, true
}

// FuzzMembers: whenever Members reads a whole object, it is valid JSON
// and encoding/json reads the same keys and raw values in the same order.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{}`, ` { "a" : 1 , "b":[1,{"c":null}] } `, `{"\u0061\"b":"x\ny","a":"é"}`, `{"a":1,"a":2}`,
		`{"a":}`, `{"a":1,}`, `[]`, `{"a":"\ud800"}`, `{"a":1} x`, `{"k":{"l":[true,false,-1.5e3]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		if !utf8.Valid(obj) {
			return // Members' callers pass text that strictjson.Check accepted
		}
		var keys, values []string
		if !Members(obj, func(k string, v []byte) { keys, values = append(keys, k), append(values, string(v)) }) {
			return
		}
		if !json.Valid(obj) {
			t.Fatalf("Members read %q, which is not valid JSON", obj)
		}
		wk, wv, ok := members(obj)
		if !ok || !reflect.DeepEqual(keys, wk) || !reflect.DeepEqual(values, wv) {
			t.Fatalf("Members(%q) = %q %q; encoding/json %q %q (%v)", obj, keys, values, wk, wv, ok)
		}
	})
}

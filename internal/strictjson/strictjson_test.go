package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

type line struct {
	ID     string          `json:"id"`
	Amount json.RawMessage `json:"amount"`
}

type body struct {
	OrderID string            `json:"order_id"`
	Amount  string            `json:"amount,omitempty"`
	Lines   []line            `json:"lines"`
	Meta    map[string]string `json:"meta"`
	Skip    string            `json:"-"`
}

func TestDecode(t *testing.T) {
	var b body
	err := Decode([]byte(` {"order_id":"1\u00e9","amount":"9.50","lines":[{"id":"x","amount":{"v":1}}],"meta":{"a":"\ud83d\ude00"}} `), &b)
	if err != nil {
		t.Fatal(err)
	}
	want := body{OrderID: "1é", Amount: "9.50", Lines: []line{{ID: "x", Amount: json.RawMessage(`{"v":1}`)}}, Meta: map[string]string{"a": "😀"}}
	if !reflect.DeepEqual(b, want) {
		t.Errorf("got %+v, want %+v", b, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want Error
	}{
		{"invalid UTF-8", "{\"order_id\":\"1\xff\"}", Error{"order_id", 14, "invalid UTF-8 (byte 0xff) in a string"}},
		{"invalid UTF-8 in a key", "{\"lines\":[{\"i\xfed\":1}]}", Error{"lines[0]", 13, "invalid UTF-8 (byte 0xfe) in a key"}},
		{"encoded surrogate", "{\"order_id\":\"\xed\xa0\x80\"}", Error{"order_id", 13, "invalid UTF-8 (byte 0xed) in a string"}},
		{"lone high surrogate", `{"order_id":"1\ud800"}`, Error{"order_id", 14, `lone surrogate escape \ud800 in a string`}},
		{"lone low surrogate", `{"order_id":"\udc00\ud800"}`, Error{"order_id", 13, `lone surrogate escape \udc00 in a string`}},
		{"high surrogate before a non-surrogate", `{"order_id":"\ud800\u0041"}`, Error{"order_id", 13, `lone surrogate escape \ud800 in a string`}},
		{"duplicate key", `{"amount":"99.00","amount":"0.01"}`, Error{"amount", 18, `duplicate key "amount"`}},
		{"duplicate key spelt with an escape", `{"amount":"99.00","amoun\u0074":"0.01"}`, Error{"amount", 18, `duplicate key "amount"`}},
		{"duplicate key in a raw value", `{"lines":[{"id":"1","amount":{"v":1,"v":2}}]}`, Error{"lines[0].amount.v", 36, `duplicate key "v"`}},
		{"duplicate map key", `{"meta":{"a":"1","a":"2"}}`, Error{"meta.a", 17, `duplicate key "a"`}},
		{"case variant", `{"AMOUNT":"0.01"}`, Error{"AMOUNT", 1, `key "AMOUNT" is not "amount": keys must match exactly, case included`}},
		{"case variant beside the key", `{"amount":"99.00","Amount":"0.01"}`, Error{"Amount", 18, `key "Amount" is not "amount": keys must match exactly, case included`}},
		{"nested case variant", `{"lines":[{"ID":"1"}]}`, Error{"lines[0].ID", 11, `key "ID" is not "id": keys must match exactly, case included`}},
		{"unknown field", `{"order_id":"1","amuont":"1"}`, Error{"amuont", 16, `unknown field "amuont"`}},
		{"field kept from JSON", `{"Skip":"x"}`, Error{"Skip", 1, `unknown field "Skip"`}},
		{"data after the value", `{"order_id":"1"} {}`, Error{"", 16, "data after the JSON value"}},
		{"syntax", `{"order_id":}`, Error{"", 13, "invalid character '}' looking for beginning of value"}},
		{"empty", ``, Error{"", 0, "unexpected end of JSON input"}},
		{"wrong type", `{"lines":{}}`, Error{"lines", 10, "got JSON object, want an array"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b body
			err := Decode([]byte(tc.body), &b)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if *e != tc.want {
				t.Errorf("err = %#v, want %#v", *e, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want *Error
	}{
		{"valid", `{"a":[1,"\ud83d\ude00",{"b":null}],"a":"x"}`, nil},
		{"syntax errors are encoding/json's", "{\"a\":\xff", nil},
		{"invalid UTF-8", "{\"a\":[1,{\"b\":\"x\xfey\"}]}", &Error{"a[1].b", 15, "invalid UTF-8 (byte 0xfe) in a string"}},
		{"lone surrogate", `{"a":"\udfff"}`, &Error{"a", 6, `lone surrogate escape \udfff in a string`}},
		{"escaped backslash before u", `{"a":"\\ud800 \\\\\\ud83d\\ude00"}`, nil},
		{"lone surrogate after an escaped backslash", `{"a":"\\\\\ud800"}`, &Error{"a", 10, `lone surrogate escape \ud800 in a string`}},
		{"high surrogate at the end", `{"a":"x\ud83d"}`, &Error{"a", 7, `lone surrogate escape \ud83d in a string`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.body))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || *e != *tc.want {
				t.Fatalf("err = %#v, want %#v", err, tc.want)
			}
		})
	}
}

// FuzzCheck holds the quick test for surrogates to the walk: Check must
// refuse exactly what a walk refuses.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{"a":"\ud83d\ude00"}`, `"\\ud800"`, `"\\\ud800"`, `"\udc00"`, `"\ud800\u0041"`, `"\ud800"`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w := walker{data: b}
		walked := w.walk(nil)
		if err := Check(b); (err == nil) != (walked == nil) && !w.bad {
			t.Fatalf("Check = %v, walk = %v for %q", err, walked, b)
		}
	})
}

// FuzzWalk holds the walk to encoding/json's grammar: a syntax error the
// walk sees must be one encoding/json sees, or Decode would skip checks.
func FuzzWalk(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,false,null,"x\u00e9\"\\"]}`, `[]`, `{}`, `"\ud800\udc00"`, `01`, `1.`, `-`, `{"a":1,}`, `[1 2]`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w := walker{data: b, strict: true, fields: map[reflect.Type][]field{}}
		err := w.walk(nil)
		valid := json.Valid(b)
		if valid && w.bad {
			t.Fatalf("walk took valid JSON %q for a syntax error at %d", b, w.pos)
		}
		if !valid && !w.bad && err == nil {
			t.Fatalf("walk accepted invalid JSON %q", b)
		}
	})
}

var errOwn = errors.New("own")

type own struct{}

func (*own) UnmarshalJSON([]byte) error { return errOwn }

// An error of a value's own UnmarshalJSON keeps its identity: callers
// classify it, not Decode.
func TestDecodeKeepsErrorsOfUnmarshalJSON(t *testing.T) {
	var v struct {
		X own `json:"x"`
	}
	if err := Decode([]byte(`{"x":1}`), &v); err != errOwn {
		t.Fatalf("err = %v, want errOwn unchanged", err)
	}
}

package commission

import (
	"strings"
	"testing"
)

// TestJSONKindAndCurrencyErrors: an event's and an award's JSON name a
// kind they do not know, or a currency, with the same exact errors.
func TestJSONKindAndCurrencyErrors(t *testing.T) {
	var ev Event
	ev.Kind, ev.Currency, ev.digits = KindCommission, "USD", 2
	var aw Award
	aw.Kind, aw.Currency, aw.digits = KindCommission, "USD", 2
	forms := map[string]struct {
		json string
		read func([]byte) error
	}{
		"event": {string(ev.AppendJSON(nil)), func(b []byte) error { var e Event; return e.UnmarshalJSON(b) }},
		"award": {string(aw.AppendJSON(nil)), func(b []byte) error { var a Award; return a.UnmarshalJSON(b) }},
	}
	for name, f := range forms {
		for _, tt := range []struct{ from, to, want string }{
			{`"kind":"commission"`, `"kind":"bonus"`, "commission: invalid input: kind: want commission or correction"},
			{`"currency":"USD"`, `"currency":"XXY"`, `commission: invalid input: currency: unknown currency "XXY"`},
		} {
			if !strings.Contains(f.json, tt.from) {
				t.Fatalf("%s: %s not in %s", name, tt.from, f.json)
			}
			err := f.read([]byte(strings.Replace(f.json, tt.from, tt.to, 1)))
			if err == nil || err.Error() != tt.want {
				t.Errorf("%s with %s: got %v, want %s", name, tt.to, err, tt.want)
			}
		}
	}
}

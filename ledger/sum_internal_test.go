package ledger

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestAmountSum checks that adding in place gives what decimal.Add gives
// from the zero Decimal, value and scale.
func TestAmountSum(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		name    string
		amounts []decimal.Decimal
		want    string
	}{
		{"none", nil, "0"},
		{"cents", []decimal.Decimal{d("10.50"), d("-0.5"), d("0.01")}, "10.01"},
		{"mills after cents", []decimal.Decimal{d("1.01"), d("1.005")}, "2.015"},
		{"positive exponent", []decimal.Decimal{decimal.New(12, 3), d("0.5")}, "12000.5"},
		{"zero Decimal", []decimal.Decimal{{}, d("-3")}, "-3"},
		{"beyond int64", []decimal.Decimal{d("123456789012345678901234.5"), d("-0.25")}, "123456789012345678901234.25"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s amountSum
			s.reset()
			want := decimal.Decimal{}
			for _, a := range c.amounts {
				s.add(a)
				want = want.Add(a)
			}
			got := s.decimal()
			if got.String() != c.want || !got.Equal(want) || got.Exponent() != want.Exponent() {
				t.Errorf("got %s (exponent %d), want %s (Add: %s, exponent %d)", got, got.Exponent(), c.want, want, want.Exponent())
			}
		})
	}
}

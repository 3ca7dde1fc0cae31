package normalize_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ds(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

func strs(v []decimal.Decimal) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.String()
	}
	return out
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		total   string
		weights []decimal.Decimal
		digits  int32
		want    []string
	}{
		{"even split", "10.00", ds("1", "1"), 2, []string{"5", "5"}},
		{"a cent left over goes to the largest remainder", "10.00", ds("1", "1", "1"), 2, []string{"3.34", "3.33", "3.33"}},
		{"ties go to the earlier part", "0.02", ds("1", "1", "1"), 2, []string{"0.01", "0.01", "0"}},
		{"proportional", "29.10", ds("99.00", "66.00"), 2, []string{"17.46", "11.64"}},
		{"largest remainder, not the largest weight", "1.00", ds("0.35", "0.33", "0.32"), 2, []string{"0.35", "0.33", "0.32"}},
		{"remainders decide", "0.10", ds("2", "2", "3"), 2, []string{"0.03", "0.03", "0.04"}},
		{"zero weight gets nothing", "5.00", ds("0", "3.00", "2.00"), 2, []string{"0", "3", "2"}},
		{"yen has no minor unit", "1000", ds("1", "2"), 0, []string{"333", "667"}},
		{"dinar has three", "1.000", ds("1", "2"), 3, []string{"0.333", "0.667"}},
		{"negative total keeps its sign", "-0.05", ds("1", "1"), 2, []string{"-0.03", "-0.02"}},
		{"weights with more digits than money", "1.00", ds("0.333333", "0.666667"), 2, []string{"0.33", "0.67"}},
		{"zero total", "0", ds("1", "2"), 2, []string{"0", "0"}},
		{"no weights, zero total", "0", nil, 2, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalize.Allocate(d(tt.total), tt.weights, tt.digits)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, strs(got)); diff != "" {
				t.Errorf("Allocate(%s) (-want +got):\n%s", tt.total, diff)
			}
			sum := decimal.Zero
			for _, p := range got {
				sum = sum.Add(p)
			}
			if !sum.Equal(d(tt.total)) {
				t.Errorf("parts sum to %s, want %s", sum, tt.total)
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := []struct {
		name    string
		total   string
		weights []decimal.Decimal
		msg     string
	}{
		{"fraction of a minor unit", "0.005", ds("1"), "normalize: invalid value: 0.005 is not a whole number of minor units"},
		{"negative weight", "1.00", ds("1", "-1"), "normalize: invalid value: negative allocation weight -1"},
		{"nothing to allocate over", "1.00", ds("0", "0"), "normalize: invalid value: cannot allocate 1 over lines worth nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := normalize.Allocate(d(tt.total), tt.weights, 2)
			if !errors.Is(err, normalize.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("err = %q, want %q", err, tt.msg)
			}
		})
	}
}

var placed = time.Date(2025, 8, 28, 8, 11, 4, 0, time.UTC)

// order builds a valid paid USD order from lines of (gross, discount, tax).
func order(lines ...[3]string) normalize.Order {
	o := normalize.Order{
		Platform:        normalize.Shopify,
		Store:           "acme.myshopify.com",
		PlatformOrderID: "1001",
		Version:         placed,
		OrderTS:         placed,
		Status:          normalize.StatusPaid,
		Currency:        "USD",
	}
	for i, l := range lines {
		o.Items = append(o.Items, normalize.Line{
			LineID:      string(rune('a' + i)),
			PlatformSKU: "SKU-" + string(rune('A'+i)),
			Qty:         1,
			UnitPrice:   d(l[0]),
			Gross:       d(l[0]),
			Discount:    d(l[1]),
			Tax:         d(l[2]),
		})
	}
	return o
}

func nets(o *normalize.Order) []string {
	out := make([]string, len(o.Items))
	for i, l := range o.Items {
		out[i] = l.Discount.StringFixed(2) + "/" + l.Net.StringFixed(2)
	}
	return out
}

func TestComputeNets(t *testing.T) {
	tests := []struct {
		name          string
		lines         [][3]string
		inclTax       bool
		orderDiscount string
		want          []string // discount/net per line
	}{
		{"tax-exclusive: tax is not taken off the net", [][3]string{{"99.00", "5.00", "2.92"}}, false, "0", []string{"5.00/94.00"}},
		{"tax-inclusive: tax is taken off the net", [][3]string{{"110.00", "0", "10.00"}}, true, "0", []string{"0.00/100.00"}},
		{"tax-inclusive with a discount", [][3]string{{"110.00", "11.00", "9.00"}}, true, "0", []string{"11.00/90.00"}},
		{"order discount spread by value", [][3]string{{"99.00", "0", "0"}, {"66.00", "0", "0"}}, false, "29.10", []string{"17.46/81.54", "11.64/54.36"}},
		{"spread weighs the value after line discounts", [][3]string{{"100.00", "50.00", "0"}, {"50.00", "0", "0"}}, false, "10.00", []string{"55.00/45.00", "5.00/45.00"}},
		{"spread to the cent, largest remainder", [][3]string{{"10.00", "0", "0"}, {"10.00", "0", "0"}, {"10.00", "0", "0"}}, false, "10.00", []string{"3.34/6.66", "3.33/6.67", "3.33/6.67"}},
		{"a free line takes no share", [][3]string{{"0.00", "0", "0"}, {"20.00", "0", "0"}}, false, "5.00", []string{"0.00/0.00", "5.00/15.00"}},
		{"a zero-total order", [][3]string{{"25.00", "25.00", "0"}}, false, "0", []string{"25.00/0.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(tt.lines...)
			o.GrossIncludesTax = tt.inclTax
			if err := normalize.ComputeNets(&o, d(tt.orderDiscount), "total_discounts"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, nets(&o)); diff != "" {
				t.Errorf("discount/net (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeNetsErrors(t *testing.T) {
	tests := []struct {
		name          string
		lines         [][3]string
		orderDiscount string
		kind          error
		msg           string
	}{
		{"negative order discount", [][3]string{{"10.00", "0", "0"}}, "-1.00", normalize.ErrInvalid,
			"shopify: order 1001: total_discounts: normalize: invalid value: order-level discount -1 is negative"},
		{"order discount above the lines' value", [][3]string{{"10.00", "4.00", "0"}}, "6.01", normalize.ErrInvalid,
			"shopify: order 1001: total_discounts: normalize: invalid value: order-level discount 6.01 exceeds the lines' value 6"},
		{"line discount above gross", [][3]string{{"10.00", "10.01", "0"}}, "0", normalize.ErrInvalid,
			"shopify: order 1001: line a: items[0].net: normalize: invalid value: negative amount -0.01"},
		{"line discount above gross with an order discount", [][3]string{{"10.00", "10.01", "0"}}, "1.00", normalize.ErrInvalid,
			"shopify: order 1001: line a: normalize: invalid value: discount and tax exceed the line's gross 10"},
		{"fraction of a cent", [][3]string{{"10.005", "0", "0"}}, "0", normalize.ErrInvalid,
			"shopify: order 1001: line a: items[0].gross: normalize: invalid value: amount 10.005 has more digits than the currency's minor unit (2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(tt.lines...)
			err := normalize.ComputeNets(&o, d(tt.orderDiscount), "total_discounts")
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if err.Error() != tt.msg {
				t.Errorf("err =\n%q\nwant\n%q", err, tt.msg)
			}
		})
	}
}

// Instants outside 1970-9999 are refused wherever an order or refund is
// validated: event ids carry milliseconds since 1970.
func TestValidateInstants(t *testing.T) {
	before := time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)
	tests := []struct {
		name string
		edit func(o *normalize.Order)
		msg  string
	}{
		{"order_ts before 1970", func(o *normalize.Order) { o.OrderTS = before },
			"shopify: order 1001: order_ts: normalize: invalid value: instant 1969-12-31T23:59:59Z is outside 1970-9999"},
		{"version before 1970", func(o *normalize.Order) { o.Version = before },
			"shopify: order 1001: version: normalize: invalid value: instant 1969-12-31T23:59:59Z is outside 1970-9999"},
		{"version after 9999", func(o *normalize.Order) { o.Version = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
			"shopify: order 1001: version: normalize: invalid value: instant 10000-01-01T00:00:00Z is outside 1970-9999"},
		{"refund before 1970", func(o *normalize.Order) {
			o.Refunds = []normalize.Refund{{RefundID: "r", TS: before}}
		}, "shopify: order 1001: refunds[0].ts: normalize: invalid value: instant 1969-12-31T23:59:59Z is outside 1970-9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order([3]string{"10.00", "0", "0"})
			if err := normalize.ComputeNets(&o, decimal.Zero, ""); err != nil {
				t.Fatal(err)
			}
			tt.edit(&o)
			err := normalize.Validate(&o)
			if !errors.Is(err, normalize.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if err.Error() != tt.msg {
				t.Errorf("err =\n%q\nwant\n%q", err, tt.msg)
			}
		})
	}
}

func TestCommissionable(t *testing.T) {
	base := func(status normalize.Status, refunds ...normalize.Refund) normalize.Order {
		o := order([3]string{"60.00", "0", "0"}, [3]string{"40.00", "10.00", "0"})
		o.Items[0].Qty, o.Items[0].UnitPrice = 3, d("20.00")
		if err := normalize.ComputeNets(&o, decimal.Zero, ""); err != nil {
			t.Fatal(err)
		}
		o.Status = status
		o.Refunds = refunds
		return o
	}
	refund := func(id string, lines ...normalize.RefundLine) normalize.Refund {
		return normalize.Refund{RefundID: id, TS: placed.Add(time.Hour), Items: lines}
	}
	tests := []struct {
		name string
		o    normalize.Order
		want []string
	}{
		{"paid earns its nets", base(normalize.StatusPaid), []string{"60", "30"}},
		{"pending earns nothing yet", base(normalize.StatusPending), []string{"0", "0"}},
		{"cancelled earns nothing", base(normalize.StatusCancelled), []string{"0", "0"}},
		{"voided earns nothing", base(normalize.StatusVoided), []string{"0", "0"}},
		{"refunded earns nothing", base(normalize.StatusRefunded), []string{"0", "0"}},
		{"a partial refund takes back its net", base(normalize.StatusPartiallyRefunded,
			refund("r1", normalize.RefundLine{LineID: "a", Qty: 1, Net: d("20.00")})), []string{"40", "30"}},
		{"repeated partial refunds add up", base(normalize.StatusPartiallyRefunded,
			refund("r1", normalize.RefundLine{LineID: "a", Qty: 1, Net: d("20.00")}),
			refund("r2", normalize.RefundLine{LineID: "a", Qty: 2, Net: d("40.00")}, normalize.RefundLine{LineID: "b", Qty: 1, Net: d("30.00")})),
			[]string{"0", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := normalize.Validate(&tt.o); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, strs(normalize.Commissionable(&tt.o))); diff != "" {
				t.Errorf("Commissionable (-want +got):\n%s", diff)
			}
		})
	}
}

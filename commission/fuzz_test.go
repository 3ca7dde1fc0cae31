package commission_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/uplinehq/upline/commission"
)

// FuzzLoadPlan: any body either loads or fails with an *Error wrapping
// ErrPlan; a loaded plan loads the same way twice and runs against an order
// with events that never pay more than the cap.
func FuzzLoadPlan(f *testing.F) {
	f.Add([]byte(benchPlan))
	f.Add([]byte(planWith(`,"currency_rounding":"half_even","max_payout_share":"0.1"`,
		`{"type":"unilevel","name":"u","basis":"cv","rates":{"*":["0.1","0.05"]},"rates_by_rank":{"2":{"*":["0.2"]}},"depth_by_rank":{"0":1},"unpaid":"rollup"},
		 {"type":"rank_differential","name":"o","basis":"net","rates_by_rank":{"1":"0.01","3":"0.04"},"qualify":{"statuses":["active","inactive"],"min_rank":1}},
		 {"type":"retail_profit","name":"r","basis":"net","rates":{"*":"0.2"}},
		 {"type":"fast_start","name":"f","basis":"pv","days":30,"rates":["0.25","0.05"]}`)))
	g, cat := tree(f), catalog(f)
	order := mustOrder(f, withRefs(`"customer_ref":"R",`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := commission.LoadPlan(body)
		if err != nil {
			var ce *commission.Error
			if !errors.As(err, &ce) || !errors.Is(err, commission.ErrPlan) {
				t.Fatalf("error %v is not an *Error wrapping ErrPlan", err)
			}
			return
		}
		p2, err := commission.LoadPlan(body)
		if err != nil || p2.ID != p.ID || len(p2.Rules) != len(p.Rules) {
			t.Fatal("loading twice differs")
		}
		e, err := commission.New(cat, g, p)
		if err != nil {
			return
		}
		o := order
		c1, err1 := e.Calculate(&o, commission.Lock{Known: known})
		c2, err2 := e.Calculate(&o, commission.Lock{Known: known})
		if (err1 == nil) != (err2 == nil) {
			t.Fatal("replay differs in error")
		}
		if err1 != nil {
			return
		}
		if !bytes.Equal(commission.MarshalEvents(c1.Events), commission.MarshalEvents(c2.Events)) {
			t.Fatal("replay differs")
		}
		if c1.Capped {
			var total int64
			for i := range c1.Events {
				total += c1.Events[i].AmountMinor()
			}
			if c1.Cap().Shift(2).IntPart() != total {
				t.Fatalf("capped total %d != cap %s", total, c1.Cap())
			}
		}
	})
}

// FuzzEventJSON: an event that decodes encodes to bytes that decode to
// the same encoding.
func FuzzEventJSON(f *testing.F) {
	if b, err := os.ReadFile("testdata/golden/kit_events.jsonl"); err == nil {
		for _, l := range splitLines(b) {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e commission.Event
		if err := e.UnmarshalJSON(body); err != nil {
			if !errors.Is(err, commission.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out := e.AppendJSON(nil)
		var back commission.Event
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if again := back.AppendJSON(nil); !bytes.Equal(again, out) {
			t.Fatalf("unstable:\n%s\n%s", out, again)
		}
	})
}

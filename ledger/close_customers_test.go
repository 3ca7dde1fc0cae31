package ledger_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/internal/testworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// TestVolumeEntriesRecordTheCustomer: an order a retail customer places
// is credited to its sponsor with volume entries naming the customer; a
// plan with "pv_excludes_customers" leaves them out of the sponsor's PV,
// not of its QV. A volume entry without a customer — the member's own
// purchase, or any entry written before volume entries recorded the
// customer — counts as the member's own. An order whose buyer turns out
// to be a customer at a later revision moves its volume to the
// customer's slot.
func TestVolumeEntriesRecordTheCustomer(t *testing.T) {
	g, err := testworld.Genealogy(testworld.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	jan := testworld.Jan
	if err := g.Enroll("RC", hierarchy.Retail, "C", jan, jan); err != nil {
		t.Fatal(err)
	}
	cat, err := testworld.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	store := ledger.NewMemory()
	w := &ledgerworld.World{}
	own := w.Life(t, "9001", "C", ledgerworld.Placed)[1]    // paid: PV 75 + 70
	bought := w.Life(t, "9002", "C", ledgerworld.Placed)[1] // the same, bought by RC
	bought.CustomerRef = "RC"
	later := w.Life(t, "9003", "C", ledgerworld.Placed)[1:3] // posted as C's; its refund revision says RC bought it
	later[1].CustomerRef = "RC"
	var e *commission.Engine
	for _, exclude := range []bool{false, true} {
		body := strings.Replace(ledgerworld.ClosePlan("order_period"), `"active_pv":"0",`, fmt.Sprintf(`"active_pv":"0","pv_excludes_customers":%v,`, exclude), 1)
		plan, err := ledgerworld.LoadClosePlan(body)
		if err != nil {
			t.Fatal(err)
		}
		if e, err = commission.New(cat, g, plan); err != nil {
			t.Fatal(err)
		}
		l := ledger.New(store, e)
		if !exclude {
			for _, o := range append([]normalize.Order{own, bought}, later...) {
				if _, err := l.Post(ctx, &o, o.Version); err != nil {
					t.Fatal(err)
				}
			}
			// A volume entry as written before entries recorded the
			// customer: none, so the member's own.
			old := ledger.Entry{ID: "old volume", Type: ledger.TypeVolume, Member: "C", Currency: "USD", Effective: ledgerworld.Placed,
				Posted: ledgerworld.Placed, Revision: ledgerworld.Placed, Placed: ledgerworld.Placed,
				Volume: &ledger.Volume{LineID: "1", PV: decimal.RequireFromString("10"), QV: decimal.RequireFromString("8")}}
			if err := store.Append(ctx, "old", 0, []ledger.Entry{old}); err != nil {
				t.Fatal(err)
			}
			var vols []string
			if err := store.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeVolume}}, func(e *ledger.Entry) error {
				vols = append(vols, fmt.Sprintf("%s %s %q %s", e.Member, e.Volume.LineID, e.Volume.Customer, e.Volume.PV))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want := []string{`C 1 "" 10`, `C 1 "" 75`, `C 2 "" 70`, `C 1 "RC" 75`, `C 2 "RC" 70`,
				`C 1 "" 75`, `C 2 "" 70`, `C 1 "RC" 50`, `C 2 "RC" 70`, `C 1 "" -75`, `C 2 "" -70`}
			if diff := cmp.Diff(want, vols); diff != "" {
				t.Fatalf("volume entries (-want +got):\n%s", diff)
			}
		}
		c, err := l.Preview(ctx, "2025-08", time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		r, ok := c.Report("C")
		if !ok {
			t.Fatal("no report for C")
		}
		// Own: 10 + 145; customers: 145 (9002) + 120 (9003, less the
		// refund of one unit of line 1). QV is PV for these SKUs, plus
		// the old entry's 8, and keeps the customers' orders.
		pv, qv := "420", "418"
		if exclude {
			pv = "155"
		}
		if got := r.Volumes.PV.String() + " " + r.Volumes.QV.String(); got != pv+" "+qv {
			t.Errorf("exclude %v: C's PV QV = %s, want %s %s", exclude, got, pv, qv)
		}
	}
}

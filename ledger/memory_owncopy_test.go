package ledger_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// TestMemoryReaderOwnsItsVolumes: a reader that changes a volume it read
// from Memory (whose recent streams are kept decoded) changes neither the
// store nor the volume corrections a later post appends.
func TestMemoryReaderOwnsItsVolumes(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	life := w.Life(t, "1", "C", ledgerworld.Placed)
	mem, fresh := ledger.NewMemory(), ledger.NewMemory()
	post := func(s ledger.Store, o normalize.Order, step int) {
		o.Version = ledgerworld.Placed.Add(time.Duration(step) * time.Minute)
		o.Items = append([]normalize.Line(nil), o.Items...)
		if _, err := ledger.New(s, w.Engine).Post(ctx, &o, o.Version); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []ledger.Store{mem, fresh} {
		post(s, life[1], 1)
	}
	es, _, err := mem.Stream(ctx, ledger.OrderStream(life[1].Key()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range es {
		if v := es[i].Volume; v != nil {
			v.PV = decimal.NewFromInt(1000) // a report's scratch, say
		}
	}
	cancelled := life[1]
	cancelled.Status = normalize.StatusCancelled
	for _, s := range []ledger.Store{mem, fresh} {
		post(s, cancelled, 2)
	}
	sameEntries(t, fresh, mem, 1)
}

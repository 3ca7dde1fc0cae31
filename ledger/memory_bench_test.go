package ledger_test

import (
	"encoding/binary"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// BenchmarkMemoryHeap posts the whole life of 100,000 orders (four
// revisions, 24 entries with 16 events and 4 snapshots each) to a new
// memory store and reports the heap the ledger keeps per order, after
// garbage collection. The target: at most a quarter of what the code
// before issue 15 kept (see the README's performance table).
func BenchmarkMemoryHeap(b *testing.B) {
	if testing.Short() {
		b.Skip("posts 400,000 revisions")
	}
	const n = 100_000
	w := ledgerworld.NewWorld(b)
	revs := w.Life(b, "1", "C", ledgerworld.Placed)
	var perOrder float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l := ledger.New(ledger.NewMemory(), w.Engine)
		for i := range n {
			for _, o := range revs {
				o.PlatformOrderID = strconv.Itoa(i)
				if _, err := l.Post(ctx, &o, ledgerworld.Placed); err != nil {
					b.Fatal(err)
				}
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perOrder = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(l)
	}
	b.ReportMetric(perOrder, "heap-B/order")
}

// BenchmarkPostLedgerSize posts new paid orders (11 entries each) to a
// memory store that holds the lives of 1,000 orders and to one that
// holds 1,000,000, side by side in each iteration, and reports the median
// of each and their ratio, large over small: medians, so that a busy
// machine's pauses weigh on neither side. The target: at most 1.3.
func BenchmarkPostLedgerSize(b *testing.B) {
	if testing.Short() {
		b.Skip("fills a ledger of 1,000,000 orders")
	}
	w := ledgerworld.NewWorld(b)
	revs := w.Life(b, "T", "C", ledgerworld.Placed)
	tmpl := ledger.NewMemory()
	lt := ledger.New(tmpl, w.Engine)
	for i := range revs {
		mustPost(b, lt, &revs[i], ledgerworld.Placed)
	}
	life, _, err := tmpl.Stream(ctx, ledger.OrderStream(revs[0].Key()))
	if err != nil {
		b.Fatal(err)
	}
	var ls []*ledger.Ledger
	for _, n := range []int{1_000, 1_000_000} {
		m := ledger.NewMemory()
		for i := range n {
			if err := appendLife(m, life, i); err != nil {
				b.Fatal(err)
			}
		}
		ls = append(ls, ledger.New(m, w.Engine))
	}
	o := revs[1]
	var ts [2][]time.Duration
	runtime.GC()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		o.PlatformOrderID = "new " + strconv.Itoa(i)
		for k, l := range ls {
			start := time.Now()
			r, err := l.Post(ctx, &o, ledgerworld.Placed)
			ts[k] = append(ts[k], time.Since(start))
			if err != nil || r.Outcome != ledger.Posted {
				b.Fatal(r.Outcome, err)
			}
		}
	}
	ledgerworld.ReportMedians(b, ts[0], ts[1], "post")
}

// appendLife appends to m, for order number i, the entries life holds
// for another order: its key, ids and event ids made its own. Each order
// is one append, as each post is, so that no two orders share a
// snapshot.
func appendLife(m *ledger.Memory, life []ledger.Entry, i int) error {
	from := life[0].Order
	to := normalize.Key{Platform: from.Platform, Store: from.Store, OrderID: strconv.Itoa(i)}
	oldStream, stream := ledger.OrderStream(from), ledger.OrderStream(to)
	own := func(id ulid.ULID) ulid.ULID {
		if id != (ulid.ULID{}) {
			binary.BigEndian.PutUint32(id[12:], uint32(i))
		}
		return id
	}
	es := make([]ledger.Entry, len(life))
	events := make([]commission.Event, 0, len(life))
	for k, e := range life {
		e.ID = strings.Replace(e.ID, oldStream, stream, 1)
		e.Order = to
		if e.Event != nil {
			ev := *e.Event
			ev.ID, ev.Corrects, ev.Order = own(ev.ID), own(ev.Corrects), to
			e.ID = ev.ID.String()
			events = append(events, ev)
			e.Event = &events[len(events)-1]
		}
		if e.Body != nil {
			body := *e.Body
			body.PlatformOrderID = to.OrderID
			e.Body = &body
		}
		es[k] = e
	}
	return m.Append(ctx, stream, 0, es)
}

// BenchmarkMemoryStream reads one order's stream (its whole life, 24
// entries) from a memory store holding 1,000 orders, again and again
// ("stream": the store keeps the streams it read last) and each order's
// in turn ("stream-cold"), and sums one member's entries there (about
// 8,000): the reads a post and a balance make.
func BenchmarkMemoryStream(b *testing.B) {
	w := ledgerworld.NewWorld(b)
	revs := w.Life(b, "1", "C", ledgerworld.Placed)
	m := ledger.NewMemory()
	l := ledger.New(m, w.Engine)
	for i := range 1000 {
		for _, o := range revs {
			o.PlatformOrderID = strconv.Itoa(i)
			mustPost(b, l, &o, ledgerworld.Placed)
		}
	}
	stream := ledger.OrderStream(revs[0].Key())
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if es, v, err := m.Stream(ctx, stream); err != nil || v != 24 || len(es) != 24 {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("stream-cold", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			k := revs[0].Key()
			k.OrderID = strconv.Itoa(i % 1000)
			if es, v, err := m.Stream(ctx, ledger.OrderStream(k)); err != nil || v != 24 || len(es) != 24 {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("sum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if bs, err := m.Sum(ctx, ledger.Filter{Member: "B"}); err != nil || len(bs) != 1 {
				b.Fatal(bs, err)
			}
		}
	})
}

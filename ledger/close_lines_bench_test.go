//go:build linux

package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// linesPerMember: 1M members, 10M order lines.
const linesPerMember = 10

// lineUnits are a line's PV per unit and quantity: 8 kinds, 5.2 PV a
// line on average, so members' PV spreads around the plan's 50.
var lineUnits = []string{"1.5", "2.5", "3.5", "6.25"}

// linesAt is the instant the lines are placed, in August 2025.
var linesAt = time.Date(2025, 8, 1, 1, 0, 0, 0, time.UTC)

// linesWorld is n members (benchEngine's tree), each with one order of
// linesPerMember lines placed in August 2025 and in each of the months-1
// months before: in a ledger.Memory, the volume entries a post appends
// (one stream an order, ids, order key, lock and instants as a post
// writes them), and, when orders is set, August's as the reference's
// orders.
func linesWorld(b *testing.B, n, months int, orders bool) (*ledger.Memory, []refMember, []refOrder) {
	b.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	_, ms := benchEngine(b, n, rng, "ref", `"rules":[]`)
	type unit struct {
		pv  decimal.Decimal
		qty int64
	}
	var units []unit
	var vols []decimal.Decimal
	for _, u := range lineUnits {
		for qty := range int64(2) {
			pv := decimal.RequireFromString(u)
			units = append(units, unit{pv, qty + 1})
			vols = append(vols, pv.Mul(decimal.NewFromInt(qty+1)))
		}
	}
	lines := make([]string, linesPerMember)
	for l := range lines {
		lines[l] = "L" + strconv.Itoa(l)
	}
	s := ledger.NewMemory()
	var ref []refOrder
	var batch []ledger.Append
	flush := func() {
		if err := s.AppendBatch(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n * months {
		month := i / n
		placed := linesAt.AddDate(0, -month, 0)
		lock := commission.Lock{PlanID: "ref", PlanVersion: 1, Known: placed}
		rev := placed.Format(time.RFC3339Nano)
		i := i % n
		key := normalize.Key{Platform: "bench", Store: "s", OrderID: ms[i].id + "-" + strconv.Itoa(month)}
		stream := ledger.OrderStream(key)
		o := refOrder{buyer: i, placed: placed}
		es := make([]ledger.Entry, linesPerMember)
		for l := range es {
			k := rng.IntN(len(units))
			v := vols[k]
			es[l] = ledger.Entry{ID: "volume " + stream + " " + rev + " " + strconv.Quote(ms[i].id) + " " + strconv.Quote(lines[l]) + ` ""`,
				Type: ledger.TypeVolume, Member: ms[i].id, Currency: "USD", Effective: placed, Posted: placed, Order: key,
				Revision: placed, Lock: lock, Placed: placed, Volume: &ledger.Volume{LineID: lines[l], PV: v, QV: v, CV: v, Net: v}}
			if orders && month == 0 {
				o.lines = append(o.lines, refLine{pv: units[k].pv, qty: units[k].qty})
			}
		}
		if orders && month == 0 {
			ref = append(ref, o)
		}
		batch = append(batch, ledger.Append{Stream: stream, Entries: es})
		if len(batch) == 1000 {
			flush()
		}
	}
	flush()
	return s, ms, ref
}

// linesLedger is a ledger over s closing with an engine over linesWorld's
// tree of n members, its plan with id and period rules rules: each id's
// close of August is a first close, appending to a stream of its own.
func linesLedger(b *testing.B, s ledger.Store, n int, id, rules string) *ledger.Ledger {
	b.Helper()
	e, _ := benchEngine(b, n, rand.New(rand.NewPCG(uint64(n), 11)), id, rules)
	return ledger.New(s, e)
}

// unkept is a ledger.Memory (its Volumes and reads included) that keeps
// no period stream's entries, and counts them: the close's cost without
// the store's.
type unkept struct {
	*ledger.Memory
	appended int
}

func (s *unkept) Append(ctx context.Context, stream string, version int, entries []ledger.Entry) error {
	if strings.HasPrefix(stream, "period ") {
		s.appended = len(entries)
		return nil
	}
	return s.Memory.Append(ctx, stream, version, entries)
}

// awardJSON is a ledger.Memory that keeps a period stream's awards as
// Memory kept them before it wrote their fields and each report once:
// each award's JSON, with the beneficiary's whole report in it, read
// back at append to check it, and kept (here beside the store, the rest
// of each entry in it), and read from it again on every read of the
// stream. BenchmarkCloseLines' stored-bonuses measures it beside Memory.
type awardJSON struct {
	*ledger.Memory
	kept map[string][][]byte // by stream
}

func (s *awardJSON) Stream(ctx context.Context, stream string) ([]ledger.Entry, int, error) {
	es, v, err := s.Memory.Stream(ctx, stream)
	kept := s.kept[stream]
	for i := range es {
		if err == nil && es[i].Type == ledger.TypeAward {
			es[i].Award = new(commission.Award)
			err = es[i].Award.UnmarshalJSON(kept[0])
			kept = kept[1:]
		}
	}
	return es, v, err
}

func (s *awardJSON) Append(ctx context.Context, stream string, version int, entries []ledger.Entry) error {
	if !strings.HasPrefix(stream, "period ") {
		return s.Memory.Append(ctx, stream, version, entries)
	}
	rest := slices.Clone(entries)
	for i := range rest {
		if aw := rest[i].Award; aw != nil {
			js := aw.AppendJSON(nil)
			var back commission.Award
			if err := back.UnmarshalJSON(js); err != nil {
				return err
			}
			if s.kept == nil {
				s.kept = make(map[string][][]byte)
			}
			s.kept[stream] = append(s.kept[stream], js)
			rest[i].Award = nil
		}
	}
	return s.Memory.Append(ctx, stream, version, rest)
}

// heapKept returns the bytes the heap holds after a collection.
func heapKept() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkCloseLines closes, through Ledger.Close over a ledger.Memory
// holding the lines, a period of 1M members and 10M order lines with
// ranks (leg caps, leg counts, a breakaway) and the five built-in period
// rules: the lines' volume entries summed per member by the store
// (Memory.Volumes), the close computed, its awards, carries and close
// record built and kept by the store. It reports seconds (wall and
// process CPU) of a first close, the process's resident memory before it
// (the store and the tree), its peak while it runs (VmRSS, VmHWM reset
// first) and after it (the store now holding the close's entries). On
// one 2,000-member tree in the same run it reports the close's CPU per
// member against the decimal
// reference's: without period rules (which the reference computes none
// of), appending to the Memory; the same on a Memory that also holds the
// eleven months of lines before (history: a close's cost does not grow
// with the ledger's history); with the five rules, unkept; and, in
// stored-bonuses, with the five, kept by the Memory, beside the same
// close kept as Memory kept awards before (awardJSON), with the heap
// each leaves held and the CPU time of reading its stream back. Each
// close is a first close: a plan id of its own. Run with -cpu 1 and
// -benchtime 1x; skipped under -short.
func BenchmarkCloseLines(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a genealogy of 1M members and 10M order lines")
	}
	ctx := context.Background()
	at := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
	b.Run("members=1M/lines=10M", func(b *testing.B) {
		const n = 1_000_000
		s, _, _ := linesWorld(b, n, 1, false)
		b.ReportAllocs()
		closes := 0
		var cpu time.Duration
		var base, peak, after int64
		entries := 0
		for b.Loop() {
			b.StopTimer()
			l := linesLedger(b, s, n, "ref-"+strconv.Itoa(closes), bonusRules)
			closes++
			runtime.GC()
			debug.FreeOSMemory()
			base = procStatusKB(b, "VmRSS")
			if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
				b.Logf("VmHWM not reset (%v): the peak includes building the world", err)
			}
			b.StartTimer()
			t0 := cpuTime()
			res, err := l.Close(ctx, "2025-08", at)
			if err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - t0
			peak = procStatusKB(b, "VmHWM")
			b.StopTimer()
			entries = len(res.Entries)
			runtime.GC()
			debug.FreeOSMemory()
			after = procStatusKB(b, "VmRSS")
			runtime.KeepAlive(l)
			b.StartTimer()
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/close")
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/close")
		b.ReportMetric(float64(base)/1024, "base-RSS-MB")
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		b.ReportMetric(float64(after)/1024, "after-RSS-MB")
		b.ReportMetric(float64(entries), "entries")
	})
	b.Run("vs-reference/members=2000", func(b *testing.B) {
		const n, closes = 2000, 20
		s, ms, orders := linesWorld(b, n, 1, true)
		// The same lines with eleven months of history before them.
		history, _, _ := linesWorld(b, n, 12, false)
		per := commission.Period{From: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}
		var fast, full, hist, ref time.Duration
		round := 0
		bonuses := &unkept{Memory: s}
		// closes ledgers over s, each with a plan id of its own (a first
		// close each), the plan's period rules rules.
		run := func(s ledger.Store, rules string) time.Duration {
			ls := make([]*ledger.Ledger, closes)
			for i := range ls {
				ls[i] = linesLedger(b, s, n, fmt.Sprintf("ref-%d-%d", round, i), rules)
			}
			runtime.GC()
			t0 := cpuTime()
			for _, l := range ls {
				if res, err := l.Close(ctx, "2025-08", at); err != nil || res.Outcome != ledger.Posted {
					b.Fatal(err, res.Outcome)
				}
			}
			return cpuTime() - t0
		}
		// Process CPU time, which waiting for a core on a shared host
		// does not inflate; each side starts from a collected heap; the
		// closes run 20 times a round so that their CPU time is well
		// above the clock's tick. The store grows by each close's
		// entries, which Volumes does not visit.
		for b.Loop() {
			fast += run(s, `"rules":[]`)
			hist += run(history, `"rules":[]`)
			full += run(bonuses, bonusRules)
			round++
			runtime.GC()
			t1 := cpuTime()
			referenceClose(ms, orders, per, false)
			ref += cpuTime() - t1
		}
		perFast := float64(fast.Nanoseconds()) / float64(b.N*closes*n)
		perFull := float64(full.Nanoseconds()) / float64(b.N*closes*n)
		perHist := float64(hist.Nanoseconds()) / float64(b.N*closes*n)
		perRef := float64(ref.Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(perFast, "close-cpu-ns/member")
		b.ReportMetric(perFull, "bonus-close-cpu-ns/member")
		b.ReportMetric(perHist, "history-close-cpu-ns/member")
		b.ReportMetric(perRef, "reference-cpu-ns/member")
		b.ReportMetric(perRef/perFast, "ratio")
		b.ReportMetric(perRef/perFull, "bonus-ratio")
		b.ReportMetric(float64(bonuses.appended)/n, "entries/member")
	})
	b.Run("stored-bonuses/members=2000", func(b *testing.B) {
		const n = 2000
		s, _, _ := linesWorld(b, n, 1, false)
		old := &awardJSON{Memory: s}
		// measured sums, per side, a close's CPU time, the heap it leaves
		// held, and the CPU time of reading its stream back.
		type measured struct {
			close, read time.Duration
			kept        int64
		}
		var got, gotOld measured
		closes := 0
		closeOn := func(s ledger.Store, m *measured) {
			id := "ref-" + strconv.Itoa(closes)
			l := linesLedger(b, s, n, id, bonusRules)
			closes++
			heap := heapKept()
			t0 := cpuTime()
			if res, err := l.Close(ctx, "2025-08", at); err != nil || res.Outcome != ledger.Posted {
				b.Fatal(err, res.Outcome)
			}
			m.close += cpuTime() - t0
			runtime.KeepAlive(l)
			m.kept += heapKept() - heap
			t0 = cpuTime()
			if es, _, err := s.Stream(ctx, ledger.PeriodStream(id, "2025-08")); err != nil || es[0].Award.Snapshot() == nil {
				b.Fatal(err)
			}
			m.read += cpuTime() - t0
		}
		for b.Loop() {
			closeOn(s, &got)
			closeOn(old, &gotOld)
		}
		per := func(x float64) float64 { return x / float64(b.N*n) }
		b.ReportMetric(per(float64(got.close)), "bonus-close-cpu-ns/member")
		b.ReportMetric(per(float64(gotOld.close)), "json-bonus-close-cpu-ns/member")
		b.ReportMetric(float64(gotOld.close)/float64(got.close), "ratio")
		b.ReportMetric(per(float64(got.kept)), "kept-B/member")
		b.ReportMetric(per(float64(gotOld.kept)), "json-kept-B/member")
		b.ReportMetric(per(float64(got.read)), "read-cpu-ns/member")
		b.ReportMetric(per(float64(gotOld.read)), "json-read-cpu-ns/member")
	})
}

// procStatusKB reads a kB field of /proc/self/status.
func procStatusKB(b *testing.B, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

//go:build linux

package ledger_test

import (
	"bufio"
	"context"
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
)

// linesPerMember: 1M members, 10M order lines.
const linesPerMember = 10

// lineStore is a ledger.Store holding one period's order lines, as
// volume entries generated on the fly from one byte per line (which of
// vols it is; the lines of member i are lines
// [i*linesPerMember, (i+1)*linesPerMember)): Close reads them through
// Scan as from any store, without the cost of a store's own reading,
// which is the store's to measure. It appends nothing: every Close is a
// first close, and counts what it would append.
type lineStore struct {
	ids      []string
	kind     []uint8
	vols     []ledger.Volume
	per      commission.Period
	at       time.Time // the lines' placed and effective instant
	appended int
}

func (s *lineStore) Append(_ context.Context, _ string, _ int, entries []ledger.Entry) error {
	s.appended = len(entries)
	return nil
}

func (s *lineStore) Stream(context.Context, string) ([]ledger.Entry, int, error) { return nil, 0, nil }

func (s *lineStore) After(context.Context, int64, int) ([]ledger.Entry, error) { return nil, nil }

func (s *lineStore) Scan(_ context.Context, f ledger.Filter, fn func(*ledger.Entry) error) error {
	if !slices.Contains(f.Types, ledger.TypeVolume) {
		return nil
	}
	e := &ledger.Entry{Type: ledger.TypeVolume, Currency: "USD", Effective: s.at, Placed: s.at}
	for j, k := range s.kind {
		e.Member, e.Volume = s.ids[j/linesPerMember], &s.vols[k]
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// lineUnits are a line's PV per unit and quantity: 8 kinds, 5.2 PV a
// line on average, so members' PV spreads around the plan's 50.
var lineUnits = []string{"1.5", "2.5", "3.5", "6.25"}

// linesWorld is n members (benchEngine's tree, its plan with period
// rules rules), each with linesPerMember order lines placed in August
// 2025, as a lineStore and, when orders is set, as the reference's orders.
func linesWorld(b *testing.B, n int, rules string, orders bool) (*ledger.Ledger, *lineStore, []refMember, []refOrder) {
	b.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	e, ms := benchEngine(b, n, rng, rules)
	per, _, err := e.Period("2025-08")
	if err != nil {
		b.Fatal(err)
	}
	s := &lineStore{ids: make([]string, n), kind: make([]uint8, n*linesPerMember), per: per, at: per.From.Add(time.Hour)}
	type unit struct {
		pv  decimal.Decimal
		qty int64
	}
	var units []unit
	for _, u := range lineUnits {
		for qty := range int64(2) {
			pv := decimal.RequireFromString(u)
			units = append(units, unit{pv, qty + 1})
			v := pv.Mul(decimal.NewFromInt(qty + 1))
			s.vols = append(s.vols, ledger.Volume{PV: v, QV: v, CV: v, Net: v})
		}
	}
	var ref []refOrder
	for i := range ms {
		s.ids[i] = ms[i].id
		o := refOrder{buyer: i, placed: s.at}
		for l := range linesPerMember {
			k := uint8(rng.IntN(len(units)))
			s.kind[i*linesPerMember+l] = k
			if orders {
				o.lines = append(o.lines, refLine{pv: units[k].pv, qty: units[k].qty})
			}
		}
		if orders {
			ref = append(ref, o)
		}
	}
	return ledger.New(s, e), s, ms, ref
}

// BenchmarkCloseLines closes, through Ledger.Close, a period of 1M
// members and 10M order lines with ranks (leg caps, leg counts, a
// breakaway) and the five built-in period rules: the lines' volume
// entries summed per member, the close computed, its awards, carries
// and close record built and handed to the store. It reports seconds
// (wall and process CPU) per close, the process's resident memory before
// the closes and its peak while they run (VmRSS, VmHWM reset first), and,
// on one 2,000-member tree in the same run, the close's CPU per member
// against the decimal reference's (volumes and ranks only: it computes
// no period rule, so the ratio understates the close's lead). Run with
// -cpu 1; skipped under -short.
func BenchmarkCloseLines(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a genealogy of 1M members and 10M order lines")
	}
	ctx := context.Background()
	at := time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)
	b.Run("members=1M/lines=10M", func(b *testing.B) {
		l, s, _, _ := linesWorld(b, 1_000_000, bonusRules, false)
		b.ReportAllocs()
		runtime.GC()
		debug.FreeOSMemory()
		base := procStatusKB(b, "VmRSS")
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Logf("VmHWM not reset (%v): the peak includes building the world", err)
		}
		t0 := cpuTime()
		for b.Loop() {
			if _, err := l.Close(ctx, "2025-08", at); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/close")
		b.ReportMetric((cpuTime()-t0).Seconds()/float64(b.N), "cpu-s/close")
		b.ReportMetric(float64(base)/1024, "base-RSS-MB")
		b.ReportMetric(float64(procStatusKB(b, "VmHWM"))/1024, "peak-RSS-MB")
		b.ReportMetric(float64(s.appended), "entries")
	})
	b.Run("vs-reference/members=2000", func(b *testing.B) {
		const n, closes = 2000, 20
		// The same tree and lines twice: the plan with the period
		// rules, and without them, which computes what the reference
		// does.
		bonuses, s, _, _ := linesWorld(b, n, bonusRules, false)
		l, _, ms, orders := linesWorld(b, n, `"rules":[]`, true)
		var fast, full, ref time.Duration
		run := func(l *ledger.Ledger) time.Duration {
			runtime.GC()
			t0 := cpuTime()
			for range closes {
				if _, err := l.Close(ctx, "2025-08", at); err != nil {
					b.Fatal(err)
				}
			}
			return cpuTime() - t0
		}
		// Process CPU time, which waiting for a core on a shared host
		// does not inflate; each side starts from a collected heap; the
		// closes run 20 times a round so that their CPU time is well
		// above the clock's tick.
		for b.Loop() {
			fast += run(l)
			full += run(bonuses)
			runtime.GC()
			t1 := cpuTime()
			referenceClose(ms, orders, s.per, false)
			ref += cpuTime() - t1
		}
		perFast := float64(fast.Nanoseconds()) / float64(b.N*closes*n)
		perFull := float64(full.Nanoseconds()) / float64(b.N*closes*n)
		perRef := float64(ref.Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(perFast, "close-cpu-ns/member")
		b.ReportMetric(perFull, "bonus-close-cpu-ns/member")
		b.ReportMetric(perRef, "reference-cpu-ns/member")
		b.ReportMetric(perRef/perFast, "ratio")
		b.ReportMetric(perRef/perFull, "bonus-ratio")
		b.ReportMetric(float64(s.appended)/n, "entries/member")
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

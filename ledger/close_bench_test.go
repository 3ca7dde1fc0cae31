//go:build unix

package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
)

// benchWorld is a synthetic close: n members (benchEngine's tree), every
// one with volume from two order lines placed in August 2025.
func benchWorld(b *testing.B, n int) (*commission.Engine, []refMember, []refOrder, *commission.PeriodInput) {
	b.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	// The period's volumes and ranks, without period rules: those are
	// the bonuses' to measure.
	e, ms := benchEngine(b, n, rng, "ref", `"rules":[]`)
	per, _, err := e.Period("2025-08")
	if err != nil {
		b.Fatal(err)
	}
	in := &commission.PeriodInput{Period: per, Known: time.Date(2025, 9, 2, 0, 0, 0, 0, time.UTC)}
	pvs := []decimal.Decimal{decimal.RequireFromString("25"), decimal.RequireFromString("35")}
	orders := make([]refOrder, n)
	for i := range ms {
		o := refOrder{buyer: i, placed: per.From.Add(time.Hour)}
		sum := decimal.Zero
		for l := range 2 {
			line := refLine{pv: pvs[l], qty: int64(rng.IntN(4))}
			o.lines = append(o.lines, line)
			sum = sum.Add(line.pv.Mul(decimal.NewFromInt(line.qty)))
		}
		orders[i] = o
		in.Volumes = append(in.Volumes, commission.PersonalVolume{Member: ms[i].id, PV: sum, QV: sum, CV: sum})
	}
	return e, ms, orders, in
}

// benchEngine builds the genealogy of n members, each sponsored by a
// random earlier member among the last 1,000 enrolled (a deep, bushy
// tree), and an engine over it whose plan is refPlanJSON with its id
// replaced by id and its period rules by periodRules (`"rules":[...]`).
func benchEngine(b *testing.B, n int, rng *rand.Rand, id, periodRules string) (*commission.Engine, []refMember) {
	b.Helper()
	ms := make([]refMember, n)
	var g hierarchy.Genealogy
	jan := testworld.Jan
	for i := range ms {
		ms[i] = refMember{id: fmt.Sprintf("M%07d", i), sponsor: -1, status: hierarchy.Active}
		sponsor := ""
		if i > 0 {
			ms[i].sponsor = max(0, i-1-rng.IntN(1000))
			sponsor = ms[ms[i].sponsor].id
		}
		// A complete binary placement tree, for a binary bonus.
		c := hierarchy.Change{Op: hierarchy.OpEnroll, Member: ms[i].id, Kind: hierarchy.Distributor, Sponsor: sponsor,
			Status: hierarchy.Active, Effective: jan, Recorded: jan}
		if i > 0 {
			c.Parent, c.Leg = ms[(i-1)/2].id, hierarchy.Leg((i-1)%2+1)
		}
		if err := g.Apply(c); err != nil {
			b.Fatal(err)
		}
	}
	cat, err := testworld.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Replace(refPlanJSON, `"rules":[{"type":"pv_bonus","name":"pv_bonus"}]`, periodRules, 1)
	body = strings.Replace(body, `{"id":"ref",`, `{"id":`+strconv.Quote(id)+`,`, 1)
	plan, err := commission.LoadPlan([]byte(body))
	if err != nil {
		b.Fatal(err)
	}
	e, err := commission.New(cat, &g, plan)
	if err != nil {
		b.Fatal(err)
	}
	return e, ms
}

// BenchmarkClose closes a period of 1M members (volumes summed, genealogy
// built), and, on one smaller tree in the same run, the close and the
// reference (decimals, a loop over every member's ancestors): the
// reported ratio is the reference's cost per member over the close's.
// Run with -cpu 1; skipped under -short.
func BenchmarkClose(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a genealogy of 1M members")
	}
	b.Run("members=1M", func(b *testing.B) {
		e, _, _, in := benchWorld(b, 1_000_000)
		b.ReportAllocs()
		runtime.GC()
		t0 := cpuTime()
		for b.Loop() {
			if _, err := e.ClosePeriod(in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-t0).Nanoseconds())/float64(b.N)/1e6, "cpu-ns/member")
	})
	b.Run("vs-reference/members=2000", func(b *testing.B) {
		const n, closes = 2000, 20
		e, ms, orders, in := benchWorld(b, n)
		var fast, ref time.Duration
		// Process CPU time, which waiting for a core on a shared host
		// does not inflate; each side starts from a collected heap, so
		// neither pays for the other's garbage; the close runs 20 times
		// a round so that its CPU time is well above the clock's tick.
		for b.Loop() {
			runtime.GC()
			t0 := cpuTime()
			for range closes {
				if _, err := e.ClosePeriod(in); err != nil {
					b.Fatal(err)
				}
			}
			fast += cpuTime() - t0
			runtime.GC()
			t1 := cpuTime()
			referenceClose(ms, orders, in.Period, false)
			ref += cpuTime() - t1
		}
		perFast := float64(fast.Nanoseconds()) / float64(b.N*closes*n)
		perRef := float64(ref.Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(perFast, "close-cpu-ns/member")
		b.ReportMetric(perRef, "reference-cpu-ns/member")
		b.ReportMetric(perRef/perFast, "ratio")
	})
}

// cpuTime is the process's CPU time, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package postgres_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
)

const crashOrders = 30

// TestCrashChild is the process TestCrashSafety kills: it posts every
// delivery, in the order its seed shuffles them, printing a line after
// each. It does nothing unless UPLINE_CRASH_SCHEMA names its schema.
func TestCrashChild(t *testing.T) {
	schema := os.Getenv("UPLINE_CRASH_SCHEMA")
	if schema == "" {
		t.Skip("run by TestCrashSafety")
	}
	seed, err := strconv.ParseUint(os.Getenv("UPLINE_CRASH_SEED"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	w := ledgerworld.NewWorld(t)
	ds, err := deliveries(w, crashOrders)
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, schema)
	l := ledger.New(s, w.Engine)
	out := bufio.NewWriter(os.Stdout)
	for i, d := range shuffled(ds, seed) {
		if _, err := deliver(l, d); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(out, "posted %d\n", i)
		out.Flush()
	}
}

// TestCrashSafety posts deliveries from a child process that it kills
// with SIGKILL at random moments, at least 20 times, each restart
// delivering everything again in another order; a last run completes. The
// ledger must end exactly as a clean, in-order run on Memory ends: the
// same balances, the same sum in every slot, and every order reconciled.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	schema := schemaFor(t)
	open(t, schema) // migrate once, before the children race
	w := ledgerworld.NewWorld(t)
	ds, err := deliveries(w, crashOrders)
	if err != nil {
		t.Fatal(err)
	}
	total := len(shuffled(ds, 0))
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	run := func(seed uint64, killAfter int) (killed bool, posted int) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v=false")
		cmd.Env = append(os.Environ(), "UPLINE_CRASH_SCHEMA="+schema, "UPLINE_CRASH_SEED="+strconv.FormatUint(seed, 10))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if len(sc.Bytes()) > 6 && string(sc.Bytes()[:6]) == "posted" {
				posted++
			}
			if killAfter >= 0 && posted >= killAfter {
				// Somewhere inside the next post: before, during or
				// after its transaction.
				time.Sleep(time.Duration(rng.IntN(1500)) * time.Microsecond)
				killed = cmd.Process.Signal(syscall.SIGKILL) == nil
				break
			}
		}
		go func() {
			for sc.Scan() {
			}
		}()
		err = cmd.Wait()
		if killed {
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				killed = false // it finished first
			}
		} else if err != nil {
			t.Fatalf("child run %d: %v", seed, err)
		}
		return killed, posted
	}
	kills := 0
	for seed := uint64(1); kills < 20; seed++ {
		if seed > 60 {
			t.Fatalf("only %d of %d runs were killed before they finished", kills, seed-1)
		}
		if killed, _ := run(seed, rng.IntN(total)); killed {
			kills++
		}
	}
	if killed, posted := run(1000, -1); killed || posted != total {
		t.Fatalf("the last run posted %d of %d deliveries", posted, total)
	}
	t.Logf("%d kills; the last run re-delivered all %d deliveries", kills, total)

	got := outcomeOf(t, ledger.New(open(t, schema), w.Engine), ds)
	if d := cmp.Diff(cleanOutcome(t, w, ds), got); d != "" {
		t.Errorf("after crashes, the ledger differs from a clean in-order run (-clean +crashed):\n%s", d)
	}
	checkFollower(t, open(t, schema))
}

// checkFollower reads the whole store with After in small pages: every
// entry once, positions strictly increasing.
func checkFollower(t *testing.T, s ledger.Store) {
	t.Helper()
	var n int
	if err := s.Scan(ctx, ledger.Filter{}, func(*ledger.Entry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	var last int64
	seen := 0
	for {
		es, err := s.After(ctx, last, 97)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			if e.Position <= last {
				t.Fatalf("position %d after %d", e.Position, last)
			}
			last = e.Position
		}
		seen += len(es)
	}
	if seen != n {
		t.Errorf("After read %d entries, Scan %d", seen, n)
	}
}

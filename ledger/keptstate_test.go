package ledger_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// racingStore is a Store whose next Append to a stream, when race is
// set, first runs race: another writer appending to the stream between a
// post's read and its append, which the post loses.
type racingStore struct {
	ledger.Store
	race func()
}

func (s *racingStore) Append(ctx context.Context, stream string, version int, entries []ledger.Entry) error {
	if race := s.race; race != nil {
		s.race = nil
		race()
	}
	return s.Store.Append(ctx, stream, version, entries)
}

// didWhat describes what a post did: its outcome and how many entries it
// appended, or its error.
func didWhat(r ledger.Result, err error) string {
	if err != nil {
		return err.Error()
	}
	return r.Outcome.String() + " " + strconv.Itoa(len(r.Entries))
}

// TestKeptStateFoldsOwnEntries posts random deliveries of two orders —
// revisions paid, pending, cancelled and refunded, stale and repeated
// bodies, refunds delivered on their own — through a Ledger that keeps
// each order's state and folds its own entries into it, with a second
// Ledger on the same store writing in between and, at random, between a
// post's read and its append, so that the post loses the race and reads
// again. After every delivery the state kept must say exactly what a
// state read fresh from the stream's first entries (as many as the kept
// state holds) says, and the store must hold what posting every delivery
// through a new Ledger, reading every stream whole, appends.
func TestKeptStateFoldsOwnEntries(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	life := w.Life(t, "1", "C", ledgerworld.Placed)
	for seed := range uint64(12) {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 15))
			mem, fresh := ledger.NewMemory(), ledger.NewMemory()
			store := &racingStore{Store: mem}
			kept := ledger.New(store, w.Engine)
			other := ledger.New(mem, w.Engine)
			var outcomes [2][]string
			raced := 0
			// deliver posts through kept (or, at times, other) and
			// through a new ledger on fresh; racing, other's post goes
			// between kept's read and its append.
			deliver := func(step int, post func(l *ledger.Ledger) (ledger.Result, error)) {
				l := kept
				switch rng.IntN(6) {
				case 0:
					l = other
				case 1:
					store.race = func() {
						for j, l := range []*ledger.Ledger{other, ledger.New(fresh, w.Engine)} {
							outcomes[j] = append(outcomes[j], didWhat(post(l)))
						}
					}
				}
				racing := store.race != nil
				for j, l := range []*ledger.Ledger{l, ledger.New(fresh, w.Engine)} {
					r, err := post(l)
					outcomes[j] = append(outcomes[j], didWhat(r, err))
					if j == 0 && racing && store.race == nil && r.Attempts > 1 {
						raced++
					}
				}
				store.race = nil // a delivery that appends nothing races no one
			}
			for step := range 120 {
				id := strconv.Itoa(1 + rng.IntN(2))
				switch k := rng.IntN(10); {
				case k < 7:
					o := life[1+rng.IntN(3)]
					o.PlatformOrderID = id
					o.Version = ledgerworld.Placed.Add(time.Duration(step+1-3*rng.IntN(2)*rng.IntN(2)) * time.Minute) // stale at times
					switch rng.IntN(4) {
					case 0:
						o.Status = normalize.StatusPending
					case 1:
						o.Status = normalize.StatusCancelled
					}
					o.Items = append([]normalize.Line(nil), o.Items...)
					deliver(step, func(l *ledger.Ledger) (ledger.Result, error) { return l.Post(ctx, &o, o.Version) })
					// The caller may change its body once posted: the kept
					// state must not see it.
					o.Items[0].Net, o.Items[0].Qty = decimal.New(1, 0), 9
				default:
					r := normalize.Refund{Platform: life[1].Platform, Store: life[1].Store, OrderID: id, Currency: "USD",
						RefundID: "sep-" + strconv.Itoa(rng.IntN(2)), TS: ledgerworld.Placed.Add(time.Duration(step+1) * time.Minute),
						Items: []normalize.RefundLine{{LineID: "1", Qty: 1, Net: decimal.RequireFromString("19.99")}}}
					deliver(step, func(l *ledger.Ledger) (ledger.Result, error) { return l.PostRefund(ctx, r, r.TS) })
					r.Items[0].Qty = 3
				}
				for _, id := range []string{"1", "2"} {
					key := normalize.Key{Platform: life[1].Platform, Store: life[1].Store, OrderID: id}
					got, want, ok, err := ledger.KeptState(ctx, kept, key)
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(want, got); ok && d != "" {
						t.Fatalf("step %d, order %s: kept state differs (-read fresh +kept):\n%s", step, id, d)
					}
				}
			}
			if raced == 0 {
				t.Error("no post lost a race")
			}
			if d := cmp.Diff(outcomes[1], outcomes[0]); d != "" {
				t.Errorf("outcomes differ (-whole reads +kept state):\n%s", d)
			}
			sameEntries(t, fresh, mem, 60)
		})
	}
}

// TestKeptStateUnderConcurrentPosts posts revisions of a few orders from many
// goroutines through one Ledger, with readers of the same streams: run
// with -race.
func TestKeptStateUnderConcurrentPosts(t *testing.T) {
	w := ledgerworld.NewWorld(t)
	life := w.Life(t, "1", "C", ledgerworld.Placed)
	mem := ledger.NewMemory()
	l := ledger.New(mem, w.Engine)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for step := range 40 {
				o := life[1+(step+g)%3]
				o.PlatformOrderID = strconv.Itoa(1 + (step+g)%3)
				o.Version = ledgerworld.Placed.Add(time.Duration(step*8+g+1) * time.Minute)
				if (step+g)%5 == 0 {
					o.Status = normalize.StatusCancelled
				}
				o.Items = append([]normalize.Line(nil), o.Items...)
				if _, err := l.Post(ctx, &o, o.Version); err != nil {
					if held := (*ledger.HeldError)(nil); !errors.As(err, &held) {
						t.Error(err)
					}
				}
				if es, _, err := mem.Stream(ctx, ledger.OrderStream(o.Key())); err != nil || len(es) == 0 {
					t.Error(err, len(es))
				}
			}
		}()
	}
	wg.Wait()
	for id := 1; id <= 3; id++ {
		key := normalize.Key{Platform: life[1].Platform, Store: life[1].Store, OrderID: strconv.Itoa(id)}
		got, want, ok, err := ledger.KeptState(ctx, l, key)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); ok && d != "" {
			t.Errorf("order %d: kept state differs (-read fresh +kept):\n%s", id, d)
		}
	}
}

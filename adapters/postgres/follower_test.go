package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uplinehq/upline/ledger"
)

// A follower polling After while 8 writers append never skips an entry:
// what it read, in order, is exactly what the store holds.
func TestFollowerMissesNothing(t *testing.T) {
	s := newStore(t)
	const writers, appends = 8, 40
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	for w := range writers {
		wg.Go(func() {
			for i := range appends {
				es := []ledger.Entry{adjustment(fmt.Sprint("w", w, "-", i, "a"), "A", "USD", "1", placed),
					adjustment(fmt.Sprint("w", w, "-", i, "b"), "A", "USD", "1", placed)}
				if err := s.Append(ctx, fmt.Sprint("stream ", w), 2*i, es); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var read []int64
	follower := make(chan struct{})
	go func() {
		defer close(follower)
		var last int64
		for {
			finished := done.Load()
			es, err := s.After(ctx, last, 7)
			if err != nil {
				errs <- err
				return
			}
			for _, e := range es {
				read = append(read, e.Position)
				last = e.Position
			}
			if finished && len(es) == 0 {
				return
			}
		}
	}()
	wg.Wait()
	done.Store(true)
	<-follower
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := s.After(ctx, 0, writers*appends*2+1)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, e := range all {
		want = append(want, e.Position)
	}
	if len(want) != writers*appends*2 || !slices.Equal(read, want) {
		t.Errorf("the follower read %d positions, the store holds %d; first difference at %d", len(read), len(want),
			firstDiff(read, want))
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

package ledger

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// TestStreamAfter checks that streamAfter reads the same tail and version
// from a Tailer and, through Stream, from a store that is not one.
func TestStreamAfter(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var es []Entry
	for _, id := range []string{"a", "b", "c"} {
		es = append(es, Entry{ID: id, Type: TypeAdjustment, Member: "A", Currency: "USD", Amount: decimal.New(1, 0), Effective: at, Posted: at})
	}
	if err := m.Append(ctx, "s", 0, es); err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int{-1, 0, 1, 2, 3, 4, math.MaxInt} {
		for _, s := range []Store{m, struct{ Store }{m}} {
			got, v, err := streamAfter(ctx, s, "s", seq)
			if err != nil {
				t.Fatal(err)
			}
			want := es[min(max(seq, 0), len(es)):]
			if _, tailer := s.(Tailer); v != 3 || cmp.Diff(ids(want), ids(got)) != "" {
				t.Errorf("after %d (Tailer %v): %v at version %d, want %v at 3", seq, tailer, ids(got), v, ids(want))
			}
		}
	}
}

func ids(es []Entry) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

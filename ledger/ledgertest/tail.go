package ledgertest

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/internal/ledgerworld"
	"github.com/uplinehq/upline/ledger"
)

// streamAfter checks a Tailer, on a store that has it: every tail of a
// stream equals the same tail of Stream, with the stream's version, and a
// tail read while another writer appends is whole up to the version it
// reports.
func streamAfter(t *testing.T, s ledger.Store) {
	tl, ok := s.(ledger.Tailer)
	if !ok {
		t.Skip("the store is not a ledger.Tailer")
	}
	jan := ledgerworld.Jan
	if err := s.Append(ctx, "s", 0, []ledger.Entry{entry("s1", "A", "1", jan), entry("s2", "B", "2", jan)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "other", 0, []ledger.Entry{entry("o1", "A", "1", jan)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, "s", 2, []ledger.Entry{entry("s3", "A", "-0.5", jan)}); err != nil {
		t.Fatal(err)
	}
	whole, _ := mustStream(t, s, "s")
	cases := []struct {
		stream  string
		seq     int
		want    string
		version int
	}{
		{"s", 0, "s1 s2 s3", 3},
		{"s", -1, "s1 s2 s3", 3},
		{"s", 1, "s2 s3", 3},
		{"s", 2, "s3", 3},
		{"s", 3, "", 3},
		{"s", 4, "", 3},
		{"s", math.MaxInt, "", 3},
		{"nothing", 0, "", 0},
		{"nothing", math.MaxInt, "", 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s after %d", c.stream, c.seq), func(t *testing.T) {
			es, v, err := tl.StreamAfter(ctx, c.stream, c.seq)
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(es); got != c.want || v != c.version {
				t.Errorf("got %q at version %d, want %q at %d", got, v, c.want, c.version)
			}
			if c.stream == "s" && c.want != "" {
				if d := cmp.Diff(whole[len(whole)-len(es):], es, ledgerworld.Opts); d != "" {
					t.Errorf("the tail differs from Stream's (-Stream +StreamAfter):\n%s", d)
				}
			}
		})
	}

	// A reader following a stream another writer appends to: each tail
	// starts right after what it had, and ends at the version reported.
	const n = 50
	var wg sync.WaitGroup
	wg.Add(1)
	errs := make(chan error, 1)
	go func() {
		defer wg.Done()
		for i := range n {
			if err := s.Append(ctx, "hot", i, []ledger.Entry{entry(fmt.Sprint("h", i+1), "A", "1", jan)}); err != nil {
				errs <- err
				return
			}
		}
	}()
	had := 0
	for had < n {
		es, v, err := tl.StreamAfter(ctx, "hot", had)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range es {
			if e.Seq != had+i+1 || e.ID != fmt.Sprint("h", had+i+1) {
				t.Fatalf("after %d: entry %d is %s at seq %d", had, i, e.ID, e.Seq)
			}
		}
		if v != had+len(es) {
			t.Fatalf("after %d: %d entries at version %d", had, len(es), v)
		}
		had = v
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	wg.Wait()
}

func idsOf(es []ledger.Entry) string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return strings.Join(out, " ")
}

package normalize_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/corpus"
)

// corpusPlatform is one platform's part of the real-payload check. Each
// platform's file (corpus_<platform>_test.go) declares one in corpora.
type corpusPlatform struct {
	dir string
	// decode turns one sample into the orders and refunds it holds; a body
	// that is a list decodes each element.
	decode func(name string, body []byte) ([]normalize.Order, []normalize.Refund, error)
	// expect pins each known sample's outcome: "" for decoded and
	// reconciled, otherwise the reason it is rejected with (a key of
	// reasons). A sample not listed must decode or be rejected for a
	// classified reason.
	expect map[string]string
}

var corpora []corpusPlatform

// reasons classifies rejections by the error kind they wrap, in order.
var reasons = []struct {
	name string
	kind error
}{
	{"not-an-order", normalize.ErrUnsupported},
	{"elided-or-incomplete", normalize.ErrMissing},
	{"elided-or-incomplete", normalize.ErrMalformed},
	{"inconsistent-arithmetic", normalize.ErrUnreconciled},
	{"refund-exceeds", normalize.ErrRefundExceeds},
	{"invalid-value", normalize.ErrInvalid},
}

func classify(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.kind) {
			return r.name
		}
	}
	return ""
}

// TestCorpus decodes every real public payload and requires each to yield
// reconciled orders or be rejected for a classified, explained reason. It
// runs only with -corpus DIR and prints one summary line.
func TestCorpus(t *testing.T) {
	if *corpus.Dir == "" {
		t.Skip("no -corpus folder given")
	}
	var decoded, reconciled, orders, refunds int
	rejected := map[string]int{}
	for _, p := range corpora {
		files, err := filepath.Glob(filepath.Join(*corpus.Dir, p.dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Errorf("%s: no samples in %s", p.dir, filepath.Join(*corpus.Dir, p.dir))
		}
		seen := map[string]bool{}
		for _, f := range files {
			name := filepath.Base(f)
			seen[name] = true
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ords, rs, err := p.decode(name, body)
			got := ""
			if err != nil {
				got = classify(err)
				if got == "" {
					t.Errorf("%s/%s: unclassified rejection: %v", p.dir, name, err)
					continue
				}
				rejected[got]++
				t.Logf("%s/%s: rejected (%s): %v", p.dir, name, got, err)
			} else {
				decoded++
				orders += len(ords)
				refunds += len(rs)
				ok := true
				for i := range ords {
					if err := normalize.Reconcile(&ords[i]); err != nil {
						ok = false
						t.Errorf("%s/%s: decoded but does not reconcile: %v", p.dir, name, err)
					}
				}
				if ok {
					reconciled++
				}
			}
			if want, listed := p.expect[name]; listed && want != got {
				t.Errorf("%s/%s: outcome %q, want %q (err: %v)", p.dir, name, got, want, err)
			}
		}
		var missing []string
		for name := range p.expect {
			if !seen[name] {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		for _, name := range missing {
			t.Logf("%s/%s: expected sample not in the corpus", p.dir, name)
		}
	}
	var by []string
	for r, n := range rejected {
		by = append(by, fmt.Sprintf("%s %d", r, n))
	}
	sort.Strings(by)
	total := 0
	for _, n := range rejected {
		total += n
	}
	fmt.Printf("corpus: %d samples: %d decoded (%d orders, %d refunds), %d reconciled, %d rejected (%s)\n",
		decoded+total, decoded, orders, refunds, reconciled, total, strings.Join(by, ", "))
}

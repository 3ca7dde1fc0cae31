// Package golden compares test output byte for byte with files under
// testdata/, and rewrites them when the test runs with -update.
//
//	golden.Check(t, "testdata/golden/order.json", got)
//
// Rewrite only after reading the diff the failing test printed.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ with the output the tests produce")

// Updating reports whether the test run asked for golden files to be
// rewritten.
func Updating() bool { return *update }

// Check fails t unless got equals the golden file at path byte for byte,
// printing the difference. With -update it writes got to path instead.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run the test with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the output (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

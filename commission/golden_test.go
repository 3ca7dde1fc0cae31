package commission_test

import (
	"bytes"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
)

func goldenCheck(t *testing.T, path string, got []byte) { golden.Check(t, path, got) }

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

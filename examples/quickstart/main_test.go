package main

import (
	"bytes"
	"testing"

	"github.com/uplinehq/upline/examples/internal/quickstart"
	"github.com/uplinehq/upline/internal/golden"
	"github.com/uplinehq/upline/ledger"
)

// The quick start is the first thing a newcomer runs: its output is pinned.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := quickstart.Run(&out, ledger.NewMemory()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/output.txt", out.Bytes())
}

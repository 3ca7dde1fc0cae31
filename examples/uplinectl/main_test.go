package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/uplinehq/upline/internal/golden"
)

// The scenarios the command runs on: retail-profit (canonical bodies,
// three orders), lifecycle (Shopify bodies: duplicates, refunds, an
// edit, a stale revision, a cancellation) and period-matching (a plan
// with period bonuses; its orders are in testdata/period-orders, without
// the scenario's close, which uplinectl does not replay).
const (
	retail    = "../../testdata/scenarios/retail-profit"
	lifecycle = "../../testdata/scenarios/lifecycle"
	matching  = "../../testdata/scenarios/period-matching"
)

func files(dir string) []string {
	return []string{"-plan", dir + "/plan.json", "-catalog", dir + "/catalog.json", "-genealogy", dir + "/genealogy.csv"}
}

func replayArgs(dir string, more ...string) []string {
	return append(append(files(dir), "-webhooks", dir+"/steps"), more...)
}

// TestCommands runs each command as an operator would and compares what
// it prints, and its exit status, with testdata/golden/NAME.txt.
func TestCommands(t *testing.T) {
	shopify := []string{"-shopify-store", "acme.myshopify.com", "-known", "2025-08-28T09:00:00Z"}
	tests := []struct {
		name string
		args []string
		exit int
	}{
		{"validate", append(append([]string{"validate"}, files(retail)...), "-plan", "testdata/plan-v2.json"), 0},
		{"validate-errors", []string{"validate", "-plan", "testdata/bad-plan.json", "-plan", "testdata/misspelt-plan.json",
			"-catalog", "testdata/bad-catalog.json", "-genealogy", "testdata/bad-genealogy.csv"}, 1},
		{"replay", append([]string{"replay"}, replayArgs(lifecycle, shopify...)...), 0},
		{"report", append([]string{"report"}, replayArgs(lifecycle, append(shopify, "-period", "2025")...)...), 0},
		{"whatif", append([]string{"whatif"}, replayArgs(retail, "-period", "2025-08", "-candidate", "testdata/plan-v2.json")...), 0},
		{"whatif-json", append([]string{"whatif"}, replayArgs(retail, "-period", "2025-08", "-candidate", "testdata/plan-v2.json", "-json")...), 0},
		{"whatif-live", append([]string{"whatif"}, replayArgs(retail, "-period", "2025-08", "-candidate", retail+"/plan.json")...), 0},
		// period-matching's orders without its close: the candidate's
		// period bonuses beside a live period not closed.
		{"whatif-period", append(append([]string{"whatif"}, files(matching)...), "-webhooks", "testdata/period-orders",
			"-period", "2026-01", "-candidate", "testdata/period-plan-v2.json"), 0},
		{"whatif-period-year", append(append([]string{"whatif"}, files(matching)...), "-webhooks", "testdata/period-orders",
			"-period", "2026", "-candidate", "testdata/period-plan-v2.json"), 1},
		{"whatif-no-candidate", append([]string{"whatif"}, replayArgs(retail, "-period", "2025-08")...), 2},
		{"unknown-command", []string{"payout"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			exit := run(tt.args, &stdout, &stderr)
			if exit != tt.exit {
				t.Errorf("exit %d, want %d; stderr:\n%s", exit, tt.exit, stderr.String())
			}
			var got bytes.Buffer
			fmt.Fprintf(&got, "$ uplinectl %s\n%s", strings.Join(tt.args, " "), stdout.String())
			if stderr.Len() > 0 {
				fmt.Fprintf(&got, "stderr:\n%s", stderr.String())
			}
			fmt.Fprintf(&got, "exit %d\n", exit)
			golden.Check(t, "testdata/golden/"+tt.name+".txt", got.Bytes())
		})
	}
}

// TestReadme keeps the README's what-if comparisons the command's: the
// orders' and the period bonuses'.
func TestReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ golden, from string }{{"whatif", "what-if "}, {"whatif-period", "period 2026-01 bonuses"}} {
		out, err := os.ReadFile("testdata/golden/" + c.golden + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		comparison := out[bytes.Index(out, []byte(c.from)):bytes.LastIndex(out, []byte("exit 0"))]
		if !bytes.Contains(readme, comparison) {
			t.Errorf("README.md does not show the what-if comparison of testdata/golden/%s.txt:\n%s", c.golden, comparison)
		}
	}
}

package ingesttest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Golden file names in a scenario directory.
const (
	// EventsFile holds every event posted, in order, as
	// commission.MarshalEvents writes them: the byte-for-byte golden.
	EventsFile = "expected.jsonl"
	// TableFile is the same events as a table for people, with each
	// step's breakage and cap and each beneficiary's total.
	TableFile = "expected.txt"
)

// Option configures Run and RunAll.
type Option func(*config)

type config struct {
	update    bool
	updateSet bool
}

// Update makes Run rewrite the golden files with what the scenario posts
// instead of comparing, when on is true. Without this option Run follows
// the test binary's -update flag if one is registered (ingesttest
// registers no flag of its own, so it never collides with yours).
func Update(on bool) Option {
	return func(c *config) { c.update, c.updateSet = on, true }
}

func (c *config) updating() bool {
	if c.updateSet {
		return c.update
	}
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	on, _ := g.Get().(bool)
	return on
}

// Run plays the scenario directory dir and compares what it posts with
// its golden files, expected.jsonl byte for byte and expected.txt, failing t
// with the first step that differs and a diff. With Update(true) (or
// -update) it writes them instead.
func Run(t *testing.T, dir string, opts ...Option) {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	run(t, dir, c.updating())
}

// reporter is the part of testing.TB that run uses, so tests can see what
// it reports.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

func run(t reporter, dir string, update bool) {
	t.Helper()
	steps, err := Play(dir)
	if err != nil {
		t.Fatalf("scenario %s: %v", dir, err)
	}
	jsonl, table := Events(steps), Table(steps)
	if update {
		for _, name := range []string{EventsFile, TableFile} {
			b := jsonl
			if name == TableFile {
				b = table
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatalf("%v", err)
			}
		}
		return
	}
	want, err := os.ReadFile(filepath.Join(dir, EventsFile))
	if err != nil {
		t.Fatalf("scenario %s: %v (run the test with -update to create the golden files, then read them)", dir, err)
	}
	if !bytes.Equal(want, jsonl) {
		t.Errorf("scenario %s: %s differs, first at %s (-want +got):\n%s",
			dir, EventsFile, firstDiff(steps, want), lineDiff(want, jsonl))
	}
	wantTable, err := os.ReadFile(filepath.Join(dir, TableFile))
	if err != nil {
		t.Fatalf("scenario %s: %v (run the test with -update to create it)", dir, err)
	}
	if !bytes.Equal(wantTable, table) {
		t.Errorf("scenario %s: %s differs (-want +got):\n%s", dir, TableFile, lineDiff(wantTable, table))
	}
}

// RunAll runs every scenario directory directly under root as a subtest
// named after the directory. A directory is a scenario when it holds a
// steps/ folder.
func RunAll(t *testing.T, root string, opts ...Option) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if fi, err := os.Stat(filepath.Join(dir, "steps")); !e.IsDir() || err != nil || !fi.IsDir() {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) { Run(t, dir, opts...) })
	}
	if n == 0 {
		t.Errorf("%s holds no scenario directories", root)
	}
}

// lineDiff is cmp.Diff over lines, which reads better than a diff of one
// long string.
func lineDiff(want, got []byte) string {
	return cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n"))
}

// Events returns the steps' events as the golden expected.jsonl holds
// them: every event posted, in order, one JSON object per line.
func Events(steps []Step) []byte {
	var b []byte
	for i := range steps {
		b = append(b, stepJSON(&steps[i])...)
	}
	return b
}

// firstDiff names the step whose events the golden first disagrees with.
func firstDiff(steps []Step, want []byte) string {
	wantLines := strings.SplitAfter(string(want), "\n")
	if wantLines[len(wantLines)-1] == "" {
		wantLines = wantLines[:len(wantLines)-1]
	}
	i := 0
	for _, s := range steps {
		for _, line := range strings.SplitAfter(string(stepJSON(&s)), "\n") {
			if line == "" {
				continue
			}
			if i >= len(wantLines) || wantLines[i] != line {
				return fmt.Sprintf("steps/%s (event %d of the file)", s.File, i+1)
			}
			i++
		}
	}
	return fmt.Sprintf("the end (the golden has %d more line(s))", len(wantLines)-i)
}

// Table renders the steps for people: per step, the order and revision,
// what was posted, and what the revision's calculation left unpaid (breakage)
// or capped; then each beneficiary's total per currency and rule.
func Table(steps []Step) []byte {
	var b bytes.Buffer
	type total struct{ member, currency, rule string }
	totals := map[total]decimal.Decimal{}
	var keys []total
	for _, s := range steps {
		if s.Period != "" {
			var sb strings.Builder
			closeTable(&sb, &s, func(member, currency, rule string, a *commission.Award) {
				k := total{member, currency, rule}
				if _, ok := totals[k]; !ok {
					keys = append(keys, k)
				}
				totals[k] = totals[k].Add(a.Amount())
			})
			b.WriteString(sb.String())
			continue
		}
		fmt.Fprintf(&b, "== %s  %s  revision %s  %s", s.File, s.Order, instant(s.Revision), s.Outcome)
		if len(s.Events) > 0 {
			fmt.Fprintf(&b, " %d", len(s.Events))
		}
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for i := range s.Events {
			e := &s.Events[i]
			line := e.LineID
			if e.Component != "" {
				line += "/" + e.Component
			}
			fmt.Fprintf(tw, "  %s\tline %s\t%s\t%s\tL%d P%d\t%s × %s\t= %s %s",
				e.Kind, line, e.Rule, e.Beneficiary, e.Level, e.PaidLevel, e.Basis(), e.Rate(), e.Amount().StringFixed(digits(e.Currency)), e.Currency)
			if e.Kind == commission.KindCorrection {
				fmt.Fprintf(tw, "\tcorrects %s", e.Corrects)
			}
			fmt.Fprintln(tw)
			k := total{e.Beneficiary, e.Currency, e.Rule}
			if _, ok := totals[k]; !ok {
				keys = append(keys, k)
			}
			totals[k] = totals[k].Add(e.Amount())
		}
		tw.Flush()
		if c := s.Calculation; c != nil {
			for _, br := range c.Breakage {
				line := br.LineID
				if br.Component != "" {
					line += "/" + br.Component
				}
				who := br.Member
				if who == "" {
					who = "(past the top)"
				}
				fmt.Fprintf(&b, "  breakage line %s %s L%d %s %s\n", line, br.Rule, br.Level, who, br.Amount())
			}
			if !c.Cap().IsZero() {
				fmt.Fprintf(&b, "  cap %s", c.Cap())
				if c.Capped {
					b.WriteString(" (applied)")
				}
				b.WriteString("\n")
			}
		}
	}
	slices.SortFunc(keys, func(x, y total) int {
		return strings.Compare(x.member+"\x00"+x.currency+"\x00"+x.rule, y.member+"\x00"+y.currency+"\x00"+y.rule)
	})
	b.WriteString("== totals\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", k.member, k.rule, totals[k].StringFixed(digits(k.currency)), k.currency)
	}
	tw.Flush()
	return b.Bytes()
}

func digits(currency string) int32 {
	d, ok := normalize.MinorUnits(currency)
	if !ok {
		return 2
	}
	return d
}

func instant(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

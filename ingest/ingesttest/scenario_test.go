package ingesttest

import (
	"github.com/google/go-cmp/cmp"

	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
)

func TestParseStepName(t *testing.T) {
	for _, tc := range []struct {
		name    string
		want    stepKind
		wantErr string
	}{
		{name: "01-order.json", want: stepKind{}},
		{name: "02-refund.json", want: stepKind{refund: true}},
		{name: "03-order-cancelled.json", want: stepKind{}},
		{name: "04-shopify-order.json", want: stepKind{platform: normalize.Shopify}},
		{name: "05-shopify-refund-second.json", want: stepKind{platform: normalize.Shopify, refund: true}},
		{name: "06-woocommerce-order.json", want: stepKind{platform: normalize.WooCommerce}},
		{name: "07-woocommerce-refund.json", want: stepKind{platform: normalize.WooCommerce, refund: true}},
		{name: "08-magento-order.json", want: stepKind{platform: normalize.Magento}},
		{name: "09-magento-creditmemo.json", want: stepKind{platform: normalize.Magento, refund: true}},
		{name: "10-magento-refund.json", wantErr: "a Magento refund is a creditmemo"},
		{name: "11-creditmemo.json", wantErr: "creditmemo is Magento's"},
		{name: "12-shopify.json", wantErr: "no kind"},
		{name: "13-invoice.json", wantErr: `unknown kind "invoice"`},
		{name: "order.json", wantErr: "no sequence and kind"},
		{name: "14-order.txt", wantErr: "not a .json file"},
		{name: "15-Order.json", wantErr: `unknown kind "Order"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStepName(tc.name)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "steps/"+tc.name) {
					t.Fatalf("error %v, want one naming steps/%s and saying %q", err, tc.name, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// scenario copies the cap scenario's plan, genealogy and catalog into a
// temporary directory with the given files added.
func scenario(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"plan.json", "genealogy.csv", "catalog.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scenarios", "cap", f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	writeFiles(t, dir, files)
	return dir
}

// writeFiles writes files (path in dir → contents), making their folders.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	order = `{"platform": "shopify", "store": "acme.myshopify.com", "platform_order_id": "6001",
 "version": "VERSION", "order_ts": "2025-08-28T08:11:04Z", "status": "paid", "currency": "USD", "customer_ref": "D",
 "items": [{"line_id": "1", "platform_sku": "TEA-20", "qty": QTY, "unit_price": "11.11"}], "total": "TOTAL"}`
	refund = `{"platform": "shopify", "store": "acme.myshopify.com", "order_id": "ORDER", "currency": "USD",
 "refund_id": "r1", "ts": "2025-09-02T10:00:00Z", "items": [{"line_id": "1", "qty": 1, "net": "11.11"}]}`
)

func orderAt(version, qty, total string) string {
	return strings.NewReplacer("VERSION", version, "QTY", qty, "TOTAL", total).Replace(order)
}

// TestPlayRefundBeforeOrder: a refund delivered before its order waits,
// and is applied when the order arrives.
func TestPlayRefundBeforeOrder(t *testing.T) {
	steps, err := Play(scenario(t, map[string]string{
		"steps/01-refund.json": strings.Replace(refund, "ORDER", "6001", 1),
		"steps/02-order.json":  orderAt("2025-08-28T08:11:04Z", "3", "33.33"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		line := string(s.Outcome)
		for i := range s.Events {
			line += " " + s.Events[i].Beneficiary + " " + s.Events[i].Basis().String()
		}
		got = append(got, line)
	}
	// Two of three units earn: 22.22.
	want := []string{"waiting", "posted C 22.22 B 22.22 A 22.22"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("steps (-want +got):\n%s", d)
	}
}

func TestPlayErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown option", map[string]string{"scenario.json": `{"knwon": "2025-01-01T00:00:00Z"}`, "steps/01-order.json": orderAt("2025-08-28T08:11:04Z", "3", "33.33")},
			`scenario.json: knwon: at byte 1: unknown field "knwon"`},
		{"bad step name", map[string]string{"steps/01-invoice.json": "{}"}, `steps/01-invoice.json: unknown kind "invoice"`},
		{"no steps", map[string]string{"steps/.keep": ""}, "no steps"},
		{"same revision, different content", map[string]string{
			"steps/01-order.json": orderAt("2025-08-28T08:11:04Z", "3", "33.33"),
			"steps/02-order.json": orderAt("2025-08-28T08:11:04Z", "2", "22.22")},
			"steps/02-order.json: ledger: order shopify/acme.myshopify.com/6001 revision 2025-08-28T08:11:04Z already posted with a different body"},
		{"unattributed order", map[string]string{"steps/01-order.json": strings.Replace(orderAt("2025-08-28T08:11:04Z", "3", "33.33"), `"D"`, `"NOBODY"`, 1)},
			"steps/01-order.json: commission:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Play(scenario(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPlayKeepsRefundsAcrossRevisions(t *testing.T) {
	dir := scenario(t, map[string]string{
		"steps/01-order.json":        orderAt("2025-08-28T08:11:04Z", "3", "33.33"),
		"steps/02-refund.json":       strings.Replace(refund, "ORDER", "6001", 1),
		"steps/03-order-update.json": orderAt("2025-09-03T00:00:00Z", "3", "33.33"),
	})
	steps, err := Play(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := [3]Outcome{steps[0].Outcome, steps[1].Outcome, steps[2].Outcome}; got != [3]Outcome{Posted, Posted, Unchanged} {
		// An order update that does not list the refund must not undo it.
		t.Fatalf("outcomes %v, want posted, posted, unchanged", got)
	}
}

func TestFirstDiff(t *testing.T) {
	steps, err := Play(filepath.Join("..", "..", "testdata", "scenarios", "cap"))
	if err != nil {
		t.Fatal(err)
	}
	all := Events(steps)
	lines := strings.SplitAfter(string(all), "\n")
	for _, tc := range []struct {
		name, want, golden string
	}{
		{"first event", "steps/01-order.json (event 1 of the file)", "x\n" + strings.Join(lines[1:], "")},
		{"second step", "steps/02-refund.json (event 4 of the file)", strings.Join(lines[:3], "")},
		{"golden longer", "the end (the golden has 1 more line(s))", string(all) + "extra\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := firstDiff(steps, []byte(tc.golden)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// recorder is a reporter that keeps what run reports; Fatalf stops run
// like testing.T's does.
type recorder struct{ errs []string }

type fatal struct{}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{})
}

func (r *recorder) run(dir string, update bool) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(fatal); !ok {
				panic(p)
			}
		}
	}()
	run(r, dir, update)
}

func TestRunReportsMismatch(t *testing.T) {
	dir := scenario(t, map[string]string{
		"steps/01-order.json":  orderAt("2025-08-28T08:11:04Z", "3", "33.33"),
		"steps/02-refund.json": strings.Replace(refund, "ORDER", "6001", 1),
	})
	var r recorder
	r.run(dir, false)
	if len(r.errs) != 1 || !strings.Contains(r.errs[0], "run the test with -update") {
		t.Fatalf("without golden files: %q", r.errs)
	}

	r = recorder{}
	r.run(dir, true)
	r.run(dir, false)
	if len(r.errs) != 0 {
		t.Fatalf("after -update: %q", r.errs)
	}

	// The refund now takes back 11.10: the first event that differs is the
	// refund step's first correction, and both diffs are printed.
	if err := os.WriteFile(filepath.Join(dir, "steps", "02-refund.json"), []byte(strings.Replace(strings.Replace(refund, "ORDER", "6001", 1), `"11.11"`, `"11.10"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r = recorder{}
	r.run(dir, false)
	if len(r.errs) != 2 {
		t.Fatalf("got %d reports, want 2: %q", len(r.errs), r.errs)
	}
	for _, want := range []string{"expected.jsonl differs, first at steps/02-refund.json (event 4 of the file)", "-want +got", `"basis":"22.2`} {
		if !strings.Contains(r.errs[0], want) {
			t.Errorf("report lacks %q:\n%s", want, r.errs[0])
		}
	}
	if !strings.Contains(r.errs[1], "expected.txt differs") || !strings.Contains(r.errs[1], "correction  line 1  unilevel  C  L1 P1  22.2") {
		t.Errorf("table report:\n%s", r.errs[1])
	}
}

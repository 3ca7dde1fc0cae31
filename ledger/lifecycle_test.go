package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

// The decoders' fixtures these tests deliver.
const (
	wooOrderFile   = "../normalize/woocommerce/testdata/order-partially-refunded.json"
	wooRefund9210  = "../normalize/woocommerce/testdata/refund-9210-one-unit.json"
	wooRefund9211  = "../normalize/woocommerce/testdata/refund-9211-last-unit-and-shipping.json"
	mageReplacesFn = "../normalize/magento/testdata/order-edited-replacement.json"
)

// platformEngine pays 10% of net to the credited distributor's sponsor.
// D-7788 (the WooCommerce fixtures' distributor) is sponsored by A; D-1001
// (the Magento fixtures') by A until 2025-03-08 13:00 UTC, then by B: between the Magento original (placed at 12:00) and
// its replacement (14:00).
func platformEngine(t testing.TB) *commission.Engine {
	t.Helper()
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	move := time.Date(2025, 3, 8, 13, 0, 0, 0, time.UTC)
	var g hierarchy.Genealogy
	for _, m := range [][2]string{{"A", ""}, {"B", ""}, {"D-1001", "A"}, {"D-7788", "A"}} {
		if err := g.Enroll(m[0], hierarchy.Distributor, m[1], jan, jan); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.ChangeSponsor("D-1001", "B", move, move); err != nil {
		t.Fatal(err)
	}
	one := decimal.NewFromInt(1)
	data := sku.Data{}
	for _, id := range []string{"SHAKE", "BAR", "VITC", "SHAKER"} {
		data.SKUs = append(data.SKUs, sku.Version{ID: id, EffectiveFrom: jan, Class: "c", PV: one, QV: one, CV: one})
	}
	for _, k := range []struct {
		p     normalize.Platform
		store string
		kind  sku.Kind
		value string
		id    string
	}{
		{normalize.WooCommerce, "shop.example.com", sku.KindVariant, "701", "SHAKE"},
		{normalize.WooCommerce, "", sku.KindSKU, "BAR-BOX", "BAR"},
		{normalize.Magento, "", sku.KindSKU, "VIT-C-500", "VITC"},
		{normalize.Magento, "", sku.KindSKU, "PROT-BAR-12", "BAR"},
		{normalize.Magento, "", sku.KindSKU, "SHAKER", "SHAKER"},
	} {
		data.Keys = append(data.Keys, sku.Binding{Key: sku.Key{Platform: k.p, Store: k.store, Kind: k.kind, Value: k.value}, SKU: k.id})
	}
	cat, err := sku.New(data)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := commission.LoadPlan([]byte(`{"id": "p", "version": 1, "effective_from": "2025-01-01T00:00:00Z",
		"rules": [{"type": "unilevel", "name": "unilevel", "basis": "net", "rates": {"*": ["0.10"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := commission.New(cat, &g, plan)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func read(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replace replaces old by new in s, once, failing when old is not there.
func replace(t testing.TB, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not in the fixture", old)
	}
	return strings.Replace(s, old, new, 1)
}

func mustPostOutcome(t *testing.T, l *ledger.Ledger, o *normalize.Order, want ledger.Outcome) ledger.Result {
	t.Helper()
	r, err := l.Post(ctx, o, o.Version)
	if err != nil {
		t.Fatalf("post %s revision %s: %v", o.Key(), o.Version.Format(time.RFC3339Nano), err)
	}
	if r.Outcome != want {
		t.Fatalf("post %s revision %s: %s, want %s", o.Key(), o.Version.Format(time.RFC3339Nano), r.Outcome, want)
	}
	return r
}

func checkAmounts(t *testing.T, r ledger.Result, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if d := cmp.Diff(want, ledgerworld.Amounts(r)); d != "" {
		t.Errorf("events appended (-want +got):\n%s", d)
	}
}

func checkReconciled(t *testing.T, l *ledger.Ledger, platform []normalize.Order) {
	t.Helper()
	rec, err := l.Reconcile(ctx, ledger.Year(2025), platform, far)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Share != "0" || rec.Matched != rec.Orders || len(rec.Held) != 0 {
		var b strings.Builder
		rec.WriteTable(&b)
		t.Errorf("reconciliation:\n%s", b.String())
	}
}

type wooFixtures struct {
	d woocommerce.Decoder
	// body is order 9200 as the fixture has it: version 2025-09-05T14:00Z
	// (refund 9210's instant), listing refund 9210 without lines. paid is
	// the same order before the refund: version 2025-09-02T09:00Z, no
	// refunds.
	body, paid normalize.Order
	// r9210 is the refund object 9210 (one unit of line 801, created at
	// the body's version); r9210early the same created a minute earlier;
	// r9211 takes the last unit of line 801 on 2025-09-20.
	r9210, r9210early, r9211 []byte
}

func loadWoo(t *testing.T) wooFixtures {
	f := wooFixtures{d: woocommerce.Decoder{Store: "shop.example.com"}}
	body := read(t, wooOrderFile)
	var err error
	if f.body, err = f.d.DecodeOrder([]byte(body)); err != nil {
		t.Fatal(err)
	}
	paid := replace(t, body, `"date_modified_gmt": "2025-09-05T14:00:00"`, `"date_modified_gmt": "2025-09-02T09:00:00"`)
	paid = replace(t, paid, `"refunds": [
    {
      "id": 9210,
      "reason": "One shake damaged",
      "total": "-32.40"
    }
  ],`, `"refunds": [],`)
	if f.paid, err = f.d.DecodeOrder([]byte(paid)); err != nil {
		t.Fatal(err)
	}
	f.r9210 = []byte(read(t, wooRefund9210))
	f.r9210early = []byte(replace(t, string(f.r9210), `"date_created_gmt": "2025-09-05T14:00:00"`, `"date_created_gmt": "2025-09-05T13:59:00"`))
	f.r9211 = []byte(read(t, wooRefund9211))
	return f
}

// applyTo applies a WooCommerce refund object to the order the ledger
// holds for key, as a webhook handler should.
func (f *wooFixtures) applyTo(t *testing.T, l *ledger.Ledger, key normalize.Key, refund []byte) normalize.Order {
	t.Helper()
	o, ok, err := l.Order(ctx, key)
	if err != nil || !ok {
		t.Fatalf("ledger order %s: %v, %v", key, ok, err)
	}
	n, err := f.d.ApplyRefund(o, refund)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func balanceOf(t *testing.T, l *ledger.Ledger, member string) string {
	t.Helper()
	b, err := l.Balance(ctx, member, "USD", far)
	if err != nil {
		t.Fatal(err)
	}
	return b.StringFixed(2)
}

// Order 9200 pays A 5.40 on line 801 (net 54.00) and 1.80 on line 802
// (net 18.00). Refund 9210 takes back net 30.00 of line 801 (-3.00),
// refund 9211 the rest of it, net 24.00 (-2.40).
func TestWooCommerceRefundObjects(t *testing.T) {
	f := loadWoo(t)
	key := f.body.Key()

	t.Run("refund at the body's version", func(t *testing.T) {
		// The documented flow: decode the order, then apply the refund
		// object, whose instant is the body's date_modified.
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		checkAmounts(t, mustPostOutcome(t, l, &f.body, ledger.Posted), "A 5.40", "A 1.80")
		o := f.applyTo(t, l, key, f.r9210)
		if !o.Version.Equal(f.body.Version) {
			t.Fatalf("refund moved the version to %s", o.Version)
		}
		r := mustPostOutcome(t, l, &o, ledger.Posted)
		checkAmounts(t, r, "A -3.00")
		if want := f.body.Version.Add(time.Nanosecond); !r.Revision.Equal(want) || !r.Entries[0].Effective.Equal(want) {
			t.Errorf("revision instant %s, correction effective %s; want %s (one nanosecond after the body's)", r.Revision, r.Entries[0].Effective, want)
		}
		mustPostOutcome(t, l, &o, ledger.Duplicate)
		checkAmounts(t, mustPostOutcome(t, l, &f.body, ledger.Duplicate))
		if got := balanceOf(t, l, "A"); got != "4.20" {
			t.Errorf("A %s, want 4.20", got)
		}
		last := f.applyTo(t, l, key, f.r9211)
		checkAmounts(t, mustPostOutcome(t, l, &last, ledger.Posted), "A -2.40")
		mustPostOutcome(t, l, &f.body, ledger.Stale)
		mustPostOutcome(t, l, &o, ledger.Stale)
		if got := balanceOf(t, l, "A"); got != "1.80" {
			t.Errorf("A %s, want 1.80", got)
		}
		checkReconciled(t, l, []normalize.Order{f.body})
	})

	t.Run("later body lists the refund without lines", func(t *testing.T) {
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		checkAmounts(t, mustPostOutcome(t, l, &f.paid, ledger.Posted), "A 5.40", "A 1.80")
		o := f.applyTo(t, l, key, f.r9210early)
		checkAmounts(t, mustPostOutcome(t, l, &o, ledger.Posted), "A -3.00")
		// The body arrives: newer, refund 9210 as an amount only. The
		// ledger keeps the refund's lines: nothing is paid back.
		r := mustPostOutcome(t, l, &f.body, ledger.Posted)
		checkAmounts(t, r)
		if len(r.Entries) != 1 || r.Entries[0].Type != ledger.TypeRevision {
			t.Errorf("a body that changes nothing appended %d entries, want its revision record", len(r.Entries))
		}
		mustPostOutcome(t, l, &f.body, ledger.Duplicate)
		mustPostOutcome(t, l, &f.paid, ledger.Stale)
		if got := balanceOf(t, l, "A"); got != "4.20" {
			t.Errorf("A %s, want 4.20", got)
		}
		held, _, err := l.Order(ctx, key)
		if err != nil || len(held.Refunds) != 1 || len(held.Refunds[0].Items) != 1 || held.Refunds[0].Items[0].Net.StringFixed(2) != "30.00" {
			t.Errorf("the ledger's order: refunds %+v, %v; want refund 9210 with its line", held.Refunds, err)
		}
		checkReconciled(t, l, []normalize.Order{f.body})
	})

	t.Run("refunds out of order and bodies in between", func(t *testing.T) {
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		mustPostOutcome(t, l, &f.body, ledger.Posted)
		last := f.applyTo(t, l, key, f.r9211) // alone, 9211 takes back 30.00 (one of two units)
		checkAmounts(t, mustPostOutcome(t, l, &last, ledger.Posted), "A -3.00")
		o := f.applyTo(t, l, key, f.r9210)
		checkAmounts(t, mustPostOutcome(t, l, &o, ledger.Posted), "A -2.40")
		mustPostOutcome(t, l, &f.body, ledger.Stale)
		mustPostOutcome(t, l, &f.paid, ledger.Stale)
		if got := balanceOf(t, l, "A"); got != "1.80" {
			t.Errorf("A %s, want 1.80", got)
		}
	})
}

// The quickstart's old pattern: a refund applied to the body the handler
// kept, which may be older than what the ledger holds. The ledger carries
// the refunds it recorded forward; when the refund decoded against the
// stale body cannot fit beside them, the delivery is held, never posted
// half right.
func TestRefundOnStaleBody(t *testing.T) {
	t.Run("independent refunds", func(t *testing.T) {
		w := ledgerworld.NewWorld(t)
		revs := w.Life(t, "7001", "C", ledgerworld.Placed) // pending, paid, +r1, +r1+r2
		l := ledger.New(ledger.NewMemory(), w.Engine)
		mustPostOutcome(t, l, &revs[1], ledger.Posted)
		mustPostOutcome(t, l, &revs[2], ledger.Posted)         // refund r1
		mustPostOutcome(t, l, &revs[1], ledger.Stale)          // the paid body again: kept by the handler
		onlyR2, err := revs[1].ApplyRefund(revs[3].Refunds[1]) // refund r2 applied to the stale body
		if err != nil {
			t.Fatal(err)
		}
		r := mustPostOutcome(t, l, &onlyR2, ledger.Posted)
		checkAmounts(t, r, "B -9.10", "A -4.55", "ROOT -1.82", "B -0.60")
		if d := cmp.Diff([]string{"A USD 2.00", "B USD 4.40", "ROOT USD 0.80"}, ledgerworld.Balances(t, l, far)); d != "" {
			t.Errorf("balances (-want +got):\n%s", d)
		}
		mustPostOutcome(t, l, &revs[3], ledger.Duplicate)
		checkReconciled(t, l, revs[1:2])
	})
	t.Run("refund decoded against the stale body, fitted again", func(t *testing.T) {
		f := loadWoo(t)
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		mustPostOutcome(t, l, &f.paid, ledger.Posted)
		o, err := f.d.ApplyRefund(f.paid, f.r9210early)
		if err != nil {
			t.Fatal(err)
		}
		mustPostOutcome(t, l, &o, ledger.Posted)
		stale, err := f.d.ApplyRefund(f.paid, f.r9211) // net 30.00: as if 9210 had not happened
		if err != nil {
			t.Fatal(err)
		}
		// The refund is CapToLine: the ledger fits it again to the order as
		// it holds it, 9210 included, and takes back what is left.
		checkAmounts(t, mustPostOutcome(t, l, &stale, ledger.Posted), "A -2.40")
		right := f.applyTo(t, l, f.body.Key(), f.r9211)
		mustPostOutcome(t, l, &right, ledger.Duplicate)
	})
}

type mageFixtures struct {
	// orig is order 57 ("000000021", placed 2025-03-08 12:00 UTC, paid);
	// cancelled the same at 14:00 (Magento cancels the original of an
	// edit); repl is order 58 ("000000021-1", placed at 14:00), which
	// replaces it.
	orig, cancelled, repl normalize.Order
}

func loadMagento(t *testing.T) mageFixtures {
	d := magento.Decoder{Store: "https://magento.example.com"}
	body := read(t, mageReplacesFn)
	orig := replace(t, body, `"entity_id": 58`, `"entity_id": 57`)
	orig = replace(t, orig, `"increment_id": "000000021-1"`, `"increment_id": "000000021"`)
	orig = replace(t, orig, `"relation_parent_id": "57"`, `"relation_parent_id": null`)
	orig = replace(t, orig, `"relation_parent_real_id": "000000021"`, `"relation_parent_real_id": null`)
	orig = strings.ReplaceAll(orig, `"2025-03-08 14:00:00"`, `"2025-03-08 12:00:00"`)
	cancelled := replace(t, orig, `"state": "processing"`, `"state": "canceled"`)
	cancelled = replace(t, cancelled, `"status": "processing"`, `"status": "canceled"`)
	cancelled = replace(t, cancelled, `"updated_at": "2025-03-08 12:00:00"`, `"updated_at": "2025-03-08 14:00:00"`)
	var f mageFixtures
	for _, x := range []struct {
		o    *normalize.Order
		body string
	}{{&f.orig, orig}, {&f.cancelled, cancelled}, {&f.repl, body}} {
		o, err := d.DecodeOrder([]byte(x.body))
		if err != nil {
			t.Fatal(err)
		}
		*x.o = o
	}
	if f.repl.ReplacesOrderID != "57" || f.orig.PlatformOrderID != "57" || f.cancelled.Status != normalize.StatusCancelled {
		t.Fatalf("fixtures: replacement replaces %q, original %q, cancelled %s", f.repl.ReplacesOrderID, f.orig.PlatformOrderID, f.cancelled.Status)
	}
	return f
}

// A Magento edit: order 57 paid A 6.00 (10% of 59.97); the edit cancels it
// and creates order 58 replacing it. 58 is calculated as 57 was: with 57's
// lock and at 57's OrderTS (at 58's, D-1001's sponsor is B). The original
// is brought to zero, the replacement pays once.
func TestMagentoReplacement(t *testing.T) {
	f := loadMagento(t)
	posted := f.orig.Version.Add(time.Hour) // the original's lock knows the sponsor change
	post := func(t *testing.T, l *ledger.Ledger, o *normalize.Order, want ledger.Outcome) ledger.Result {
		t.Helper()
		r, err := l.Post(ctx, o, posted)
		if err != nil {
			t.Fatalf("post %s: %v", o.Key(), err)
		}
		if r.Outcome != want {
			t.Fatalf("post %s: %s, want %s", o.Key(), r.Outcome, want)
		}
		return r
	}
	check := func(t *testing.T, l *ledger.Ledger, platform ...normalize.Order) {
		t.Helper()
		if d := cmp.Diff([]string{"A USD 6.00"}, nonZero(ledgerworld.Balances(t, l, far))); d != "" {
			t.Errorf("balances (-want +got):\n%s", d)
		}
		checkReconciled(t, l, platform)
	}

	t.Run("original, then replacement, then the cancellation", func(t *testing.T) {
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		first := post(t, l, &f.orig, ledger.Posted)
		checkAmounts(t, first, "A 6.00")
		r := post(t, l, &f.repl, ledger.Posted)
		checkAmounts(t, r, "A -6.00", "A 6.00")
		if r.Replaced != f.orig.Key() || r.Lock != first.Lock || r.Entries[0].Stream != ledger.OrderStream(f.orig.Key()) {
			t.Errorf("replaced %v, lock %+v, first entry in %s; want %v, the original's lock %+v, its stream", r.Replaced, r.Lock,
				r.Entries[0].Stream, f.orig.Key(), first.Lock)
		}
		o, _, err := l.Order(ctx, f.repl.Key())
		if err != nil || !o.OrderTS.Equal(f.orig.OrderTS) {
			t.Errorf("the replacement is recorded placed at %s (%v), want the original's %s", o.OrderTS, err, f.orig.OrderTS)
		}
		c := post(t, l, &f.cancelled, ledger.Stale)
		if c.ReplacedBy != f.repl.Key() {
			t.Errorf("stale original: replaced by %v", c.ReplacedBy)
		}
		post(t, l, &f.orig, ledger.Stale)
		post(t, l, &f.repl, ledger.Duplicate)
		check(t, l, f.cancelled, f.repl)
		check(t, l, f.orig, f.repl) // a replaced original is desired at zero whatever the platform lists
	})

	t.Run("replacement first, the original late", func(t *testing.T) {
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		r := post(t, l, &f.repl, ledger.Posted)
		checkAmounts(t, r, "B 6.00") // the original not seen yet: 58 is read at its own OrderTS
		// The original, late, is where the sale was made: 58 is read again
		// at 57's OrderTS, as if the two had arrived in order.
		late := post(t, l, &f.orig, ledger.Stale)
		checkAmounts(t, late, "A 6.00", "B -6.00")
		post(t, l, &f.orig, ledger.Stale)
		post(t, l, &f.cancelled, ledger.Stale)
		if d := cmp.Diff([]string{"A USD 6.00"}, nonZero(ledgerworld.Balances(t, l, far))); d != "" {
			t.Errorf("balances (-want +got):\n%s", d)
		}
		checkReconciled(t, l, []normalize.Order{f.orig, f.repl})
	})

	t.Run("the process stops between the two appends", func(t *testing.T) {
		s := &failing{Store: ledger.NewMemory(), stream: ledger.OrderStream(f.repl.Key()), times: 1}
		l := ledger.New(s, platformEngine(t))
		post(t, l, &f.orig, ledger.Posted)
		_, err := l.Post(ctx, &f.repl, posted)
		if !errors.Is(err, errStopped) {
			t.Fatalf("got %v, want the store's failure", err)
		}
		if got := balanceOf(t, l, "A"); got != "0.00" {
			t.Errorf("A %s after the original was zeroed, want 0.00", got)
		}
		r := post(t, l, &f.repl, ledger.Posted) // redelivered
		checkAmounts(t, r, "A 6.00")
		if r.Replaced != (normalize.Key{}) {
			t.Errorf("redelivery replaced %v again", r.Replaced)
		}
		post(t, l, &f.repl, ledger.Duplicate)
		post(t, l, &f.cancelled, ledger.Stale)
		check(t, l, f.cancelled, f.repl)
	})

	t.Run("replacement refunded later", func(t *testing.T) {
		l := ledger.New(ledger.NewMemory(), platformEngine(t))
		post(t, l, &f.orig, ledger.Posted)
		post(t, l, &f.repl, ledger.Posted)
		refunded, err := f.repl.ApplyRefund(normalize.Refund{RefundID: "cm-1", TS: f.repl.Version.Add(24 * time.Hour),
			Items: []normalize.RefundLine{{LineID: f.repl.Items[0].LineID, Qty: 1, Net: decimal.RequireFromString("19.99")}}})
		if err != nil {
			t.Fatal(err)
		}
		checkAmounts(t, post(t, l, &refunded, ledger.Posted), "A -2.00") // still A's: read at the original's OrderTS
		post(t, l, &f.repl, ledger.Stale)
		if got := balanceOf(t, l, "A"); got != "4.00" {
			t.Errorf("A %s, want 4.00", got)
		}
		checkReconciled(t, l, []normalize.Order{f.cancelled, f.repl})
	})
}

func nonZero(bs []string) []string {
	out := []string{}
	for _, b := range bs {
		if !strings.HasSuffix(b, " 0.00") {
			out = append(out, b)
		}
	}
	return out
}

var errStopped = errors.New("the process stopped")

// failing is a store whose appends to stream fail times times.
type failing struct {
	ledger.Store
	stream string
	times  int
}

func (s *failing) Append(ctx context.Context, stream string, v int, es []ledger.Entry) error {
	if stream == s.stream && s.times > 0 {
		s.times--
		return fmt.Errorf("append to %s: %w", stream, errStopped)
	}
	return s.Store.Append(ctx, stream, v, es)
}

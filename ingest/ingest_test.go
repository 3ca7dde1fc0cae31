package ingest_test

import (
	"context"
	"crypto"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

// The tests deliver the quickstart's webhook bodies (examples/quickstart:
// its genealogy, catalog, plan and payloads), signed here as each platform
// signs them.

var ctx = context.Background()

const (
	shopSecret   = "shpss_ingest_test"
	otherSecret  = "shpss_another_shop"
	wooSecret    = "wc_ingest_test"
	received     = "2025-04-10T00:00:00Z"
	quickstart   = "../examples/quickstart"
	shopifyStore = "acme.myshopify.com"
)

var at = mustTime(received)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

type world struct {
	engine *commission.Engine
	key    *rsa.PrivateKey
}

// newWorld builds the world once per test binary: an RSA key takes a while.
func newWorld(t testing.TB) *world {
	t.Helper()
	w, err := theWorld()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var theWorld = sync.OnceValues(func() (*world, error) {
	read := func(name string) []byte {
		b, _ := os.ReadFile(filepath.Join(quickstart, "data", name))
		return b
	}
	tree, err := hierarchy.LoadCSV(read("genealogy.csv"))
	if err != nil {
		return nil, err
	}
	cat, err := sku.LoadJSON(read("catalog.json"))
	if err != nil {
		return nil, err
	}
	plan, err := commission.LoadPlan(read("plan.json"))
	if err != nil {
		return nil, err
	}
	e, err := commission.New(cat, tree, plan)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(crand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &world{engine: e, key: key}, nil
})

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func payload(t testing.TB, name string) []byte {
	return readFile(t, filepath.Join(quickstart, "payloads", name))
}

// service returns a service over a new memory ledger with every platform's
// source: two Shopify shops (each its own secret), WooCommerce, Magento
// with w's key, the referral webhook and the canonical form as trusted
// channels.
func (w *world) service() (*ingest.Service, *ledger.Memory) {
	store := ledger.NewMemory()
	return ingest.New(ledger.New(store, w.engine),
		ingest.Shopify{Decoder: shopify.Decoder{Store: "other.myshopify.com"}, Secret: otherSecret},
		ingest.Shopify{Decoder: shopify.Decoder{Store: shopifyStore}, Secret: shopSecret},
		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com", ShopCurrency: "USD"}, Secret: wooSecret},
		ingest.Magento{Decoder: magento.Decoder{Store: "magento.example.com"}, PublicKey: &w.key.PublicKey},
		ingest.Referral{Decoder: referral.Decoder{Store: shopifyStore, Currency: "USD"}, Trusted: true},
		ingest.Canonical{Trusted: true},
	), store
}

func hmacHeader(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func shopifyDelivery(body []byte, topic, secret string) ingest.Delivery {
	d := ingest.Delivery{Source: ingest.NameShopify, Topic: topic, Body: body, Header: http.Header{}}
	d.Header.Set(shopify.SignatureHeader, hmacHeader(body, secret))
	return d
}

func wooDelivery(body []byte, secret string) ingest.Delivery {
	d := ingest.Delivery{Source: ingest.NameWooCommerce, Body: body, Header: http.Header{}}
	d.Header.Set(woocommerce.SignatureHeader, hmacHeader(body, secret))
	d.Header.Set("X-WC-Webhook-Topic", "order.updated")
	return d
}

func (w *world) magentoDelivery(t testing.TB, body []byte) ingest.Delivery {
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(nil, w.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	d := ingest.Delivery{Source: ingest.NameMagento, Body: body, Header: http.Header{}}
	d.Header.Set(magento.SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	return d
}

// summary renders a result as "outcome kind order: n events Σ amount".
func summary(r ingest.Result) string {
	sum, n := decimal.Zero, 0
	for _, e := range r.Ledger.Entries {
		if e.Event != nil {
			sum, n = sum.Add(e.Amount), n+1
		}
	}
	order := "-"
	if r.Order != (normalize.Key{}) {
		order = r.Order.String()
	}
	return fmt.Sprintf("%s %s %s: %d events Σ %s", r.Outcome, r.Kind, order, n, sum.StringFixed(2))
}

func TestDeliverOutcomes(t *testing.T) {
	w := newWorld(t)
	svc, store := w.service()
	paid := payload(t, "shopify-order-paid.json")
	refund := payload(t, "shopify-refund.json")
	woo := payload(t, "woocommerce-order.json")
	mage := payload(t, "magento-order.json")
	ref := payload(t, "referral.json")
	older := []byte(strings.Replace(string(paid), `"updated_at": "2025-04-01T12:00:05-04:00"`, `"updated_at": "2025-04-01T12:00:01-04:00"`, 1))
	if string(older) == string(paid) {
		t.Fatal("the paid body has no updated_at to make older")
	}
	tooLarge := []byte(strings.Replace(strings.Replace(string(refund), `"quantity": 1`, `"quantity": 5`, 1), `"id": 930000000001`, `"id": 930000000002`, 1))
	unknownSKU := []byte(strings.ReplaceAll(string(woo), `"SHAKE-VAN"`, `"NO-SUCH-SKU"`))
	newID := shopifyDelivery(paid, "orders/paid", shopSecret)
	newID.ID = "a-new-delivery-id"

	steps := []struct {
		name string
		d    ingest.Delivery
		at   time.Time
		want string
	}{
		{"shopify order", shopifyDelivery(paid, "orders/paid", shopSecret), at, "posted order shopify/acme.myshopify.com/5829367209044: 4 events Σ 7.50"},
		{"shopify same delivery again", shopifyDelivery(paid, "orders/paid", shopSecret), at, "duplicate order shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{"shopify same body, new delivery id", newID, at, "duplicate order shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{"shopify refund", shopifyDelivery(refund, "refunds/create", shopSecret), at, "posted refund shopify/acme.myshopify.com/5829367209044: 2 events Σ -3.28"},
		{"shopify refund again", shopifyDelivery(refund, "refunds/create", shopSecret), at, "duplicate refund shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{"shopify older body", shopifyDelivery(older, "orders/updated", shopSecret), at, "stale order shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{"shopify body signed by the other shop", shopifyDelivery(paid, "orders/paid", otherSecret), at, "posted order shopify/other.myshopify.com/5829367209044: 4 events Σ 7.50"},
		{"woocommerce ping", ingest.Delivery{Source: ingest.NameWooCommerce, Body: []byte("webhook_id=17"),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}, at, "acknowledged ping -: 0 events Σ 0.00"},
		{"woocommerce order", wooDelivery(woo, wooSecret), at, "posted order woocommerce/shop.example.com/5012: 14 events Σ 31.47"},
		{"woocommerce order again", wooDelivery(woo, wooSecret), at, "duplicate order woocommerce/shop.example.com/5012: 0 events Σ 0.00"},
		{"magento order", w.magentoDelivery(t, mage), at, "posted order magento/magento.example.com/104: 12 events Σ 11.92"},
		{"magento order again", w.magentoDelivery(t, mage), at, "duplicate order magento/magento.example.com/104: 0 events Σ 0.00"},
		{"referral", ingest.Delivery{Source: ingest.NameReferral, Body: ref}, mustTime("2025-08-28T08:11:04Z"), "posted order shopify/acme.myshopify.com/1234: 5 events Σ 18.36"},
		{"referral retried a day later", ingest.Delivery{Source: ingest.NameReferral, Body: ref}, mustTime("2025-08-29T08:11:04Z"), "duplicate order shopify/acme.myshopify.com/1234: 0 events Σ 0.00"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			res, err := svc.Deliver(ctx, s.d, s.at)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); got != s.want {
				t.Errorf("got  %s\nwant %s (reason %v)", got, s.want, res.Reason)
			}
		})
	}

	held := []struct {
		name string
		d    ingest.Delivery
		kind error
	}{
		{"woocommerce unknown SKU", wooDelivery(unknownSKU, wooSecret), sku.ErrUnknownSKU},
		{"shopify malformed JSON", shopifyDelivery([]byte(`{"id": 5829367209099, "line_items": [`), "orders/paid", shopSecret), normalize.ErrMalformed},
		{"shopify refund too large", shopifyDelivery(tooLarge, "refunds/create", shopSecret), normalize.ErrRefundExceeds},
	}
	for _, h := range held {
		t.Run(h.name, func(t *testing.T) {
			before := positions(t, store)
			res, err := svc.Deliver(ctx, h.d, at)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != ingest.Held || !errors.Is(res.Reason, h.kind) {
				t.Errorf("%s, reason %v; want held for %v", res.Outcome, res.Reason, h.kind)
			}
			if after := positions(t, store); after != before {
				t.Errorf("a held delivery appended %d entries", after-before)
			}
		})
	}

	refused := []struct {
		name string
		d    ingest.Delivery
		kind error
	}{
		{"shopify bad signature", shopifyDelivery(paid, "orders/paid", "wrong"), normalize.ErrSignature},
		{"shopify no signature", ingest.Delivery{Source: ingest.NameShopify, Body: paid}, normalize.ErrSignature},
		{"woocommerce bad signature", wooDelivery(woo, "wrong"), normalize.ErrSignature},
		{"magento signature of another body", func() ingest.Delivery {
			d := w.magentoDelivery(t, mage)
			d.Body = paid
			return d
		}(), normalize.ErrSignature},
		{"unknown source", ingest.Delivery{Source: "bigcommerce", Body: paid}, ingest.ErrUnknownSource},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			before := positions(t, store)
			res, err := svc.Deliver(ctx, r.d, at)
			if !errors.Is(err, r.kind) || res.Outcome != 0 {
				t.Errorf("%s, %v; want no outcome and %v", res.Outcome, err, r.kind)
			}
			if after := positions(t, store); after != before {
				t.Errorf("a refused delivery appended %d entries", after-before)
			}
		})
	}
}

// positions counts the entries in store.
func positions(t *testing.T, s ledger.Store) int {
	t.Helper()
	es, err := s.After(ctx, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// TestRefundBeforeOrder: a refund delivered before its order waits, and is
// applied when the order arrives: the order pays what is left after it.
func TestRefundBeforeOrder(t *testing.T) {
	w := newWorld(t)
	svc, _ := w.service()
	steps := []struct {
		d    ingest.Delivery
		want string
	}{
		{shopifyDelivery(payload(t, "shopify-refund.json"), "refunds/create", shopSecret), "waiting refund shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{shopifyDelivery(payload(t, "shopify-refund.json"), "refunds/create", shopSecret), "duplicate refund shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00"},
		{shopifyDelivery(payload(t, "shopify-order-paid.json"), "orders/paid", shopSecret), "posted order shopify/acme.myshopify.com/5829367209044: 4 events Σ 4.22"},
	}
	for i, s := range steps {
		res, err := svc.Deliver(ctx, s.d, at)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(res); got != s.want {
			t.Errorf("step %d: got %s, want %s", i, got, s.want)
		}
	}
}

// TestShuffledDeliveries delivers the quickstart's deliveries, each two or
// three times, in many orders: every order ends in the same ledger as the
// deliveries in the order they were made, and reconciliation's delta is 0.
func TestShuffledDeliveries(t *testing.T) {
	w := newWorld(t)
	deliveries := []ingest.Delivery{
		shopifyDelivery(payload(t, "shopify-order-paid.json"), "orders/paid", shopSecret),
		shopifyDelivery(payload(t, "shopify-refund.json"), "refunds/create", shopSecret),
		shopifyDelivery(payload(t, "shopify-order.json"), "orders/create", shopSecret),
		wooDelivery(payload(t, "woocommerce-order.json"), wooSecret),
		w.magentoDelivery(t, payload(t, "magento-order.json")),
	}
	play := func(order []int) (*ingest.Service, []string) {
		svc, store := w.service()
		for _, i := range order {
			res, err := svc.Deliver(ctx, deliveries[i], at)
			if err != nil || res.Outcome == ingest.Held {
				t.Fatalf("delivery %d: %s %v %v", i, res.Outcome, res.Reason, err)
			}
		}
		return svc, slotSums(t, store)
	}
	inOrder, want := play([]int{0, 1, 2, 3, 4})
	wantBalances := balances(t, inOrder.Ledger())
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var order []int
		for i := range deliveries {
			for range 1 + rng.IntN(3) {
				order = append(order, i)
			}
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		svc, got := play(order)
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("round %d, order %v: per-slot sums (-in order +shuffled):\n%s", round, order, d)
		}
		if d := cmp.Diff(wantBalances, balances(t, svc.Ledger())); d != "" {
			t.Fatalf("round %d, order %v: balances (-in order +shuffled):\n%s", round, order, d)
		}
	}
	var platform []normalize.Order
	for _, k := range orderKeys(t, inOrder) {
		o, _, err := inOrder.Ledger().Order(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		platform = append(platform, o)
	}
	rec, err := inOrder.Ledger().Reconcile(ctx, ledger.Year(2025), platform, at)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Share != "0" || rec.Matched != 4 {
		t.Errorf("reconciliation: share %s, %d of %d matched", rec.Share, rec.Matched, rec.Orders)
	}
}

func orderKeys(t *testing.T, svc *ingest.Service) []normalize.Key {
	var keys []normalize.Key
	err := svc.Ledger().Store().Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeRevision}}, func(e *ledger.Entry) error {
		if !slices.Contains(keys, e.Order) {
			keys = append(keys, e.Order)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func slotSums(t *testing.T, s ledger.Store) []string {
	t.Helper()
	sums := make(map[string]decimal.Decimal)
	err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeCommission, ledger.TypeCorrection, ledger.TypeVolume}}, func(e *ledger.Entry) error {
		if v := e.Volume; v != nil {
			k := fmt.Sprintf("%s %s/%s volume %s", e.Order, v.LineID, v.Component, e.Member)
			sums[k+" pv"], sums[k+" cv"], sums[k+" net"] = sums[k+" pv"].Add(v.PV), sums[k+" cv"].Add(v.CV), sums[k+" net"].Add(v.Net)
			return nil
		}
		s := e.Event.Slot()
		k := fmt.Sprintf("%s %s/%s %s %s L%d", s.Order, s.LineID, s.Component, s.Rule, s.Beneficiary, s.Level)
		sums[k] = sums[k].Add(e.Amount)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for k, v := range sums {
		if !v.IsZero() {
			out = append(out, k+" "+v.String())
		}
	}
	slices.Sort(out)
	return out
}

func balances(t *testing.T, l *ledger.Ledger) []string {
	t.Helper()
	bs, err := l.Balances(ctx, at.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bs {
		out = append(out, b.Member+" "+b.Currency+" "+b.Amount.StringFixed(2))
	}
	return out
}

// TestEveryOutcomeOnEveryPlatform delivers, for each platform, a refund
// before its order (waiting), the order (posted, net of the refund), both
// again (duplicate), an older body (stale) and a body with an unknown SKU
// (held). The referral form has no refunds and no versions of its own.
func TestEveryOutcomeOnEveryPlatform(t *testing.T) {
	w := newWorld(t)
	local := func(name string) []byte { return readFile(t, filepath.Join("testdata", name)) }
	edit := func(b []byte, old, new string) []byte {
		t.Helper()
		out := strings.Replace(string(b), old, new, 1)
		if out == string(b) {
			t.Fatalf("%q not in the body", old)
		}
		return []byte(out)
	}
	shop := func(topic string) func([]byte) ingest.Delivery {
		return func(b []byte) ingest.Delivery { return shopifyDelivery(b, topic, shopSecret) }
	}
	wooRefund := func(b []byte) ingest.Delivery {
		d := wooDelivery(b, wooSecret)
		d.Header.Set("X-WC-Webhook-Topic", "refund.created")
		return d
	}
	mage := func(topic string) func([]byte) ingest.Delivery {
		return func(b []byte) ingest.Delivery { d := w.magentoDelivery(t, b); d.Topic = topic; return d }
	}
	trusted := func(b []byte) ingest.Delivery { return ingest.Delivery{Source: ingest.NameReferral, Body: b} }
	woo := func(b []byte) ingest.Delivery { return wooDelivery(b, wooSecret) }

	shopifyPaid := payload(t, "shopify-order-paid.json")
	wooOrder := payload(t, "woocommerce-order.json")
	mageOrder := payload(t, "magento-order.json")
	ref := payload(t, "referral.json")
	platforms := []struct {
		name          string
		order, refund func([]byte) ingest.Delivery
		body, refBody []byte
		older, bad    []byte
		want          []string
	}{
		{"shopify", shop("orders/paid"), shop("refunds/create"), shopifyPaid, payload(t, "shopify-refund.json"),
			edit(shopifyPaid, `"updated_at": "2025-04-01T12:00:05-04:00"`, `"updated_at": "2025-04-01T12:00:01-04:00"`),
			edit(edit(shopifyPaid, `"sku": "COLLAGEN"`, `"sku": "NO-SUCH-SKU"`), `"id": 5829367209044`, `"id": 5829367209045`),
			[]string{"waiting refund shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00",
				"posted order shopify/acme.myshopify.com/5829367209044: 4 events Σ 4.22",
				"duplicate order shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00",
				"duplicate refund shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00",
				"stale order shopify/acme.myshopify.com/5829367209044: 0 events Σ 0.00",
				"held order shopify/acme.myshopify.com/5829367209045: 0 events Σ 0.00"}},
		{"woocommerce", woo, wooRefund, wooOrder, local("woocommerce-refund-5012.json"),
			edit(wooOrder, `"date_modified_gmt": "2025-03-14T14:16:30"`, `"date_modified_gmt": "2025-03-14T14:16:00"`),
			edit(edit(wooOrder, `"sku": "SHAKE-VAN"`, `"sku": "NO-SUCH-SKU"`), `"id": 5012`, `"id": 5013`),
			[]string{"waiting refund woocommerce/shop.example.com/5012: 0 events Σ 0.00",
				"posted order woocommerce/shop.example.com/5012: 9 events Σ 22.88",
				"duplicate order woocommerce/shop.example.com/5012: 0 events Σ 0.00",
				"duplicate refund woocommerce/shop.example.com/5012: 0 events Σ 0.00",
				"stale order woocommerce/shop.example.com/5012: 0 events Σ 0.00",
				"held order woocommerce/shop.example.com/5013: 0 events Σ 0.00"}},
		{"magento", mage(""), mage("creditmemo"), mageOrder, local("magento-creditmemo-104.json"),
			edit(mageOrder, `"updated_at": "2025-03-06 12:00:00"`, `"updated_at": "2025-03-05 12:00:00"`),
			edit(edit(mageOrder, `"sku": "TEE-ENGRAVED"`, `"sku": "NO-SUCH-SKU"`), `"entity_id": 104`, `"entity_id": 105`),
			[]string{"waiting refund magento/magento.example.com/104: 0 events Σ 0.00",
				"posted order magento/magento.example.com/104: 6 events Σ 5.96",
				"duplicate order magento/magento.example.com/104: 0 events Σ 0.00",
				"duplicate refund magento/magento.example.com/104: 0 events Σ 0.00",
				"stale order magento/magento.example.com/104: 0 events Σ 0.00",
				"held order magento/magento.example.com/105: 0 events Σ 0.00"}},
		{"referral", trusted, nil, ref, nil, nil, edit(edit(ref, `"A1123"`, `"NO-SUCH-SKU"`), `"1234"`, `"1235"`),
			[]string{"posted order shopify/acme.myshopify.com/1234: 5 events Σ 18.36",
				"duplicate order shopify/acme.myshopify.com/1234: 0 events Σ 0.00",
				"held order shopify/acme.myshopify.com/1235: 0 events Σ 0.00"}},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			svc, _ := w.service()
			var got []string
			deliver := func(d ingest.Delivery) {
				t.Helper()
				res, err := svc.Deliver(ctx, d, at)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome == ingest.Held && !errors.Is(res.Reason, sku.ErrUnknownSKU) {
					t.Errorf("held for %v, want an unknown SKU", res.Reason)
				}
				got = append(got, summary(res))
			}
			if p.refund != nil {
				deliver(p.refund(p.refBody))
			}
			deliver(p.order(p.body))
			deliver(p.order(p.body))
			if p.refund != nil {
				deliver(p.refund(p.refBody))
				deliver(p.order(p.older))
			}
			deliver(p.order(p.bad))
			if d := cmp.Diff(p.want, got); d != "" {
				t.Errorf("outcomes (-want +got):\n%s", d)
			}
		})
	}
}

// TestWooCommerceRefundWithoutCurrency: a refund object names no currency.
// Fitted to its order it takes the order's; before its order it can wait
// only when the source knows the shop's currency, and is held otherwise.
func TestWooCommerceRefundWithoutCurrency(t *testing.T) {
	w := newWorld(t)
	svc := ingest.New(ledger.New(ledger.NewMemory(), w.engine),
		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com"}, Secret: wooSecret})
	refund := wooDelivery(readFile(t, "testdata/woocommerce-refund-5012.json"), wooSecret)
	refund.Header.Set("X-WC-Webhook-Topic", "refund.created")
	res, err := svc.Deliver(ctx, refund, at)
	if err != nil || res.Outcome != ingest.Held || !errors.Is(res.Reason, normalize.ErrMissing) {
		t.Fatalf("before its order: %s, %v, %v; want held for a missing currency", res.Outcome, res.Reason, err)
	}
	for _, d := range []ingest.Delivery{wooDelivery(payload(t, "woocommerce-order.json"), wooSecret), refund} {
		if res, err = svc.Deliver(ctx, d, at); err != nil || res.Outcome != ingest.Posted {
			t.Fatalf("%s: %s, %v, %v; want posted", res.Kind, res.Outcome, res.Reason, err)
		}
	}
	if got, want := summary(res), "posted refund woocommerce/shop.example.com/5012: 5 events Σ -8.59"; got != want {
		t.Errorf("after its order: %s, want %s", got, want)
	}
}

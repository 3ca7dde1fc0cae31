package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/ledger"
)

// paid sums the commissions and corrections posted for order.
func paid(t testing.TB, s ledger.Store, order string) string {
	t.Helper()
	sum := decimal.Zero
	err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeCommission, ledger.TypeCorrection}}, func(e *ledger.Entry) error {
		if e.Order.String() == order {
			sum = sum.Add(e.Amount)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sum.StringFixed(2)
}

// revisions counts the bodies posted for order.
func revisions(t testing.TB, s ledger.Store, order string) int {
	t.Helper()
	n := 0
	err := s.Scan(ctx, ledger.Filter{Types: []ledger.Type{ledger.TypeRevision}}, func(e *ledger.Entry) error {
		if e.Order.String() == order {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// getJSON decodes the admin's answer to GET path into v.
func getJSON(t testing.TB, base, path string, v any) int {
	t.Helper()
	res, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode
}

func redrive(t testing.TB, base, id string) (int, webhook.Record) {
	t.Helper()
	res, err := http.Post(base+"/held/"+id+"/redrive", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rec webhook.Record
	if err := json.NewDecoder(res.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, rec
}

// TestPlatforms runs, for each platform over HTTP, every case a delivery
// can be: a refund before its order, the order (the refund applied),
// re-deliveries, forgeries, a body over the limit, malformed JSON, and an
// order held for an unknown SKU that is re-driven once the catalog knows
// it.
func TestPlatforms(t *testing.T) {
	w := newWorld(t)
	const maxBody = 256 << 10
	shopifyPaid, wooOrder, mageOrder := payload(t, "shopify-order-paid.json"), payload(t, "woocommerce-order.json"), payload(t, "magento-order.json")
	platforms := []struct {
		name string
		// req makes a request of body, with a delivery id where the
		// platform sends one; sign says whether to sign it, and with the
		// right secret.
		req            func(body []byte, refund bool, id string, sign, right bool) request
		deliveryIDs    bool
		order, refund  []byte
		unknown        []byte
		key, unknownOf string
		// net is what the order pays once its refund is applied.
		net string
	}{
		{
			name: "shopify",
			req: func(body []byte, refund bool, id string, sign, right bool) request {
				topic, secret := "orders/paid", ""
				if refund {
					topic = "refunds/create"
				}
				if sign {
					secret = map[bool]string{true: shopSecret, false: "not the secret"}[right]
				}
				return shopifyRequest(body, topic, secret, id)
			},
			deliveryIDs: true,
			order:       shopifyPaid, refund: payload(t, "shopify-refund.json"),
			unknown: edit(t, edit(t, shopifyPaid, `"sku": "COLLAGEN"`, `"sku": "NO-SUCH-SKU"`), `"id": 5829367209044`, `"id": 5829367209045`),
			key:     "shopify/acme.myshopify.com/5829367209044", unknownOf: "shopify/acme.myshopify.com/5829367209045",
			net: "4.22",
		},
		{
			name: "woocommerce",
			req: func(body []byte, refund bool, id string, sign, right bool) request {
				topic, secret := "order.updated", ""
				if refund {
					topic = "refund.created"
				}
				if sign {
					secret = map[bool]string{true: wooSecret, false: "not the secret"}[right]
				}
				return wooRequest(body, topic, secret, id)
			},
			deliveryIDs: true,
			order:       wooOrder, refund: testdata(t, "woocommerce-refund-5012.json"),
			unknown: edit(t, edit(t, wooOrder, `"sku": "SHAKE-VAN"`, `"sku": "NO-SUCH-SKU"`), `"id": 5012`, `"id": 5013`),
			key:     "woocommerce/shop.example.com/5012", unknownOf: "woocommerce/shop.example.com/5013",
			net: "22.88",
		},
		{
			name: "magento",
			req: func(body []byte, refund bool, _ string, sign, right bool) request {
				topic := "observer.sales_order_save_after"
				if refund {
					topic = "observer.sales_order_creditmemo_save_after"
				}
				key := w.key
				if !sign {
					key = nil
				} else if !right {
					key = otherKey(t)
				}
				return w.magentoRequest(t, body, topic, key)
			},
			order: mageOrder, refund: testdata(t, "magento-creditmemo-104.json"),
			unknown: edit(t, edit(t, mageOrder, `"sku": "TEE-ENGRAVED"`, `"sku": "NO-SUCH-SKU"`), `"entity_id": 104`, `"entity_id": 105`),
			key:     "magento/magento.example.com/104", unknownOf: "magento/magento.example.com/105",
			net: "5.96",
		},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			s := w.serve(t, serverOptions{maxBody: maxBody})
			// expect posts r and checks the answer, and how many records
			// and ledger entries it added.
			expect := func(what string, r request, status int, outcome, reason string, newRecords int, appends bool) webhook.Answer {
				t.Helper()
				recs, pos := records(t, s.inbox), positions(t, s.store)
				got, a := post(t, s.URL, r)
				if got != status || a.Outcome != outcome || a.Reason != reason {
					t.Errorf("%s: %d %s %s (%s); want %d %s %s", what, got, a.Outcome, a.Reason, a.Detail, status, outcome, reason)
				}
				if n := records(t, s.inbox) - recs; n != newRecords {
					t.Errorf("%s: %d records added to the inbox, want %d", what, n, newRecords)
				}
				if n := positions(t, s.store) - pos; (n > 0) != appends {
					t.Errorf("%s: %d ledger entries appended", what, n)
				}
				return a
			}
			refundID, orderID := newDeliveryID(), newDeliveryID()
			expect("refund before its order", p.req(p.refund, true, refundID, true, true), 200, "waiting", "", 1, true)
			a := expect("the order", p.req(p.order, false, orderID, true, true), 200, "posted", "", 1, true)
			if a.Order != p.key {
				t.Errorf("order %s, want %s", a.Order, p.key)
			}
			if got := paid(t, s.store, p.key); got != p.net {
				t.Errorf("the order paid %s after its refund, want %s", got, p.net)
			}
			expect("the order again, same delivery id", p.req(p.order, false, orderID, true, true), 200, "duplicate", "", 0, false)
			expect("the refund again, same delivery id", p.req(p.refund, true, refundID, true, true), 200, "duplicate", "", 0, false)
			if p.deliveryIDs {
				expect("the order again, a new delivery id", p.req(p.order, false, newDeliveryID(), true, true), 200, "duplicate", "", 1, false)
			}
			expect("bad signature", p.req(p.order, false, newDeliveryID(), true, false), 401, "unauthentic", "", 0, false)
			expect("no signature", p.req(p.order, false, newDeliveryID(), false, false), 401, "unauthentic", "", 0, false)
			big := append([]byte(`{"note": "`), append([]byte(strings.Repeat("x", maxBody)), `"}`...)...)
			expect("body over the limit", p.req(big, false, newDeliveryID(), true, true), 413, "too_large", "", 0, false)
			malformed := expect("malformed JSON", p.req([]byte(`{"id": 1, "line_items": [`), false, newDeliveryID(), true, true),
				200, "held", webhook.ReasonMalformed, 1, false)
			held := expect("unknown SKU", p.req(p.unknown, false, newDeliveryID(), true, true), 200, "held", webhook.ReasonUnknownSKU, 1, false)
			if held.Order != p.unknownOf {
				t.Errorf("held order %s, want %s", held.Order, p.unknownOf)
			}

			var list []webhook.Record
			if code := getJSON(t, s.admin.URL, "/held?reason="+webhook.ReasonUnknownSKU, &list); code != 200 || len(list) != 1 || list[0].ID != held.ID {
				t.Fatalf("GET /held?reason=unknown_sku: %d %+v; want %s alone", code, list, held.ID)
			}
			if list[0].Order != p.unknownOf || !strings.Contains(list[0].Detail, noSuchSKU) || list[0].Body != nil {
				t.Errorf("listed: order %s, detail %q, %d bytes of body", list[0].Order, list[0].Detail, len(list[0].Body))
			}
			if getJSON(t, s.admin.URL, "/held", &list); len(list) != 2 || list[0].ID != malformed.ID {
				t.Errorf("GET /held: %d held, first %s; want 2, the malformed one first", len(list), list[0].ID)
			}
			if code, rec := redrive(t, s.admin.URL, held.ID); code != 200 || rec.Outcome != "held" || rec.Reason != webhook.ReasonUnknownSKU {
				t.Errorf("re-drive before the fix: %d %s %s", code, rec.Outcome, rec.Reason)
			}

			// The catalog is fixed: a new engine, ledger and service over
			// the same store.
			s.h.SetService(w.service(t, s.store, w.fixed))
			pos := positions(t, s.store)
			code, rec := redrive(t, s.admin.URL, held.ID)
			if code != 200 || rec.State != webhook.Done || rec.Outcome != "posted" || rec.Attempts != 3 {
				t.Errorf("re-drive after the fix: %d %s %s, %d attempts; want done, posted, 3", code, rec.State, rec.Outcome, rec.Attempts)
			}
			if positions(t, s.store) == pos || paid(t, s.store, p.unknownOf) == "0.00" {
				t.Errorf("the re-drive posted nothing")
			}
			pos = positions(t, s.store)
			if code, rec := redrive(t, s.admin.URL, held.ID); code != 200 || rec.Outcome != "duplicate" {
				t.Errorf("second re-drive: %d %s; want duplicate", code, rec.Outcome)
			}
			if positions(t, s.store) != pos || revisions(t, s.store, p.unknownOf) != 1 {
				t.Errorf("re-driven twice: %d entries appended, %d bodies of the order posted; want 0 and 1",
					positions(t, s.store)-pos, revisions(t, s.store, p.unknownOf))
			}
			if getJSON(t, s.admin.URL, "/held?reason="+webhook.ReasonUnknownSKU, &list); len(list) != 0 {
				t.Errorf("still held for an unknown SKU: %d", len(list))
			}
			if code, _ := redrive(t, s.admin.URL, "shopify-nosuch"); code != 404 {
				t.Errorf("re-drive of an unknown id: %d, want 404", code)
			}
			if p.deliveryIDs {
				// The platform retries the delivery that was held: done now.
				retry := p.req(p.unknown, false, "", true, true)
				rec, _, _ := s.inbox.Get(ctx, held.ID)
				retry.header = rec.Header
				expect("the held delivery retried by the platform", retry, 200, "duplicate", "", 0, false)
			}
		})
	}
}

// otherKey is an RSA key that is not the installation's.
var otherKey = func() func(testing.TB) *rsaKey {
	var k *rsaKey
	return func(t testing.TB) *rsaKey {
		if k == nil {
			var err error
			if k, err = newRSAKey(); err != nil {
				t.Fatal(err)
			}
		}
		return k
	}
}()

func TestWooCommercePing(t *testing.T) {
	s := newWorld(t).serve(t, serverOptions{})
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	code, a := post(t, s.URL, request{"/woocommerce", h, []byte("webhook_id=17")})
	if code != 200 || a.Outcome != "acknowledged" {
		t.Errorf("ping: %d %s; want 200 acknowledged", code, a.Outcome)
	}
	if n := records(t, s.inbox); n != 0 {
		t.Errorf("the ping was recorded: %d records", n)
	}
}

func TestReferral(t *testing.T) {
	s := newWorld(t).serve(t, serverOptions{})
	body := payload(t, "referral.json")
	for i, want := range []string{"posted", "duplicate"} {
		if code, a := post(t, s.URL, request{"/referral", nil, body}); code != 200 || a.Outcome != want {
			t.Errorf("delivery %d: %d %s; want 200 %s", i, code, a.Outcome, want)
		}
	}
	if got := paid(t, s.store, "shopify/acme.myshopify.com/1234"); got != "18.36" {
		t.Errorf("paid %s, want 18.36", got)
	}
}

func TestRoutes(t *testing.T) {
	s := newWorld(t).serve(t, serverOptions{})
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/shopify", 405},
		{"POST", "/bigcommerce", 404},
		{"POST", "/magento", 404},
		{"PUT", "/woocommerce", 405},
	} {
		req, _ := http.NewRequest(c.method, s.URL+c.path, strings.NewReader("{}"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.StatusCode, c.status)
		}
	}
}

// failingStore is a ledger store whose appends fail while down is set.
type failingStore struct {
	ledger.Store
	down bool
}

func (f *failingStore) Append(ctx context.Context, stream string, version int, entries []ledger.Entry) error {
	if f.down {
		return errFailing
	}
	return f.Store.Append(ctx, stream, version, entries)
}

// TestStoreFailure: a delivery the ledger's store fails to post is kept,
// held as store_failed, and answered 202 — the inbox re-drives it, so the
// platform need not retry; re-driven once the store is back, it posts.
func TestStoreFailure(t *testing.T) {
	w := newWorld(t)
	store := &failingStore{down: true}
	var obs []webhook.Observation
	s := w.serve(t, serverOptions{store: store, observe: func(o webhook.Observation) { obs = append(obs, o) }})
	store.Store = s.store
	code, a := post(t, s.URL, shopifyRequest(payload(t, "shopify-order-paid.json"), "orders/paid", shopSecret, newDeliveryID()))
	if code != 202 || a.Outcome != "failed" || a.Reason != webhook.ReasonStore {
		t.Fatalf("store down: %d %s %s; want 202 failed store_failed", code, a.Outcome, a.Reason)
	}
	held, err := s.h.Inbox().Held(ctx, webhook.ReasonStore)
	if err != nil || len(held) != 1 || held[0].ID != a.ID {
		t.Fatalf("held for the store: %+v, %v", held, err)
	}
	store.down = false
	recs, err := s.h.RedriveHeld(ctx, webhook.ReasonStore)
	if err != nil || len(recs) != 1 || recs[0].Outcome != "posted" {
		t.Fatalf("re-drive: %+v, %v", recs, err)
	}
	if got := paid(t, s.store, "shopify/acme.myshopify.com/5829367209044"); got != "7.50" {
		t.Errorf("paid %s, want 7.50", got)
	}
	want := []string{"failed store_failed 202 false", "posted  0 true"}
	var got []string
	for _, o := range obs {
		got = append(got, fmt.Sprintf("%s %s %d %v", o.Outcome, o.Reason, o.Status, o.Redrive))
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("observations (-want +got):\n%s", d)
	}
}

// failingInbox is an inbox whose puts fail while down is set.
type failingInbox struct {
	webhook.Inbox
	down bool
}

func (f *failingInbox) Put(ctx context.Context, r *webhook.Record) error {
	if f.down {
		return errFailing
	}
	return f.Inbox.Put(ctx, r)
}

// TestInboxFailure: a delivery the inbox cannot record is answered 503,
// so the platform delivers it again — and what the ledger posted the
// first time it recognises.
func TestInboxFailure(t *testing.T) {
	w := newWorld(t)
	in := &failingInbox{Inbox: webhook.NewMemory(), down: true}
	s := w.serve(t, serverOptions{inbox: in})
	r := shopifyRequest(payload(t, "shopify-order-paid.json"), "orders/paid", shopSecret, newDeliveryID())
	if code, a := post(t, s.URL, r); code != 503 || a.Outcome != "inbox_failed" {
		t.Fatalf("inbox down: %d %s; want 503 inbox_failed", code, a.Outcome)
	}
	in.down = false
	if code, a := post(t, s.URL, r); code != 200 || a.Outcome != "duplicate" {
		t.Errorf("retried: %d %s; want 200 duplicate (posted before the inbox failed)", code, a.Outcome)
	}
	if n := revisions(t, s.store, "shopify/acme.myshopify.com/5829367209044"); n != 1 {
		t.Errorf("%d bodies posted, want 1", n)
	}
	if n := records(t, in); n != 1 {
		t.Errorf("%d records, want 1", n)
	}
}

// TestLogs: every delivery is logged with its ids, order and outcome.
func TestLogs(t *testing.T) {
	s := newWorld(t).serve(t, serverOptions{})
	id := newDeliveryID()
	post(t, s.URL, shopifyRequest(payload(t, "shopify-order-paid.json"), "orders/paid", shopSecret, id))
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(s.logs.String())), &line); err != nil {
		t.Fatalf("log %q: %v", s.logs.String(), err)
	}
	for k, want := range map[string]any{"msg": "webhook delivery", "delivery_id": id, "source": "shopify", "topic": "orders/paid",
		"order": "shopify/acme.myshopify.com/5829367209044", "outcome": "posted", "status": 200.0} {
		if line[k] != want {
			t.Errorf("log %s = %v, want %v", k, line[k], want)
		}
	}
	if d, _ := line["delivery"].(string); !strings.HasPrefix(d, "shopify-") {
		t.Errorf("log delivery = %q", d)
	}
}

package webhook_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uplinehq/upline/adapters/webhook"
	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
	"github.com/uplinehq/upline/sku"
)

// The tests post the quickstart's webhook bodies (examples/quickstart: its
// genealogy, catalog, plan and payloads) over HTTP on 127.0.0.1, signed
// here as each platform signs them.

var ctx = context.Background()

const (
	shopSecret = "shpss_webhook_test"
	wooSecret  = "wc_webhook_test"
	quickstart = "../../examples/quickstart"
	noSuchSKU  = "NO-SUCH-SKU"
)

// received is the instant every delivery arrives at.
var received = time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)

type world struct {
	tree *hierarchy.Genealogy
	plan *commission.Plan
	// catalog lacks noSuchSKU; fixed binds it on every platform.
	catalog, fixed *sku.Catalog
	key            *rsa.PrivateKey
}

var theWorld = sync.OnceValues(func() (*world, error) {
	read := func(name string) []byte {
		b, _ := os.ReadFile(filepath.Join(quickstart, "data", name))
		return b
	}
	w := &world{}
	var err error
	if w.tree, err = hierarchy.LoadCSV(read("genealogy.csv")); err != nil {
		return nil, err
	}
	if w.catalog, err = sku.LoadJSON(read("catalog.json")); err != nil {
		return nil, err
	}
	var data map[string][]map[string]any
	if err := json.Unmarshal(read("catalog.json"), &data); err != nil {
		return nil, err
	}
	for platform, id := range map[string]string{"shopify": "COLLAGEN", "woocommerce": "SHAKE", "magento": "TEE"} {
		data["keys"] = append(data["keys"], map[string]any{"platform": platform, "kind": "sku", "key": noSuchSKU, "sku_id": id})
	}
	fixed, _ := json.Marshal(data)
	if w.fixed, err = sku.LoadJSON(fixed); err != nil {
		return nil, err
	}
	if w.plan, err = commission.LoadPlan(read("plan.json")); err != nil {
		return nil, err
	}
	if w.key, err = rsa.GenerateKey(crand.Reader, 2048); err != nil {
		return nil, err
	}
	return w, nil
})

func newWorld(t testing.TB) *world {
	t.Helper()
	w, err := theWorld()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// service returns a service posting to store, calculating with cat.
func (w *world) service(t testing.TB, store ledger.Store, cat *sku.Catalog) *ingest.Service {
	t.Helper()
	e, err := commission.New(cat, w.tree, w.plan)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.New(ledger.New(store, e),
		ingest.Shopify{Decoder: shopify.Decoder{Store: "acme.myshopify.com"}, Secret: shopSecret},
		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com", ShopCurrency: "USD"}, Secret: wooSecret},
		ingest.Magento{Decoder: magento.Decoder{Store: "magento.example.com"}, PublicKey: &w.key.PublicKey},
		ingest.Referral{Decoder: referral.Decoder{Store: "acme.myshopify.com", Currency: "USD"}, Trusted: true},
	)
}

// server is a handler served on 127.0.0.1 over a memory ledger.
type server struct {
	*httptest.Server
	admin *httptest.Server
	h     *webhook.Handler
	store *ledger.Memory
	inbox webhook.Inbox
	logs  *lockedBuffer
}

type serverOptions struct {
	inbox   webhook.Inbox
	store   ledger.Store // wraps the memory store when set
	maxBody int64
	observe func(webhook.Observation)
}

func (w *world) serve(t testing.TB, o serverOptions) *server {
	t.Helper()
	s := &server{store: ledger.NewMemory(), inbox: o.inbox, logs: &lockedBuffer{}}
	if s.inbox == nil {
		s.inbox = webhook.NewMemory()
	}
	var store ledger.Store = s.store
	if o.store != nil {
		store = o.store
	}
	s.h = webhook.New(w.service(t, store, w.catalog), s.inbox, webhook.Options{
		MaxBody: o.maxBody,
		Logger:  slog.New(slog.NewJSONHandler(s.logs, nil)),
		Observe: o.observe,
		Now:     func() time.Time { return received },
	})
	s.Server = httptest.NewServer(s.h)
	s.admin = httptest.NewServer(s.h.Admin())
	t.Cleanup(s.admin.Close)
	t.Cleanup(s.Server.Close)
	return s
}

// lockedBuffer is a bytes.Buffer safe for the handler's concurrent logging.
type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.String()
}

// request is one webhook request.
type request struct {
	path   string
	header http.Header
	body   []byte
}

// post sends r and returns the status and the answer.
func post(t testing.TB, base string, r request) (int, webhook.Answer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a webhook.Answer
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &a); err != nil && res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusNotFound {
		t.Fatalf("answer %q: %v", b, err)
	}
	return res.StatusCode, a
}

var deliveryIDs atomic.Int64

func newDeliveryID() string {
	return "b54557e4-" + strings.Repeat("0", 4) + "-" + itoa(deliveryIDs.Add(1))
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func hmacOf(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func shopifyRequest(body []byte, topic, secret, id string) request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Shopify-Topic", topic)
	h.Set("X-Shopify-Webhook-Id", id)
	h.Set("X-Shopify-Shop-Domain", "acme.myshopify.com")
	if secret != "" {
		h.Set(shopify.SignatureHeader, hmacOf(body, secret))
	}
	return request{"/shopify", h, body}
}

func wooRequest(body []byte, topic, secret, id string) request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-WC-Webhook-Topic", topic)
	h.Set("X-WC-Webhook-Delivery-ID", id)
	if secret != "" {
		h.Set(woocommerce.SignatureHeader, hmacOf(body, secret))
	}
	return request{"/woocommerce", h, body}
}

func (w *world) magentoRequest(t testing.TB, body []byte, topic string, key *rsa.PrivateKey) request {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if key != nil {
		sum := sha256.Sum256(body)
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		h.Set(magento.SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	}
	return request{"/magento/" + topic, h, body}
}

func payload(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(quickstart, "payloads", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit replaces old by new in b, once, and fails when b lacks old.
func edit(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	out := strings.Replace(string(b), old, new, 1)
	if out == string(b) {
		t.Fatalf("%q not in the body", old)
	}
	return []byte(out)
}

// positions counts the entries in the store.
func positions(t testing.TB, s ledger.Store) int {
	t.Helper()
	es, err := s.After(ctx, 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// records counts the inbox's records.
func records(t testing.TB, in webhook.Inbox) int {
	t.Helper()
	n := 0
	if err := in.Scan(ctx, func(webhook.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

var errFailing = errors.New("store down")

type rsaKey = rsa.PrivateKey

func newRSAKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(crand.Reader, 2048) }

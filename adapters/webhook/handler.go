package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uplinehq/upline/ingest"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// DefaultMaxBody is the largest body the handler reads unless Options
// says otherwise: far above a real order (Shopify's largest run to a few
// hundred KiB), far below what would let a caller exhaust memory.
const DefaultMaxBody = 5 << 20

// ReasonSignature: a re-drive whose signature no source verifies any
// longer — its secret was rotated away. Configure the old secret again
// beside the new one (a second source of the same store) and re-drive.
const ReasonSignature = "signature_failed"

// KeptHeaders are the request headers the inbox keeps with a body: those
// a re-drive needs (the signatures, the content type, the topics) and
// those an operator reads (the platforms' ids and origins). Any other
// header is dropped.
var KeptHeaders = []string{
	"Content-Type",
	shopify.SignatureHeader, "X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
	"X-Shopify-Shop-Domain", "X-Shopify-Triggered-At", "X-Shopify-API-Version",
	woocommerce.SignatureHeader, "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-ID",
	"X-WC-Webhook-Source", "X-WC-Webhook-Resource", "X-WC-Webhook-Event",
	magento.SignatureHeader,
}

// Options configures a Handler. The zero Options is ready to use.
type Options struct {
	// MaxBody is the largest body read, in bytes; a larger one is
	// answered 413. 0 means DefaultMaxBody.
	MaxBody int64
	// Logger receives one record per delivery and re-drive; nil means
	// slog.Default().
	Logger *slog.Logger
	// Observe, when set, is called once per request and re-drive: the
	// hook a metrics adapter (promwebhook) counts with.
	Observe func(Observation)
	// Now returns the instant a delivery is received; nil means
	// time.Now.
	Now func() time.Time
}

// Observation is what one request or re-drive did, for metrics.
type Observation struct {
	Source, Topic string
	// Record is the inbox id; empty when nothing was recorded.
	Record     string
	DeliveryID string
	Order      string
	// Outcome is an ingest.Outcome's name, or one of "failed" (the
	// ledger's store failed), "unauthentic", "unknown_source",
	// "too_large", "unreadable", "inbox_failed".
	Outcome string
	// Reason is a held delivery's reason.
	Reason string
	// Status is the HTTP status answered (0 for a re-drive).
	Status int
	// Redelivery: the platform delivered this delivery id and body
	// before, and it was done: answered without delivering it again.
	Redelivery bool
	// Redrive: an operator's or a replay's re-drive, not a request.
	Redrive  bool
	Duration time.Duration
}

// Handler is the HTTP front door of an ingest.Service: it routes each
// platform's webhooks to Deliver, records every authentic delivery in an
// Inbox before it answers, and re-drives held ones. It is safe for
// concurrent use.
type Handler struct {
	svc   atomic.Pointer[ingest.Service]
	inbox Inbox
	opts  Options
	log   *slog.Logger
	mux   *http.ServeMux
	locks [256]sync.Mutex
}

// New returns a Handler delivering to svc and recording in inbox. Its
// routes:
//
//	POST /shopify          X-Shopify-Topic, X-Shopify-Webhook-Id
//	POST /woocommerce      X-WC-Webhook-Topic, X-WC-Webhook-Delivery-ID
//	POST /magento/{topic}  the Adobe Commerce event (its requests name none)
//	POST /referral         the referral webhook: unsigned, so authenticate it before the handler
func New(svc *ingest.Service, inbox Inbox, opts Options) *Handler {
	h := &Handler{inbox: inbox, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	h.svc.Store(svc)
	if h.opts.MaxBody <= 0 {
		h.opts.MaxBody = DefaultMaxBody
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.opts.Now == nil {
		h.opts.Now = time.Now
	}
	h.mux.HandleFunc("POST /shopify", h.route(ingest.NameShopify, "X-Shopify-Topic", "X-Shopify-Webhook-Id"))
	h.mux.HandleFunc("POST /woocommerce", h.route(ingest.NameWooCommerce, "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID"))
	h.mux.HandleFunc("POST /magento/{topic}", h.route(ingest.NameMagento, "", ""))
	h.mux.HandleFunc("POST /referral", h.route(ingest.NameReferral, "", ""))
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Service returns the service deliveries go to.
func (h *Handler) Service() *ingest.Service { return h.svc.Load() }

// SetService makes svc the service every later delivery and re-drive goes
// to; deliveries under way finish on the one they started with. Swap in a
// service over the same ledger store with a mended catalog, genealogy or
// plan, then re-drive what was held: a ledger keeps nothing its store
// does not say (what it keeps of an order it brings up to date from the
// store at every post), so the two services post as one.
func (h *Handler) SetService(svc *ingest.Service) { h.svc.Store(svc) }

// Inbox returns the handler's inbox.
func (h *Handler) Inbox() Inbox { return h.inbox }

// RecordID returns the inbox id of a delivery: the source and a hash of
// the platform's delivery id, the topic and the body. The same delivery
// delivered again has the same id; a delivery id reused with another body
// does not.
func RecordID(source, deliveryID, topic string, body []byte) string {
	s := sha256.New()
	for _, f := range []string{source, deliveryID, topic} {
		fmt.Fprintf(s, "%d:%s", len(f), f)
	}
	s.Write(body)
	return source + "-" + hex.EncodeToString(s.Sum(nil)[:12])
}

// Answer is the JSON body of every reply to a delivery.
type Answer struct {
	// ID is the delivery's inbox id (empty when nothing was recorded).
	ID      string `json:"id,omitempty"`
	Outcome string `json:"outcome"`
	Order   string `json:"order,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

func (h *Handler) route(source, topicHeader, idHeader string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := h.opts.Now()
		ob := Observation{Source: source, Topic: r.PathValue("topic")}
		if topicHeader != "" {
			ob.Topic = r.Header.Get(topicHeader)
		}
		if idHeader != "" {
			ob.DeliveryID = r.Header.Get(idHeader)
		}
		status, ans := h.serve(r, source, start, &ob)
		ob.Status, ob.Duration = status, h.opts.Now().Sub(start)
		h.report(&ob, ans.Detail)
		w.Header().Set("Content-Type", "application/json")
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(ans)
	}
}

// serve delivers one request and says what to answer.
func (h *Handler) serve(r *http.Request, source string, at time.Time, ob *Observation) (int, Answer) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.opts.MaxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		ob.Outcome = "too_large"
		return http.StatusRequestEntityTooLarge, Answer{Outcome: ob.Outcome, Detail: fmt.Sprintf("body over %d bytes", h.opts.MaxBody)}
	case err != nil:
		ob.Outcome = "unreadable"
		return http.StatusBadRequest, Answer{Outcome: ob.Outcome, Detail: err.Error()}
	}
	header := make(http.Header)
	for _, k := range KeptHeaders {
		if v := r.Header.Values(k); len(v) > 0 {
			header[http.CanonicalHeaderKey(k)] = v
		}
	}
	rec := Record{ID: RecordID(source, ob.DeliveryID, ob.Topic, body), Source: source, Topic: ob.Topic,
		DeliveryID: ob.DeliveryID, Header: header, Body: body, Received: at}
	// A delivery started finishes, even when its caller hangs up: the
	// ledger's appends are atomic, but the inbox must say what they did.
	ctx := context.WithoutCancel(r.Context())
	unlock := h.lock(rec.ID)
	defer unlock()
	old, known, err := h.inbox.Get(ctx, rec.ID)
	if err != nil {
		ob.Outcome = "inbox_failed"
		return http.StatusServiceUnavailable, Answer{Outcome: ob.Outcome, Detail: err.Error()}
	}
	if known {
		if old.State == Done && bytes.Equal(old.Body, body) && sameSignature(old.Header, header) {
			// The very bytes verified before, under the same signature:
			// authentic, and done. Nothing to deliver or record again.
			ob.Record, ob.Order, ob.Outcome, ob.Redelivery = old.ID, old.Order, ingest.Duplicate.String(), true
			return http.StatusOK, Answer{ID: old.ID, Outcome: ob.Outcome, Order: old.Order}
		}
		rec.Received, rec.Attempts = old.Received, old.Attempts
	}
	res, err := h.Service().Deliver(ctx, delivery(&rec), rec.Received)
	switch {
	case errors.Is(err, normalize.ErrSignature):
		ob.Outcome = "unauthentic"
		return http.StatusUnauthorized, Answer{Outcome: ob.Outcome, Detail: err.Error()}
	case errors.Is(err, ingest.ErrUnknownSource):
		ob.Outcome = "unknown_source"
		return http.StatusNotFound, Answer{Outcome: ob.Outcome, Detail: err.Error()}
	case res.Outcome == ingest.Acknowledged:
		// A ping is unsigned and carries nothing: recording it would let
		// anyone write to the inbox.
		ob.Outcome = res.Outcome.String()
		return http.StatusOK, Answer{Outcome: ob.Outcome}
	}
	settle(&rec, res, err, h.opts.Now())
	ob.Record, ob.Order, ob.Outcome, ob.Reason = rec.ID, rec.Order, rec.Outcome, rec.Reason
	if err := h.inbox.Put(ctx, &rec); err != nil {
		// Not recorded, so not acknowledged: the platform delivers it
		// again, and the ledger recognises whatever it posted.
		ob.Outcome = "inbox_failed"
		return http.StatusServiceUnavailable, Answer{ID: rec.ID, Outcome: ob.Outcome, Order: rec.Order, Detail: err.Error()}
	}
	ans := Answer{ID: rec.ID, Outcome: rec.Outcome, Order: rec.Order, Reason: rec.Reason, Detail: rec.Detail}
	if rec.Reason == ReasonStore {
		// Kept: the inbox re-drives it, not the platform.
		return http.StatusAccepted, ans
	}
	return http.StatusOK, ans
}

// sameSignature reports whether two requests carry the same signatures.
func sameSignature(a, b http.Header) bool {
	for _, k := range []string{shopify.SignatureHeader, woocommerce.SignatureHeader, magento.SignatureHeader} {
		if a.Get(k) != b.Get(k) {
			return false
		}
	}
	return true
}

// delivery returns rec as an ingest delivery.
func delivery(rec *Record) ingest.Delivery {
	return ingest.Delivery{Source: rec.Source, Topic: rec.Topic, ID: rec.DeliveryID, Header: rec.Header.Clone(), Body: rec.Body}
}

// settle records in rec what delivering it did at now: res and err from
// Deliver (err neither a signature's nor an unknown source's).
func settle(rec *Record, res ingest.Result, err error, now time.Time) {
	rec.Attempts++
	rec.Updated = now
	rec.Order, rec.Reason, rec.Detail = "", "", ""
	if res.Order != (normalize.Key{}) {
		rec.Order = res.Order.String()
	}
	switch {
	case err != nil:
		rec.State, rec.Outcome, rec.Reason, rec.Detail = Held, "failed", ReasonStore, err.Error()
	case res.Outcome == ingest.Held:
		rec.State, rec.Outcome, rec.Reason, rec.Detail = Held, res.Outcome.String(), ReasonOf(res.Reason), res.Reason.Error()
	default:
		rec.State, rec.Outcome = Done, res.Outcome.String()
	}
}

// Redrive delivers the recorded delivery id again, at the instant it was
// first received, to the current service, and records what it did. The
// ledger posts a delivery exactly once however often it is delivered, so
// a re-drive of a delivery posted already is a Duplicate. It returns the
// record as this re-drive left it (the inbox keeps a done record done
// whatever a re-drive did). The error is ErrNotFound, or the inbox's
// failing; a store failure holds the delivery again.
func (h *Handler) Redrive(ctx context.Context, id string) (Record, error) {
	start := h.opts.Now()
	unlock := h.lock(id)
	defer unlock()
	rec, ok, err := h.inbox.Get(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if !ok {
		return Record{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	res, err := h.Service().Deliver(ctx, delivery(&rec), rec.Received)
	switch {
	case errors.Is(err, normalize.ErrSignature), errors.Is(err, ingest.ErrUnknownSource):
		rec.Attempts++
		rec.Updated = h.opts.Now()
		rec.State, rec.Outcome, rec.Detail = Held, "held", err.Error()
		rec.Reason = ReasonSignature
		if errors.Is(err, ingest.ErrUnknownSource) {
			rec.Reason = ReasonOther
		}
	default:
		settle(&rec, res, err, h.opts.Now())
	}
	ob := Observation{Source: rec.Source, Topic: rec.Topic, Record: rec.ID, DeliveryID: rec.DeliveryID,
		Order: rec.Order, Outcome: rec.Outcome, Reason: rec.Reason, Redrive: true}
	if err := h.inbox.Put(ctx, &rec); err != nil {
		ob.Outcome = "inbox_failed"
		ob.Duration = h.opts.Now().Sub(start)
		h.report(&ob, err.Error())
		return rec, err
	}
	ob.Duration = h.opts.Now().Sub(start)
	h.report(&ob, rec.Detail)
	return rec, nil
}

// RedriveHeld re-drives every delivery held for reason (every held one
// when reason is ""), oldest first, and returns the records as they are
// after. It stops at the inbox's first failure.
func (h *Handler) RedriveHeld(ctx context.Context, reason string) ([]Record, error) {
	held, err := h.inbox.Held(ctx, reason)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(held))
	for _, r := range held {
		rec, err := h.Redrive(ctx, r.ID)
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// Replay re-drives every delivery the inbox holds, done and held, in the
// order first received: it rebuilds a ledger that lives in memory (and so
// died with its process) from the inbox that outlived it. The ledger
// posts each delivery once, in whatever order, so the ledger replayed
// equals the one lost. It returns how many it re-drove.
func (h *Handler) Replay(ctx context.Context) (int, error) {
	n := 0
	err := h.inbox.Scan(ctx, func(r Record) error {
		rec, err := h.Redrive(ctx, r.ID)
		if err != nil {
			return err
		}
		if r.State == Done && rec.State == Held {
			h.log.Warn("webhook: a delivery done before is held on replay",
				"delivery", r.ID, "order", rec.Order, "reason", rec.Reason, "detail", rec.Detail)
		}
		n++
		return nil
	})
	return n, err
}

func (h *Handler) lock(id string) func() {
	f := fnv.New32a()
	f.Write([]byte(id))
	m := &h.locks[f.Sum32()%uint32(len(h.locks))]
	m.Lock()
	return m.Unlock
}

// report logs ob and hands it to Options.Observe.
func (h *Handler) report(ob *Observation, detail string) {
	level := slog.LevelInfo
	switch {
	case ob.Status >= 500 || ob.Outcome == "failed" || ob.Outcome == "inbox_failed":
		level = slog.LevelError
	case ob.Status >= 400 || ob.Reason != "":
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("source", ob.Source), slog.String("topic", ob.Topic),
		slog.String("delivery", ob.Record), slog.String("delivery_id", ob.DeliveryID),
		slog.String("order", ob.Order), slog.String("outcome", ob.Outcome),
	}
	if ob.Reason != "" {
		attrs = append(attrs, slog.String("reason", ob.Reason))
	}
	if detail != "" {
		attrs = append(attrs, slog.String("detail", detail))
	}
	if ob.Redrive {
		attrs = append(attrs, slog.Bool("redrive", true))
	} else {
		attrs = append(attrs, slog.Int("status", ob.Status))
	}
	if ob.Redelivery {
		attrs = append(attrs, slog.Bool("redelivery", true))
	}
	attrs = append(attrs, slog.Duration("duration", ob.Duration))
	h.log.LogAttrs(context.Background(), level, "webhook delivery", attrs...)
	if h.opts.Observe != nil {
		h.opts.Observe(*ob)
	}
}

package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/normalize"
)

// Errors Deliver returns. Anything else it returns is the ledger's store
// failing (or the context ending): nothing was lost, deliver again.
var (
	// ErrUnknownSource: no Source of the delivery's name was configured.
	ErrUnknownSource = errors.New("ingest: unknown source")
)

// Delivery is one webhook request (or one body fetched or replayed) as it
// arrived.
type Delivery struct {
	// Source names the Source to read it with: "shopify",
	// "woocommerce", "magento", "referral", "canonical", or a name of
	// your own Source.
	Source string
	// Topic says what the body is, where the transport says it beside
	// the body (X-Shopify-Topic, X-WC-Webhook-Topic, the Adobe Commerce
	// event name); when empty, the Source reads it from Header.
	Topic string
	// ID is the platform's id of the delivery (X-Shopify-Webhook-Id,
	// X-WC-Webhook-Delivery-ID), for the caller's logs; the ledger
	// recognises a delivery again by its content.
	ID string
	// Header holds the request's headers: the signature, the content
	// type, the topic.
	Header http.Header
	// Body is the raw body, exactly as received: signatures cover it.
	Body []byte
}

// Kind is what a delivery carries.
type Kind uint8

const (
	// KindOrder is an order body: a revision of an order.
	KindOrder Kind = iota + 1
	// KindRefund is a refund delivered on its own.
	KindRefund
	// KindPing is a platform's test delivery (WooCommerce's webhook_id
	// ping): acknowledged, nothing else.
	KindPing
)

var kindNames = [...]string{"", "order", "refund", "ping"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Payload is what a Source read from a delivery.
type Payload struct {
	Kind   Kind
	Order  normalize.Order  // KindOrder
	Refund normalize.Refund // KindRefund
	// InCurrency, when set, decodes a refund whose body names no currency
	// (WooCommerce refund objects) in its order's currency; Deliver calls
	// it when Refund has no Currency and the ledger holds the order.
	InCurrency func(currency string) (normalize.Refund, error)
}

// Source verifies and decodes the deliveries of one platform for one
// store (or one trusted channel). Open returns an error wrapping
// normalize.ErrSignature when d is not authentic for this source; any
// other error says why an authentic delivery cannot be read.
type Source interface {
	Name() string
	Open(d *Delivery, at time.Time) (Payload, error)
}

// Outcome is what delivering did.
type Outcome uint8

const (
	// Posted: the delivery changed what the ledger knows of its order
	// (ledger.Posted).
	Posted Outcome = iota + 1
	// Duplicate: the ledger had it already; nothing was appended.
	Duplicate
	// Stale: a newer body of the order was posted already, or the order
	// was replaced; nothing was appended.
	Stale
	// Waiting: a refund for an order the ledger has not seen yet; it is
	// recorded and applied when the order arrives.
	Waiting
	// Held: the delivery is authentic but cannot be posted — it cannot be
	// decoded, a SKU is unknown, nobody is credited, its refunds do not
	// fit, it is ambiguous. Result.Reason says why; nothing of it was
	// posted. Keep the delivery and deliver it again once the cause is
	// mended.
	Held
	// Acknowledged: a ping, answered and otherwise ignored.
	Acknowledged
)

var outcomeNames = [...]string{"", "posted", "duplicate", "stale", "waiting", "held", "acknowledged"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && o != 0 {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Result reports one delivery.
type Result struct {
	Outcome Outcome
	Kind    Kind
	// Order is the order the delivery is about (zero when it could not
	// be decoded).
	Order normalize.Key
	// Reason is why a delivery is Held: an error wrapping its cause
	// (*normalize.Error kinds, *sku.MapError, commission.ErrUnattributed,
	// ledger.ErrAmbiguousReplacement, ...), for errors.Is and errors.As.
	Reason error
	// Ledger is what the ledger did (zero for a delivery that reached no
	// ledger: a ping, or one held before it).
	Ledger ledger.Result
}

// Service delivers webhook deliveries to a ledger: the one path every
// adapter (HTTP, an event bus, a replay) wraps. It is safe for concurrent
// use.
type Service struct {
	ledger  *ledger.Ledger
	sources map[string][]Source
}

// New returns a Service posting to l, reading deliveries with sources.
// Several sources may share a name (one per store, each with its own
// secret): a delivery is read by the first whose signature it carries, so
// which store a body belongs to comes from the secret that verified it.
func New(l *ledger.Ledger, sources ...Source) *Service {
	s := &Service{ledger: l, sources: make(map[string][]Source)}
	for _, src := range sources {
		s.sources[src.Name()] = append(s.sources[src.Name()], src)
	}
	return s
}

// Ledger returns the service's ledger.
func (s *Service) Ledger() *ledger.Ledger { return s.ledger }

// Deliver verifies, decodes and posts one delivery received at at, and
// says what it did. A delivery no source of its name verifies fails with
// an error wrapping normalize.ErrSignature, and one naming no configured
// source with ErrUnknownSource: nothing of either is recorded. An
// authentic delivery that cannot be posted is Held, with its reason, and
// a nil error. Any other error is the ledger's store failing: nothing was
// posted, deliver again.
func (s *Service) Deliver(ctx context.Context, d Delivery, at time.Time) (Result, error) {
	srcs := s.sources[d.Source]
	if len(srcs) == 0 {
		return Result{}, fmt.Errorf("%w: %q", ErrUnknownSource, d.Source)
	}
	var (
		p   Payload
		err error
	)
	for _, src := range srcs {
		if p, err = src.Open(&d, at); !errors.Is(err, normalize.ErrSignature) {
			break
		}
	}
	if errors.Is(err, normalize.ErrSignature) {
		return Result{}, err
	}
	if err != nil {
		return Result{Outcome: Held, Kind: p.Kind, Reason: err}, nil
	}
	res := Result{Kind: p.Kind}
	var lr ledger.Result
	switch p.Kind {
	case KindPing:
		res.Outcome = Acknowledged
		return res, nil
	case KindOrder:
		res.Order = p.Order.Key()
		lr, err = s.ledger.Post(ctx, &p.Order, at)
	case KindRefund:
		r := p.Refund
		res.Order = normalize.Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID}
		if r.Currency == "" && p.InCurrency != nil {
			o, ok, err := s.ledger.Order(ctx, res.Order)
			if err != nil {
				return res, err
			}
			if ok {
				if r, err = p.InCurrency(o.Currency); err != nil {
					res.Outcome, res.Reason = Held, err
					return res, nil
				}
			}
		}
		lr, err = s.ledger.PostRefund(ctx, r, at)
	default:
		return res, fmt.Errorf("ingest: source %s read a payload of %s", d.Source, p.Kind)
	}
	res.Ledger = lr
	var held *ledger.HeldError
	var conflict *ledger.ConflictError
	switch {
	case errors.As(err, &held):
		res.Outcome, res.Reason = Held, held.Err
	case errors.As(err, &conflict):
		// Two different bodies with one version: the ledger cannot tell
		// which is right.
		res.Outcome, res.Reason = Held, err
	case err != nil:
		return res, err
	default:
		res.Outcome = outcomeOf(lr.Outcome)
	}
	return res, nil
}

func outcomeOf(o ledger.Outcome) Outcome {
	switch o {
	case ledger.Posted:
		return Posted
	case ledger.Duplicate:
		return Duplicate
	case ledger.Stale:
		return Stale
	case ledger.Waiting:
		return Waiting
	}
	return 0
}

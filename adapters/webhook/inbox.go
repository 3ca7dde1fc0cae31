package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// ErrNotFound: the inbox holds no record of that id.
var ErrNotFound = errors.New("webhook: no such delivery in the inbox")

// State is where a recorded delivery stands.
type State uint8

const (
	// Held: the delivery is kept for an operator — it could not be posted
	// (Record.Reason says why) — and is delivered again by a re-drive.
	Held State = iota + 1
	// Done: the delivery reached the ledger (posted, duplicate, stale,
	// waiting) or needed nothing (a ping). Done is final: a record once
	// done is never held again.
	Done
)

var stateNames = [...]string{"", "held", "done"}

func (s State) String() string {
	if int(s) < len(stateNames) && s != 0 {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) {
	if s != Held && s != Done {
		return nil, fmt.Errorf("webhook: no state %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) error {
	switch string(b) {
	case "held":
		*s = Held
	case "done":
		*s = Done
	default:
		return fmt.Errorf("webhook: no state %q", b)
	}
	return nil
}

// Record is one authentic delivery as the inbox keeps it: what arrived
// (ID, Source, Topic, DeliveryID, Header, Body, Received), fixed when it
// is first recorded, and what delivering it last did (the rest).
type Record struct {
	// ID is the inbox's id of the delivery: the source and a hash of the
	// platform's delivery id, the topic and the body (see RecordID).
	ID string `json:"id"`
	// Source names the ingest source: "shopify", "woocommerce", ...
	Source string `json:"source"`
	// Topic is the delivery's topic (X-Shopify-Topic, X-WC-Webhook-Topic,
	// the Adobe Commerce event of the route).
	Topic string `json:"topic,omitempty"`
	// DeliveryID is the platform's id of the delivery
	// (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID), for logs.
	DeliveryID string `json:"delivery_id,omitempty"`
	// Header holds the request headers that matter: the signature, the
	// content type, the topic and the platform's ids (KeptHeaders).
	Header http.Header `json:"header,omitempty"`
	// Body is the raw body, exactly as received: a re-drive verifies its
	// signature again.
	Body []byte `json:"body,omitempty"`
	// Received is when the delivery first arrived; every re-drive
	// delivers it at this instant.
	Received time.Time `json:"received"`

	State State `json:"state"`
	// Outcome is what delivering it last did: an ingest.Outcome's name,
	// or "failed" when the ledger's store failed.
	Outcome string `json:"outcome"`
	// Order is the order the delivery is about ("platform/store/id"),
	// empty when it could not be decoded.
	Order string `json:"order,omitempty"`
	// Reason is why a held delivery is held: one of the Reason constants.
	Reason string `json:"reason,omitempty"`
	// Detail is the reason's error message.
	Detail string `json:"detail,omitempty"`
	// Attempts counts the deliveries made of it: its arrivals and
	// re-drives.
	Attempts int `json:"attempts"`
	// Updated is when it was last delivered.
	Updated time.Time `json:"updated"`
}

// clone returns a deep copy of r.
func (r *Record) clone() Record {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = slices.Clone(r.Body)
	return c
}

// settle copies what delivering did from u into r, unless r is done and
// u would hold it.
func (r *Record) settle(u *Record) {
	if r.State == Done && u.State != Done {
		return
	}
	r.State, r.Outcome, r.Order, r.Reason, r.Detail = u.State, u.Outcome, u.Order, u.Reason, u.Detail
	r.Attempts, r.Updated = u.Attempts, u.Updated
}

func checkRecord(r *Record) error {
	switch {
	case r.ID == "":
		return errors.New("webhook: a record needs an ID")
	case r.State != Held && r.State != Done:
		return fmt.Errorf("webhook: record %s has no state", r.ID)
	}
	return nil
}

// Inbox keeps every authentic delivery, durably, before the handler
// acknowledges it, so that a delivery that cannot be posted yet is never
// lost and an operator can list it and deliver it again. Implementations
// must be safe for concurrent use and pass inboxtest.Run.
type Inbox interface {
	// Put records r before it returns — durably, for an inbox that
	// survives its process. For an ID the inbox does not hold, r is
	// recorded whole; for one it holds, only what delivering did
	// (State, Outcome, Order, Reason, Detail, Attempts, Updated)
	// changes, and not at all when the record is Done and r is not.
	Put(ctx context.Context, r *Record) error
	// Get returns the record of id; ok is false when there is none.
	Get(ctx context.Context, id string) (r Record, ok bool, err error)
	// Held returns the held records, in the order first recorded: all of
	// them when reason is "", else those held for reason.
	Held(ctx context.Context, reason string) ([]Record, error)
	// Scan calls fn with every record, in the order first recorded,
	// until fn returns an error, which Scan returns.
	Scan(ctx context.Context, fn func(Record) error) error
}

// Memory is an Inbox in memory: for tests, and for a process that
// accepts losing what it holds when it stops. The zero Memory is ready to
// use.
type Memory struct {
	mu    sync.RWMutex
	recs  map[string]*Record
	order []string
}

var _ Inbox = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{} }

// Put implements Inbox.
func (m *Memory) Put(_ context.Context, r *Record) error {
	if err := checkRecord(r); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(r)
	return nil
}

// put records r; m.mu is held.
func (m *Memory) put(r *Record) {
	if old, ok := m.recs[r.ID]; ok {
		old.settle(r)
		return
	}
	if m.recs == nil {
		m.recs = make(map[string]*Record)
	}
	c := r.clone()
	c.Received, c.Updated = c.Received.UTC(), c.Updated.UTC()
	m.recs[r.ID] = &c
	m.order = append(m.order, r.ID)
}

// Get implements Inbox.
func (m *Memory) Get(_ context.Context, id string) (Record, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.recs[id]
	if !ok {
		return Record{}, false, nil
	}
	return r.clone(), true, nil
}

// Held implements Inbox.
func (m *Memory) Held(_ context.Context, reason string) ([]Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Record
	for _, id := range m.order {
		r := m.recs[id]
		if r.State == Held && (reason == "" || r.Reason == reason) {
			out = append(out, r.clone())
		}
	}
	return out, nil
}

// Scan implements Inbox. fn may call m's other methods.
func (m *Memory) Scan(ctx context.Context, fn func(Record) error) error {
	m.mu.RLock()
	ids := slices.Clone(m.order)
	m.mu.RUnlock()
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.mu.RLock()
		r := m.recs[id].clone()
		m.mu.RUnlock()
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Len returns how many records m holds.
func (m *Memory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.recs)
}

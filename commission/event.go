package commission

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/sku"
)

// Kind says whether an event is an order's commission or a correction of
// one.
type Kind uint8

const (
	KindCommission Kind = 1
	KindCorrection Kind = 2
)

func (k Kind) String() string {
	switch k {
	case KindCommission:
		return "commission"
	case KindCorrection:
		return "correction"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one immutable commission event. Its slot — order, line,
// component, rule, beneficiary and level — says what it pays for; every
// correction of it is in the same slot. Basis, Rate and Amount are held in
// exact fixed point and read with the methods of the same names.
type Event struct {
	ID ulid.ULID
	// Order is the order's key.
	Order  normalize.Key
	LineID string
	// Component is the kit component's internal SKU id, or "".
	Component string
	// Beneficiary is the external member id of who earns.
	Beneficiary string
	// Rule is the rule's name in the plan.
	Rule string
	Kind Kind
	// basisScale and digits sit in Kind's padding: basis = basisV ×
	// 10^-basisScale; amounts are in units of 10^-digits.
	basisScale int8
	digits     int8
	// Level is the beneficiary's level in the sponsor tree, counted from
	// the credited distributor (1 = its sponsor, 0 = itself); PaidLevel
	// the level it was paid as (after compression).
	Level, PaidLevel int
	Currency         string
	// Effective is when the event counts: the order's OrderTS for a
	// commission, the revision's instant for a correction.
	Effective time.Time
	// Corrects is the id of the slot's original event, for a correction.
	Corrects ulid.ULID
	// Snapshot is what the calculation saw. Events of one calculation
	// share it.
	Snapshot *CalcSnapshot

	basisV   int64
	rate     int64 // 10^-9
	amount   int64 // minor units
	uncapped int64 // minor units, before the cap; 0 when not capped
}

func (e *Event) basis() fixed { return fixed{v: e.basisV, scale: e.basisScale} }

func (e *Event) setBasis(f fixed) { e.basisV, e.basisScale = f.v, f.scale }

// Basis returns what the rate was applied to: a line's net or volume.
func (e *Event) Basis() decimal.Decimal { return e.basis().decimal() }

// Rate returns the rate applied.
func (e *Event) Rate() decimal.Decimal { return decimal.New(e.rate, -rateDigits) }

// Amount returns the amount, in the currency, with its minor-unit digits.
func (e *Event) Amount() decimal.Decimal { return decimal.New(e.amount, -int32(e.digits)) }

// AmountMinor returns the amount in the currency's minor unit (cents).
func (e *Event) AmountMinor() int64 { return e.amount }

// Uncapped returns the amount the event would have paid without the plan's
// cap — its basis × rate, rounded — and true, when the cap scaled the
// calculation's events down (its calc_snapshot's Cap says by how much);
// false otherwise. Then Amount is this amount's share of the cap, not
// basis × rate. Corrections carry no uncapped amount.
func (e *Event) Uncapped() (decimal.Decimal, bool) {
	if e.uncapped == 0 {
		return decimal.Decimal{}, false
	}
	return decimal.New(e.uncapped, -int32(e.digits)), true
}

// Slot is what an event pays for: one order's line (or kit component),
// one rule, one beneficiary, at one level. A commission and every
// correction of it share a slot, and the amounts of a slot's events sum to
// what the slot pays now. Slot is comparable: use it as a map key.
type Slot struct {
	Order  normalize.Key
	LineID string
	// Component is the kit component's internal SKU id, or "".
	Component   string
	Rule        string
	Beneficiary string
	Level       int
}

// Slot returns the event's slot.
func (e *Event) Slot() Slot {
	return Slot{Order: e.Order, LineID: e.LineID, Component: e.Component, Rule: e.Rule,
		Beneficiary: e.Beneficiary, Level: e.Level}
}

// CalcSnapshot is what a calculation saw: the plan version, the genealogy's
// knowledge instant, who the order was credited to, the upline chain as far
// as the rules read it with statuses and ranks, and the SKU versions of the
// lines. It is shared by the events of one calculation and encoded to JSON
// once, when first needed. Do not modify it.
type CalcSnapshot struct {
	PlanID      string
	PlanVersion int
	// Known is the genealogy's knowledge instant; At the instant it was
	// read at (the order's OrderTS); OrderVersion the revision calculated.
	Known, At, OrderVersion time.Time
	// Credited is the credited distributor (Level 0).
	Credited Link
	// Customer is the retail customer who placed the order, or "".
	Customer string
	// Upline is the credited distributor's sponsor chain, nearest first, as
	// far as the rules read it.
	Upline []Link
	// Lines are the SKU versions applied, one per mapped line.
	Lines []LineRef
	// Cap explains a capped calculation; nil when the cap (if any) did not
	// bind.
	Cap *Cap

	once sync.Once
	json []byte
}

// Cap says how a plan's cap scaled a calculation's events down: the
// events paid Uncapped in total before the cap, more than Amount = Share ×
// Basis (rounded down to the minor unit), so each event's amount is its
// uncapped amount's share of Amount (see the package overview, Money).
type Cap struct {
	// Share is the plan's max_payout_share.
	Share decimal.Decimal
	// Basis is the order's basis for the cap: the sum of its lines'
	// commissionable net.
	Basis decimal.Decimal
	// Amount is the cap, what the events sum to.
	Amount decimal.Decimal
	// Uncapped is the sum of the events' amounts before the cap.
	Uncapped decimal.Decimal
}

// Link is one member of the chain a calculation saw.
type Link struct {
	Member  string
	Level   int
	Status  hierarchy.Status
	PaidAs  hierarchy.Rank
	Highest hierarchy.Rank
}

// LineRef is the SKU version a mapped line was calculated with.
type LineRef struct {
	LineID    string
	Component string
	SKU       sku.Ref
	// Kit is the kit version the component came from; zero otherwise.
	Kit   sku.Ref
	Class string
}

func (c *Context) snapshot(plan *compiled, blk *snapBlock) *CalcSnapshot {
	g := c.engine.tree
	s := &blk.snap
	*s = CalcSnapshot{PlanID: plan.ID, PlanVersion: plan.Version, Known: c.known.UTC(),
		At: c.order.OrderTS.UTC(), OrderVersion: c.order.Version.UTC(),
		Credited: Link{Member: g.ID(c.credited), Status: c.w.self.status, PaidAs: c.w.self.ranks.PaidAs, Highest: c.w.self.ranks.Highest}}
	if len(c.w.chain) <= len(blk.up) {
		s.Upline = blk.up[:len(c.w.chain):len(c.w.chain)]
	} else {
		s.Upline = make([]Link, len(c.w.chain))
	}
	if len(c.lines) <= len(blk.lines) {
		s.Lines = blk.lines[:len(c.lines):len(c.lines)]
	} else {
		s.Lines = make([]LineRef, len(c.lines))
	}
	if c.customer != hierarchy.None {
		s.Customer = g.ID(c.customer)
	}
	for i, a := range c.w.chain {
		s.Upline[i] = Link{Member: g.ID(a.m), Level: i + 1, Status: a.status, PaidAs: a.ranks.PaidAs, Highest: a.ranks.Highest}
	}
	for i := range c.lines {
		l := &c.lines[i]
		s.Lines[i] = LineRef{LineID: l.LineID, Component: componentOf(l), SKU: l.SKU, Kit: l.Kit, Class: l.Class}
	}
	if k := c.w.capped; k != (capInfo{}) {
		d := -c.digits
		blk.cap = Cap{Share: decimal.New(k.share, -rateDigits), Basis: decimal.New(k.basis, d),
			Amount: decimal.New(k.amount, d), Uncapped: decimal.New(k.uncapped, d)}
		s.Cap = &blk.cap
	}
	return s
}

// MarshalJSON writes the snapshot. The bytes are computed once.
func (s *CalcSnapshot) MarshalJSON() ([]byte, error) {
	s.once.Do(func() { s.json = s.appendJSON(nil) })
	return s.json, nil
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func (l *Link) appendJSON(b []byte) []byte {
	b = append(b, `{"member":`...)
	b = appendString(b, l.Member)
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(l.Level), 10)
	b = append(b, `,"status":`...)
	b = appendString(b, l.Status.String())
	b = append(b, `,"paid_as":`...)
	b = strconv.AppendUint(b, uint64(l.PaidAs), 10)
	b = append(b, `,"highest":`...)
	b = strconv.AppendUint(b, uint64(l.Highest), 10)
	return append(b, '}')
}

func appendRef(b []byte, r sku.Ref) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"effective_from":`...)
	b = appendTime(b, r.EffectiveFrom)
	return append(b, '}')
}

func (s *CalcSnapshot) appendJSON(b []byte) []byte {
	b = append(b, `{"plan":{"id":`...)
	b = appendString(b, s.PlanID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(s.PlanVersion), 10)
	b = append(b, `},"known":`...)
	b = appendTime(b, s.Known)
	b = append(b, `,"at":`...)
	b = appendTime(b, s.At)
	b = append(b, `,"order_version":`...)
	b = appendTime(b, s.OrderVersion)
	b = append(b, `,"credited":`...)
	b = s.Credited.appendJSON(b)
	if s.Customer != "" {
		b = append(b, `,"customer":`...)
		b = appendString(b, s.Customer)
	}
	b = append(b, `,"upline":[`...)
	for i := range s.Upline {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.Upline[i].appendJSON(b)
	}
	b = append(b, `],"lines":[`...)
	for i := range s.Lines {
		l := &s.Lines[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"line_id":`...)
		b = appendString(b, l.LineID)
		if l.Component != "" {
			b = append(b, `,"component":`...)
			b = appendString(b, l.Component)
		}
		b = append(b, `,"sku":`...)
		b = appendRef(b, l.SKU)
		if l.Kit.ID != "" {
			b = append(b, `,"kit":`...)
			b = appendRef(b, l.Kit)
		}
		b = append(b, `,"class":`...)
		b = appendString(b, l.Class)
		b = append(b, '}')
	}
	b = append(b, ']')
	if k := s.Cap; k != nil {
		b = append(b, `,"cap":{"share":`...)
		b = appendString(b, k.Share.String())
		b = append(b, `,"basis":`...)
		b = appendString(b, exactString(k.Basis))
		b = append(b, `,"amount":`...)
		b = appendString(b, exactString(k.Amount))
		b = append(b, `,"uncapped":`...)
		b = appendString(b, exactString(k.Uncapped))
		b = append(b, '}')
	}
	return append(b, '}')
}

// exactString writes d with all the places it carries, as amounts are
// written: 12.50 stays "12.50".
func exactString(d decimal.Decimal) string {
	return d.StringFixed(max(0, -d.Exponent()))
}

// appendString appends s as a JSON string exactly as encoding/json does
// with HTML escaping off: invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// AppendJSON appends the event's JSON form: snake_case fields in a fixed
// order, amounts as strings (amount with the currency's minor digits, basis
// and rate exact), instants in RFC 3339 UTC.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, e.ID.String()...)
	b = append(b, `","order":{"platform":`...)
	b = appendString(b, string(e.Order.Platform))
	b = append(b, `,"store":`...)
	b = appendString(b, e.Order.Store)
	b = append(b, `,"order_id":`...)
	b = appendString(b, e.Order.OrderID)
	b = append(b, `},"line_id":`...)
	b = appendString(b, e.LineID)
	if e.Component != "" {
		b = append(b, `,"component":`...)
		b = appendString(b, e.Component)
	}
	b = append(b, `,"beneficiary":`...)
	b = appendString(b, e.Beneficiary)
	b = append(b, `,"rule":`...)
	b = appendString(b, e.Rule)
	b = append(b, `,"kind":`...)
	b = appendString(b, e.Kind.String())
	b = append(b, `,"level":`...)
	b = strconv.AppendInt(b, int64(e.Level), 10)
	b = append(b, `,"paid_level":`...)
	b = strconv.AppendInt(b, int64(e.PaidLevel), 10)
	b = append(b, `,"basis":"`...)
	b = appendTrimmed(b, e.basisV, int(e.basisScale))
	b = append(b, `","rate":"`...)
	b = appendTrimmed(b, e.rate, rateDigits)
	b = append(b, `","amount":"`...)
	b = appendFixed(b, e.amount, int(e.digits))
	if e.uncapped != 0 {
		b = append(b, `","uncapped_amount":"`...)
		b = appendFixed(b, e.uncapped, int(e.digits))
	}
	b = append(b, `","currency":`...)
	b = appendString(b, e.Currency)
	b = append(b, `,"effective":`...)
	b = appendTime(b, e.Effective)
	if e.Corrects != (ulid.ULID{}) {
		b = append(b, `,"corrects":"`...)
		b = append(b, e.Corrects.String()...)
		b = append(b, '"')
	}
	if e.Snapshot != nil {
		b = append(b, `,"calc_snapshot":`...)
		js, _ := e.Snapshot.MarshalJSON()
		b = append(b, js...)
	}
	return append(b, '}')
}

// MarshalJSON writes the event's JSON form; see AppendJSON.
func (e Event) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// MarshalEvents writes events as JSON lines, one event per line.
func MarshalEvents(events []Event) []byte { return jsonLines(events) }

// jsonLines writes each of xs as JSON (its AppendJSON) on a line of its own.
func jsonLines[T any, P interface {
	*T
	AppendJSON([]byte) []byte
}](xs []T) []byte {
	var b []byte
	for i := range xs {
		b = P(&xs[i]).AppendJSON(b)
		b = append(b, '\n')
	}
	return b
}

type wireEvent struct {
	ID    string `json:"id"`
	Order struct {
		Platform string `json:"platform"`
		Store    string `json:"store"`
		OrderID  string `json:"order_id"`
	} `json:"order"`
	LineID       string          `json:"line_id"`
	Component    string          `json:"component"`
	Beneficiary  string          `json:"beneficiary"`
	Rule         string          `json:"rule"`
	Kind         string          `json:"kind"`
	Level        int             `json:"level"`
	PaidLevel    int             `json:"paid_level"`
	Basis        string          `json:"basis"`
	Rate         string          `json:"rate"`
	Amount       string          `json:"amount"`
	Uncapped     string          `json:"uncapped_amount"`
	Currency     string          `json:"currency"`
	Effective    string          `json:"effective"`
	Corrects     string          `json:"corrects"`
	CalcSnapshot json.RawMessage `json:"calc_snapshot"`
}

type wireLink struct {
	Member  string `json:"member"`
	Level   int    `json:"level"`
	Status  string `json:"status"`
	PaidAs  uint16 `json:"paid_as"`
	Highest uint16 `json:"highest"`
}

type wireRef struct {
	ID            string `json:"id"`
	EffectiveFrom string `json:"effective_from"`
}

type wireSnapshot struct {
	Plan struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	} `json:"plan"`
	Known        string     `json:"known"`
	At           string     `json:"at"`
	OrderVersion string     `json:"order_version"`
	Credited     wireLink   `json:"credited"`
	Customer     string     `json:"customer"`
	Upline       []wireLink `json:"upline"`
	Lines        []struct {
		LineID    string   `json:"line_id"`
		Component string   `json:"component"`
		SKU       wireRef  `json:"sku"`
		Kit       *wireRef `json:"kit"`
		Class     string   `json:"class"`
	} `json:"lines"`
	Cap *struct {
		Share    string `json:"share"`
		Basis    string `json:"basis"`
		Amount   string `json:"amount"`
		Uncapped string `json:"uncapped"`
	} `json:"cap"`
}

func strict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return &Error{Why: "data after the JSON value", Err: ErrInvalid}
	}
	return nil
}

func eventErr(path, why string) error {
	return &Error{Path: path, Why: why, Err: ErrInvalid}
}

// UnmarshalJSON reads an event in its JSON form, as a ledger stored it.
// Unknown fields are refused; errors are *Error values wrapping ErrInvalid.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w wireEvent
	if err := strict(b, &w); err != nil {
		return eventErr("", err.Error())
	}
	var out Event
	var err error
	if out.ID, err = ulid.ParseStrict(w.ID); err != nil {
		return eventErr("id", err.Error())
	}
	out.Order = normalize.Key{Platform: normalize.Platform(w.Order.Platform), Store: w.Order.Store, OrderID: w.Order.OrderID}
	out.LineID, out.Component, out.Beneficiary, out.Rule = w.LineID, w.Component, w.Beneficiary, w.Rule
	if out.Kind, err = parseKind(w.Kind); err != nil {
		return err
	}
	out.Level, out.PaidLevel = w.Level, w.PaidLevel
	if out.Level < 0 || out.PaidLevel < 0 {
		return eventErr("level", "negative")
	}
	digits, err := currencyDigits(w.Currency)
	if err != nil {
		return err
	}
	out.Currency, out.digits = w.Currency, int8(digits)
	var ok bool
	basis, err := readFixed(w.Basis, "basis")
	if err != nil {
		return err
	}
	out.setBasis(basis)
	r, err := readFixed(w.Rate, "rate")
	if err != nil {
		return err
	}
	if r.v < 0 || r.scale > rateDigits {
		return eventErr("rate", "want at most 9 decimal places, not negative")
	}
	if out.rate, ok = rescale(r, rateDigits); !ok {
		return eventErr("rate", "out of range")
	}
	a, err := readFixed(w.Amount, "amount")
	if err != nil {
		return err
	}
	if out.amount, ok = rescale(a, digits); !ok || int32(a.scale) != digits {
		return eventErr("amount", "want exactly the currency's "+itoa(int(digits))+" decimal places")
	}
	if w.Uncapped != "" {
		u, err := readFixed(w.Uncapped, "uncapped_amount")
		if err != nil {
			return err
		}
		if out.uncapped, ok = rescale(u, digits); !ok || int32(u.scale) != digits || out.uncapped <= 0 {
			return eventErr("uncapped_amount", "want a positive amount with exactly the currency's "+itoa(int(digits))+" decimal places")
		}
	}
	if out.Effective, err = time.Parse(time.RFC3339Nano, w.Effective); err != nil {
		return eventErr("effective", err.Error())
	}
	out.Effective = out.Effective.UTC()
	if w.Corrects != "" {
		if out.Corrects, err = ulid.ParseStrict(w.Corrects); err != nil {
			return eventErr("corrects", err.Error())
		}
	}
	if len(w.CalcSnapshot) > 0 && string(w.CalcSnapshot) != "null" {
		if out.Snapshot, err = readSnapshot(w.CalcSnapshot); err != nil {
			return err
		}
	}
	*e = out
	return nil
}

func readFixed(s, path string) (fixed, error) {
	d, err := normalize.ParseAmount(s)
	if err != nil {
		return fixed{}, eventErr(path, "want a decimal string")
	}
	f, ok := toFixed(d)
	if !ok {
		return fixed{}, eventErr(path, "out of range")
	}
	return f, nil
}

func readSnapshot(raw json.RawMessage) (*CalcSnapshot, error) {
	var w wireSnapshot
	if err := strict(raw, &w); err != nil {
		return nil, eventErr("calc_snapshot", err.Error())
	}
	s := &CalcSnapshot{PlanID: w.Plan.ID, PlanVersion: w.Plan.Version, Customer: w.Customer}
	times := []struct {
		dst  *time.Time
		src  string
		path string
	}{{&s.Known, w.Known, "known"}, {&s.At, w.At, "at"}, {&s.OrderVersion, w.OrderVersion, "order_version"}}
	for _, t := range times {
		v, err := time.Parse(time.RFC3339Nano, t.src)
		if err != nil {
			return nil, eventErr("calc_snapshot."+t.path, err.Error())
		}
		*t.dst = v.UTC()
	}
	link := func(l wireLink, path string) (Link, error) {
		out := Link{Member: l.Member, Level: l.Level, PaidAs: hierarchy.Rank(l.PaidAs), Highest: hierarchy.Rank(l.Highest)}
		st, ok := statusNames[l.Status]
		if !ok {
			return Link{}, eventErr(path+".status", "unknown status "+quote(l.Status))
		}
		out.Status = st
		return out, nil
	}
	var err error
	if s.Credited, err = link(w.Credited, "calc_snapshot.credited"); err != nil {
		return nil, err
	}
	s.Upline = make([]Link, len(w.Upline))
	for i, l := range w.Upline {
		if s.Upline[i], err = link(l, index("calc_snapshot.upline", i)); err != nil {
			return nil, err
		}
	}
	ref := func(r wireRef, path string) (sku.Ref, error) {
		t, err := time.Parse(time.RFC3339Nano, r.EffectiveFrom)
		if err != nil {
			return sku.Ref{}, eventErr(path+".effective_from", err.Error())
		}
		return sku.Ref{ID: r.ID, EffectiveFrom: t.UTC()}, nil
	}
	s.Lines = make([]LineRef, len(w.Lines))
	for i, l := range w.Lines {
		path := index("calc_snapshot.lines", i)
		s.Lines[i] = LineRef{LineID: l.LineID, Component: l.Component, Class: l.Class}
		if s.Lines[i].SKU, err = ref(l.SKU, path+".sku"); err != nil {
			return nil, err
		}
		if l.Kit != nil {
			if s.Lines[i].Kit, err = ref(*l.Kit, path+".kit"); err != nil {
				return nil, err
			}
		}
	}
	if k := w.Cap; k != nil {
		s.Cap = &Cap{}
		for _, f := range []struct {
			dst       *decimal.Decimal
			src, path string
		}{{&s.Cap.Share, k.Share, "share"}, {&s.Cap.Basis, k.Basis, "basis"}, {&s.Cap.Amount, k.Amount, "amount"}, {&s.Cap.Uncapped, k.Uncapped, "uncapped"}} {
			d, err := normalize.ParseAmount(f.src)
			if err != nil {
				return nil, eventErr("calc_snapshot.cap."+f.path, "want a decimal string")
			}
			*f.dst = d
		}
	}
	return s, nil
}

// parseKind reads an event's or award's JSON kind.
func parseKind(s string) (Kind, error) {
	switch s {
	case "commission":
		return KindCommission, nil
	case "correction":
		return KindCorrection, nil
	}
	return 0, eventErr("kind", "want commission or correction")
}

// currencyDigits returns the digits of currency's minor unit, for an
// event's or award's JSON.
func currencyDigits(currency string) (int32, error) {
	digits, ok := normalize.MinorUnits(currency)
	if !ok {
		return 0, eventErr("currency", "unknown currency "+quote(currency))
	}
	return digits, nil
}

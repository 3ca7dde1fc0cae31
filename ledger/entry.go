package ledger

import (
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Type says what an entry records.
type Type uint8

const (
	// TypeCommission is a posted commission event (Entry.Event).
	TypeCommission Type = iota + 1
	// TypeCorrection is a posted correction event (Entry.Event): a
	// clawback when negative.
	TypeCorrection
	// TypeRevision records an order body the ledger calculated
	// (Entry.Body, as delivered) and the basis it was calculated on: the
	// lock and the instant the genealogy was read at (Entry.Placed). No
	// amount and no member.
	TypeRevision
	// TypePayout is money paid to a member; its amount is negative (it
	// settles what the ledger owed).
	TypePayout
	// TypeHold records a payout withheld from a member: Withheld is how
	// much, Reason why; its amount is zero.
	TypeHold
	// TypeRun records a payout run and its parameters (Entry.Run); no
	// amount.
	TypeRun
	// TypeAdjustment is an operator's manual adjustment, with its Reason.
	TypeAdjustment
	// TypeRefund records a refund delivered on its own (Entry.Refund),
	// kept apart from the order's body revisions: it applies to every
	// body of the order, the ones before it and the ones after.
	TypeRefund
	// TypeReplaced marks an order replaced by another (Entry.ReplacedBy):
	// its slots were brought to zero, and every later delivery of it is
	// stale.
	TypeReplaced
	// TypeVolume records one line's volumes (Entry.Volume) for the
	// credited member, or a correction of them; no amount. A period's
	// volumes are the sum of its volume entries.
	TypeVolume
	// TypeFrozen marks an order the ledger cannot decide for: a delivery
	// in another currency than the order was posted in. Its slots were
	// brought to zero, and every later delivery of it is held with
	// ErrCurrencyChanged. Currency is the currency the order was posted
	// in, Reason says what arrived.
	TypeFrozen
	// TypeAward is a period award or a correction of one (Entry.Award):
	// money, appended to the period's stream (PeriodStream) by a close.
	TypeAward
	// TypeCarry records what a period rule carries forward to the next
	// period for a member (Entry.Carry), or a correction of it; no
	// amount.
	TypeCarry
	// TypeClose records a close of a period (Entry.Close): the plan
	// version, the period and the genealogy's knowledge instant; no
	// amount.
	TypeClose
)

var typeNames = [...]string{"", "commission", "correction", "revision", "payout", "hold", "run", "adjustment",
	"refund", "replaced", "volume", "frozen", "award", "carry", "close"}

// String returns the type's name, as JSON and tables show it.
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Entry is one immutable line of the ledger: a fixed record whose Type
// says which of its typed fields are set. Amounts are signed from the
// member's point of view: positive is owed to the member, negative is taken
// back or paid out. Every field is a plain value, or a typed value a SQL
// row holds in columns (Event, Body and Refund in their JSON forms).
// What an entry read from a store points to (its Event, Body, Refund,
// Volume, RunParams, Award, Carry, Close) may be shared with the store
// and with other reads: treat it as read-only.
type Entry struct {
	// ID is unique in the whole store: a commission event's ULID, or an
	// id derived from what the entry records. Nothing reads meaning out
	// of it: Type and the fields below say what the entry is.
	ID string
	// Position is the entry's place in the whole store, assigned by
	// Store.Append: it strictly increases in the order appends commit,
	// so a follower reads what is new with Store.After.
	Position int64
	// Stream and Seq are set by Store.Append: the stream the entry was
	// appended to and its 1-based position there.
	Stream string
	Seq    int
	Type   Type
	// Member and Currency are set on money, hold, volume and frozen
	// entries.
	Member   string
	Currency string
	Amount   decimal.Decimal
	// Effective is when the entry counts for balances, statements and
	// volumes; Posted is when it was appended (supplied by the caller).
	Effective time.Time
	Posted    time.Time
	// Order, Revision and Lock are set on an order's entries: the order,
	// the revision instant of the post that appended the entry (see the
	// package documentation), and the lock the order is calculated with.
	Order    normalize.Key
	Revision time.Time
	Lock     commission.Lock
	// Placed is, on a TypeRevision, the instant the genealogy was read at:
	// the OrderTS of the order's first body, or of the order it replaces.
	// On a TypeVolume it is the same instant, the sale's: a period close
	// that counts refunds in the order's period reads it.
	Placed time.Time
	// Rule is the plan rule of a commission or correction.
	Rule string
	// Event is the event of a commission or correction. It is shared
	// with the store: do not modify it.
	Event *commission.Event
	// Body is a TypeRevision's order body as delivered (its refunds
	// included). Shared with the store: do not modify it.
	Body *normalize.Order
	// Refund is a TypeRefund's refund. Shared with the store: do not
	// modify it.
	Refund *normalize.Refund
	// ReplacedBy is, on TypeReplaced, the order that replaced this one.
	ReplacedBy normalize.Key
	// Volume is a TypeVolume's line and volumes.
	Volume *Volume
	// Run is the payout run of a payout, hold or run entry; RunParams
	// the run's parameters, on a TypeRun.
	Run       string
	RunParams *Run
	// Withheld is, on a hold, the amount held back.
	Withheld decimal.Decimal
	// Reason is why: a hold's, an adjustment's, a frozen order's.
	Reason string
	// Award is a TypeAward's award. Shared with the store: do not modify
	// it.
	Award *commission.Award
	// Carry is a TypeCarry's carried volume (a correction holds the
	// difference).
	Carry *commission.Carry
	// Close is a TypeClose's record.
	Close *Close
}

// Close records one close of a period: which plan version closed which
// period, with the genealogy known up to which instant.
type Close struct {
	Plan    string
	Version int
	Period  string
	From    time.Time
	To      time.Time
	Known   time.Time
}

// Volume is what one order line (or kit component) adds to the credited
// member's volumes, or a correction of it: the PV, QV and CV of its units
// that earn, and its commissionable net in the entry's currency.
type Volume struct {
	LineID string
	// Component is the kit component's internal SKU id, or "".
	Component string
	// Customer is the retail customer who bought the line, the order
	// being credited to the customer's sponsor (the entry's Member); ""
	// when the member bought it. A plan may leave customers' orders out
	// of personal volume (commission.PeriodPlan.PVExcludesCustomers).
	// Volume entries written before this field existed have "": they
	// count as the member's own purchases until a later revision of
	// their order moves them to the customer's slot.
	Customer   string
	PV, QV, CV decimal.Decimal
	Net        decimal.Decimal
}

// Period is the half-open interval [From, To) of effective instants.
type Period struct {
	From, To time.Time
}

// Contains reports whether t is in [From, To).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Year returns the calendar year y in UTC, the period of an income
// disclosure statement.
func Year(y int) Period {
	return Period{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Month returns the calendar month m of year y in UTC.
func Month(y int, m time.Month) Period {
	return Period{From: time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)}
}

// Filter selects entries for Store.Scan. Zero fields select everything.
type Filter struct {
	Member   string
	Currency string
	// Types selects entries of these types; nil selects all.
	Types []Type
	// From and To select entries effective in [From, To); a zero bound is
	// open.
	From, To time.Time
	// PostedBy selects entries posted at or before it; zero selects all.
	PostedBy time.Time
	// Run selects the entries of one payout run (Entry.Run): its
	// TypeRun, payouts and holds. Memory and the PostgreSQL store serve
	// it from an index, so that a payout run finds an earlier run with
	// its id without reading PayoutStream.
	Run string
}

// Match reports whether e passes f. Store implementations may use it; a
// SQL store translates f into a WHERE clause instead. It reads e's Member,
// Currency, Type, Effective, Posted and Run, nothing else.
func (f *Filter) Match(e *Entry) bool {
	return f.match(e.Member, e.Currency, e.Type, e.Run, e.Effective, e.Posted)
}

// match is Match on the fields it reads, so that a store that keeps
// them apart from the entry (Memory's member lists) matches without
// building one.
func (f *Filter) match(member, currency string, typ Type, run string, effective, posted time.Time) bool {
	if f.Member != "" && member != f.Member || f.Currency != "" && currency != f.Currency || f.Run != "" && run != f.Run {
		return false
	}
	if len(f.Types) > 0 && !slices.Contains(f.Types, typ) {
		return false
	}
	if !f.From.IsZero() && effective.Before(f.From) || !f.To.IsZero() && !effective.Before(f.To) {
		return false
	}
	return f.PostedBy.IsZero() || !posted.After(f.PostedBy)
}

// OrderStream returns the name of the stream an order's entries are
// appended to.
func OrderStream(k normalize.Key) string {
	var buf [128]byte // most names fit: one allocation, the string's
	b := append(appendQuote(append(buf[:0], "order "...), string(k.Platform)), ' ')
	b = append(appendQuote(b, k.Store), ' ')
	return string(appendQuote(b, k.OrderID))
}

// appendQuote is strconv.AppendQuote, without its rune by rune walk for a
// string of printable ASCII other than a quote or a backslash (an id most
// often), which it writes between quotes as it is.
func appendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// PeriodStream returns the name of the stream the closes of a plan's
// period are appended to.
func PeriodStream(plan, period string) string {
	return "period " + strconv.Quote(plan) + " " + strconv.Quote(period)
}

// PayoutStream is the stream every payout run is appended to, one after
// the other, so that two runs can never pay the same balance twice.
const PayoutStream = "payouts"

// AdjustmentStream returns the stream of the adjustment with id.
func AdjustmentStream(id string) string { return "adjustment " + strconv.Quote(id) }

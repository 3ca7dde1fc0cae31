package ledger

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Type says what an entry records.
type Type uint8

const (
	// TypeCommission is a posted commission event.
	TypeCommission Type = iota + 1
	// TypeCorrection is a posted correction event: a clawback when
	// negative.
	TypeCorrection
	// TypeRevision is an order's revision record, appended by every post:
	// no amount and no member; the revision instant, the lock, and in Memo
	// the canonical JSON of the merged order calculated (the newest record
	// is what the ledger knows of the order: see Ledger.Order). A record
	// with id "replaced <stream>" instead marks an order replaced by
	// another; its Memo is the replacement's stream.
	TypeRevision
	// TypePayout is money paid to a member; its amount is negative (it
	// settles what the ledger owed).
	TypePayout
	// TypeHold records a payout withheld from a member; its amount is
	// zero and Withheld says how much was held back.
	TypeHold
	// TypeRun records a payout run and its parameters (in Memo); no amount.
	TypeRun
	// TypeAdjustment is an operator's manual adjustment.
	TypeAdjustment
)

var typeNames = [...]string{"", "commission", "correction", "revision", "payout", "hold", "run", "adjustment"}

// String returns the type's name, as JSON and tables show it.
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Entry is one immutable line of the ledger. Amounts are signed from the
// member's point of view: positive is owed to the member, negative is taken
// back or paid out. Every field is a plain value a SQL row can hold; Event
// is stored as its JSON form (commission.Event.MarshalJSON) and read back
// with commission.Event.UnmarshalJSON.
type Entry struct {
	// ID is unique in the whole store: a commission event's ULID, or a
	// name derived from what the entry records (see doc.go).
	ID string
	// Stream and Seq are set by Store.Append: the stream the entry was
	// appended to and its 1-based position there.
	Stream string
	Seq    int
	Type   Type
	// Member and Currency are empty for TypeRevision and TypeRun.
	Member   string
	Currency string
	Amount   decimal.Decimal
	// Effective is when the entry counts for balances and statements;
	// Posted is when it was appended (supplied by the caller).
	Effective time.Time
	Posted    time.Time
	// Order, Revision and Lock are set on an order's entries: the order,
	// the revision instant of the post that appended the entry (the merged
	// order's Version, or one nanosecond after the order's previous
	// revision instant when that is not later: see the package
	// documentation), and the lock of the order's first calculation.
	Order    normalize.Key
	Revision time.Time
	Lock     commission.Lock
	// Rule is the plan rule of a commission or correction.
	Rule string
	// Run is the payout run of a payout, hold or run entry.
	Run string
	// Withheld is, on a hold, the amount held back.
	Withheld decimal.Decimal
	// Memo is free text: a hold's reason, an adjustment's reason, a run's
	// parameters as JSON, a revision record's order as JSON.
	Memo string
	// Event is the posted event of a commission or correction, nil
	// otherwise. It is shared with the store: do not modify it.
	Event *commission.Event
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
}

// Match reports whether e passes f. Store implementations may use it; a
// SQL store translates f into a WHERE clause instead.
func (f *Filter) Match(e *Entry) bool {
	if f.Member != "" && e.Member != f.Member || f.Currency != "" && e.Currency != f.Currency {
		return false
	}
	if len(f.Types) > 0 {
		ok := false
		for _, t := range f.Types {
			if t == e.Type {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if !f.From.IsZero() && e.Effective.Before(f.From) || !f.To.IsZero() && !e.Effective.Before(f.To) {
		return false
	}
	return f.PostedBy.IsZero() || !e.Posted.After(f.PostedBy)
}

// OrderStream returns the name of the stream an order's entries are
// appended to.
func OrderStream(k normalize.Key) string {
	return "order " + strconv.Quote(string(k.Platform)) + " " + strconv.Quote(k.Store) + " " + strconv.Quote(k.OrderID)
}

// PayoutStream is the stream every payout run is appended to, one after
// the other, so that two runs can never pay the same balance twice.
const PayoutStream = "payouts"

// AdjustmentStream returns the stream of the adjustment with id.
func AdjustmentStream(id string) string { return "adjustment " + strconv.Quote(id) }

package ledger

import (
	"errors"
	"time"

	"github.com/uplinehq/upline/normalize"
)

// Ledger errors.
var (
	// ErrHeld: an order cannot be calculated (its SKU is unknown, it is
	// credited to nobody, its plan is missing) and is held for an
	// operator; nothing of it was posted.
	ErrHeld = errors.New("ledger: order held")
	// ErrConflict: an entry with the same id but different content is
	// already posted, or an order revision already posted now calculates
	// differently, or a payout run id was reused with other parameters.
	ErrConflict = errors.New("ledger: conflicting content")
	// ErrContention: a stream kept changing under a writer after many
	// attempts.
	ErrContention = errors.New("ledger: too much contention")
	// ErrAmbiguousReplacement: an order names as the one it replaces an
	// order another order replaced already; paying both would pay the
	// sale twice, and the ledger cannot tell which is right.
	ErrAmbiguousReplacement = errors.New("ledger: order replaced twice")
	// ErrCurrencyChanged: a body of an order is in another currency than
	// the order was posted in; the order is frozen (see TypeFrozen).
	ErrCurrencyChanged = errors.New("ledger: order currency changed")
	// ErrInvalid: an argument cannot be right (a payout run without an id,
	// an adjustment with more digits than its currency has).
	ErrInvalid = errors.New("ledger: invalid input")
)

// HeldError says which order revision is held, and why. It matches
// ErrHeld with errors.Is and unwraps to the cause: a *sku.MapError,
// commission.ErrUnattributed, ...
type HeldError struct {
	Order    normalize.Key
	Revision time.Time
	Err      error
}

func (e *HeldError) Error() string {
	return "ledger: order " + e.Order.String() + " revision " + e.Revision.UTC().Format(time.RFC3339Nano) + " held: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *HeldError) Unwrap() error { return e.Err }

// Is reports whether target is ErrHeld.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// ConflictError says which entry conflicts with what is posted, and the
// first field that differs. It matches ErrConflict.
type ConflictError struct {
	// ID is the entry's id (a payout run's id for a run).
	ID string
	// Field is the first differing field: a JSON field of the event
	// ("amount", "beneficiary", "calc_snapshot"), an entry field ("type",
	// "member", ...) or a payout run parameter ("period", "holds", ...).
	Field string
	// Posted and Given are the field's values, as text.
	Posted, Given string
}

func (e *ConflictError) Error() string {
	return "ledger: " + e.ID + " already posted with a different " + e.Field + ": posted " + e.Posted + ", given " + e.Given
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

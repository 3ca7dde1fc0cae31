package commission

import (
	"errors"
	"strings"

	"github.com/uplinehq/upline/normalize"
)

// Error kinds. Every error this package returns (other than the catalog's
// *sku.MapError for a line that does not map) is an *Error wrapping one of
// them.
var (
	// ErrPlan: a plan is malformed or inconsistent.
	ErrPlan = errors.New("commission: invalid plan")
	// ErrNoPlan: no plan version is in force at the order's timestamp, or
	// the locked plan version is not loaded.
	ErrNoPlan = errors.New("commission: no plan version in force")
	// ErrUnattributed: the order names no distributor or customer the
	// genealogy knows at the order's timestamp. The order earns nothing and
	// must be held for an operator, never silently dropped.
	ErrUnattributed = errors.New("commission: order credited to no distributor")
	// ErrStale: a revision older than the newest one already posted for
	// its order (see Revise). Nothing must be posted for it.
	ErrStale = errors.New("commission: stale revision")
	// ErrInvalid: an input cannot be right: a zero knowledge instant, an
	// instant a ULID cannot carry, a payout a rule emitted that is
	// negative, out of range or in a slot already paid.
	ErrInvalid = errors.New("commission: invalid input")
	// ErrOverflow: an amount does not fit the engine's exact fixed point
	// (more than 18 significant digits).
	ErrOverflow = errors.New("commission: amount out of range")
)

// Error says which order, line, rule or plan JSON path a problem is at.
// Fields that do not apply are empty.
type Error struct {
	Order  normalize.Key
	LineID string
	Rule   string
	// Path is the JSON path in a plan, such as "rules[1].rates.*[2]".
	Path string
	// Why explains the problem in words.
	Why string
	// Err is one of the Err* kinds.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Order.OrderID != "" {
		b.WriteString(": order " + e.Order.String())
	}
	if e.LineID != "" {
		b.WriteString(" line " + e.LineID)
	}
	if e.Rule != "" {
		b.WriteString(" rule " + e.Rule)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	if e.Why != "" {
		b.WriteString(": " + e.Why)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

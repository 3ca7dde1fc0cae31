package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

// WriteTable writes the statement as a readable table: the summary, then
// every entry of the period with the id that explains it.
func (s *Statement) WriteTable(w io.Writer) error {
	m := func(d decimal.Decimal) string { return money(d, s.Currency) }
	var b strings.Builder
	fmt.Fprintf(&b, "statement %s %s %s – %s\n\n", s.Member, s.Currency,
		s.Period.From.UTC().Format(time.RFC3339), s.Period.To.UTC().Format(time.RFC3339))
	line := func(label, rule string, d decimal.Decimal) {
		fmt.Fprintf(&b, "%-12s %-16s %14s\n", label, rule, m(d))
	}
	line("opening", "", s.Opening)
	for _, r := range s.ByRule {
		line("earned", r.Rule, r.Amount)
	}
	line("earned", "", s.Earned)
	line("clawed back", "", s.ClawedBack.Neg())
	line("adjusted", "", s.Adjusted)
	line("paid", "", s.Paid.Neg())
	line("closing", "", s.Closing)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if len(s.Entries) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\neffective\ttype\trule\torder\tamount\tid")
	for _, e := range s.Entries {
		order := ""
		if e.Order.OrderID != "" {
			order = e.Order.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Effective.UTC().Format(time.RFC3339), e.Type, e.Rule, order, m(e.Amount), e.ID)
	}
	return tw.Flush()
}

// Adjustment is an operator's manual entry: a bonus, a correction outside
// the plan, or writing off a negative balance. It is the only way the
// ledger changes a balance other than commissions and payouts.
type Adjustment struct {
	// ID makes the adjustment idempotent.
	ID        string
	Member    string
	Currency  string
	Amount    decimal.Decimal
	Effective time.Time
	Reason    string
}

// Adjust posts an adjustment at instant at. Posting the same adjustment
// again appends nothing and reports already true; the same ID with other
// content fails with a *ConflictError. The amount may not carry more digits
// than the currency's minor unit: the ledger never rounds.
func (l *Ledger) Adjust(ctx context.Context, a Adjustment, at time.Time) (already bool, err error) {
	digits, ok := normalize.MinorUnits(a.Currency)
	switch {
	case a.ID == "" || a.Member == "" || a.Reason == "":
		return false, fmt.Errorf("%w: an adjustment needs an id, a member and a reason", ErrInvalid)
	case !ok:
		return false, fmt.Errorf("%w: adjustment %s: unknown currency %q", ErrInvalid, a.ID, a.Currency)
	case -a.Amount.Exponent() > digits && !a.Amount.Equal(a.Amount.Truncate(digits)):
		return false, fmt.Errorf("%w: adjustment %s: %s has more digits than %s's %d", ErrInvalid, a.ID, a.Amount, a.Currency, digits)
	}
	stream := AdjustmentStream(a.ID)
	e := Entry{ID: "adjustment " + a.ID, Type: TypeAdjustment, Member: a.Member, Currency: a.Currency, Amount: a.Amount,
		Effective: a.Effective.UTC(), Posted: at.UTC(), Reason: a.Reason}
	err = l.store.Append(ctx, stream, 0, []Entry{e})
	if !errors.Is(err, ErrVersionConflict) {
		return false, err
	}
	posted, _, err := l.store.Stream(ctx, stream)
	if err != nil {
		return false, err
	}
	if len(posted) == 0 {
		return false, fmt.Errorf("%w: adjustment stream %s is empty after a version conflict", ErrInvalidEntry, stream)
	}
	if err := sameEntry(&posted[0], &e); err != nil {
		return false, err
	}
	return true, nil
}

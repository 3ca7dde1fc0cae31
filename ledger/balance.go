package ledger

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"
)

// Balance is what the ledger owes a member in one currency: positive is
// owed to the member, negative is owed by the member (a clawback after a
// payout, carried until later earnings cover it).
type Balance struct {
	Member   string
	Currency string
	Amount   decimal.Decimal
}

// moneyTypes are the types of entries that carry an amount owed to or by a
// member (see Type.money).
func moneyTypes() []Type {
	return []Type{TypeCommission, TypeCorrection, TypePayout, TypeAdjustment, TypeAward}
}

// through returns the exclusive upper bound that selects entries effective
// at or before at.
func through(at time.Time) time.Time { return at.Add(time.Nanosecond) }

// Balance returns member's balance in currency at instant at: the sum of
// its entries effective at or before at.
func (l *Ledger) Balance(ctx context.Context, member, currency string, at time.Time) (decimal.Decimal, error) {
	return total(sum(ctx, l.store, Filter{Member: member, Currency: currency, Types: moneyTypes(), To: through(at)}))
}

// total adds up bs: one balance, or none, for a filter that names a
// member and a currency.
func total(bs []Balance, err error) (decimal.Decimal, error) {
	t := decimal.Zero
	for _, b := range bs {
		t = t.Add(b.Amount)
	}
	return t, err
}

// Balances returns every member's balance per currency at instant at,
// sorted by member, then currency. Members whose entries sum to zero are
// listed too.
func (l *Ledger) Balances(ctx context.Context, at time.Time) ([]Balance, error) {
	return sum(ctx, l.store, Filter{Types: moneyTypes(), To: through(at)})
}

// RuleAmount is what one plan rule earned.
type RuleAmount struct {
	Rule   string
	Amount decimal.Decimal
}

// Statement is a member's account for one period in one currency.
// Closing = Opening + Earned − ClawedBack + Adjusted − Paid, exactly.
type Statement struct {
	Member   string
	Currency string
	Period   Period
	// Opening is the balance of entries effective before Period.From.
	Opening decimal.Decimal
	// ByRule is what each rule earned in the period (commissions and
	// corrections that raise a slot), sorted by rule; Earned their sum.
	ByRule []RuleAmount
	Earned decimal.Decimal
	// ClawedBack is what corrections took back in the period, as a
	// positive amount.
	ClawedBack decimal.Decimal
	// Adjusted is the sum of operators' adjustments in the period.
	Adjusted decimal.Decimal
	// Paid is what payouts paid in the period, as a positive amount.
	Paid decimal.Decimal
	// Closing is the balance of entries effective before Period.To.
	Closing decimal.Decimal
	// Entries are the member's entries effective in the period, ordered
	// by effective instant, then stream and sequence.
	Entries []Entry
}

// Statement returns member's statement in currency for period p.
func (l *Ledger) Statement(ctx context.Context, member, currency string, p Period) (Statement, error) {
	s := Statement{Member: member, Currency: currency, Period: p}
	types := append(moneyTypes(), TypeHold)
	if !p.From.IsZero() {
		var err error
		if s.Opening, err = total(sum(ctx, l.store, Filter{Member: member, Currency: currency, Types: types, To: p.From})); err != nil {
			return Statement{}, err
		}
	}
	byRule := make(map[string]decimal.Decimal)
	err := l.store.Scan(ctx, Filter{Member: member, Currency: currency, Types: types, From: p.From, To: p.To}, func(e *Entry) error {
		s.Entries = append(s.Entries, *e)
		if tally(e, &s.Earned, &s.ClawedBack, &s.Adjusted, &s.Paid) {
			byRule[e.Rule] = byRule[e.Rule].Add(e.Amount)
		}
		return nil
	})
	if err != nil {
		return Statement{}, err
	}
	slices.SortStableFunc(s.Entries, func(a, b Entry) int { return a.Effective.Compare(b.Effective) })
	for _, r := range slices.Sorted(maps.Keys(byRule)) {
		s.ByRule = append(s.ByRule, RuleAmount{Rule: r, Amount: byRule[r]})
	}
	s.Closing = s.Opening.Add(s.Earned).Sub(s.ClawedBack).Add(s.Adjusted).Sub(s.Paid)
	return s, nil
}

// Total is one member's figures for a period in one currency, as an income
// disclosure statement needs them.
type Total struct {
	Member   string
	Currency string
	// Earned is what commissions and upward corrections earned; ClawedBack
	// what downward corrections took back (positive); Adjusted the
	// operators' adjustments; Net = Earned − ClawedBack + Adjusted; Paid
	// what payouts paid (positive).
	Earned, ClawedBack, Adjusted, Net, Paid decimal.Decimal
}

// Totals returns, for period p (Year(2025) for a yearly income disclosure
// statement), one Total per member and currency: for every member in
// members — those who earned nothing too — and every member with entries
// in the period, in each currency entries of the period are in. With no
// entries at all, each member gets one row with an empty currency. Sorted
// by member, then currency.
func (l *Ledger) Totals(ctx context.Context, p Period, members []string) ([]Total, error) {
	rows := make(map[[2]string]*Total)
	currencies := make(map[string]bool)
	who := make(map[string]bool, len(members))
	for _, m := range members {
		who[m] = true
	}
	err := l.store.Scan(ctx, Filter{Types: append(moneyTypes(), TypeHold), From: p.From, To: p.To}, func(e *Entry) error {
		who[e.Member], currencies[e.Currency] = true, true
		k := [2]string{e.Member, e.Currency}
		t := rows[k]
		if t == nil {
			t = &Total{Member: e.Member, Currency: e.Currency}
			rows[k] = t
		}
		tally(e, &t.Earned, &t.ClawedBack, &t.Adjusted, &t.Paid)
		return nil
	})
	if err != nil {
		return nil, err
	}
	curs := slices.Sorted(maps.Keys(currencies))
	if len(curs) == 0 {
		curs = []string{""}
	}
	var out []Total
	for _, m := range slices.Sorted(maps.Keys(who)) {
		for _, c := range curs {
			t := rows[[2]string{m, c}]
			if t == nil {
				t = &Total{Member: m, Currency: c}
			}
			t.Net = t.Earned.Sub(t.ClawedBack).Add(t.Adjusted)
			out = append(out, *t)
		}
	}
	return out, nil
}

// tally adds e to the one figure it counts towards — a payout to paid
// (positive: a payout's entry is negative), an adjustment to adjusted (as
// signed), any other negative entry to clawedBack (positive), a commission
// or upward correction to earned — and reports whether it was earned.
func tally(e *Entry, earned, clawedBack, adjusted, paid *decimal.Decimal) bool {
	switch {
	case e.Type == TypePayout:
		*paid = paid.Sub(e.Amount)
	case e.Type == TypeAdjustment:
		*adjusted = adjusted.Add(e.Amount)
	case e.Amount.IsNegative():
		*clawedBack = clawedBack.Sub(e.Amount)
	case e.Type == TypeCommission || e.Type == TypeCorrection || e.Type == TypeAward:
		*earned = earned.Add(e.Amount)
		return true
	}
	return false
}

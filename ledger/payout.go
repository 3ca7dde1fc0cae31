package ledger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Run is a payout run: it pays every member what the ledger owes them for
// what became effective before Period.To, less everything paid before.
type Run struct {
	// ID makes the run idempotent: running the same ID again pays nothing
	// more and returns what the first run recorded.
	ID     string
	Period Period
	// At is when the run pays: its entries are effective and posted at At,
	// and it counts only entries posted at or before At. It must not be
	// before Period.To.
	At time.Time
	// Minimum is the smallest amount paid, per currency: a smaller balance
	// is carried to a later run. A currency not listed pays any positive
	// balance.
	Minimum map[string]decimal.Decimal
	// Holds names members whose payout is withheld, with the reason. A
	// hold is recorded; the balance stays owed.
	Holds map[string]string
}

// Payment is one member's outcome in a payout run.
type Payment struct {
	Member   string
	Currency string
	// Amount is what was paid, held back, left below the minimum, or (for
	// Negative) the negative balance carried.
	Amount decimal.Decimal
	// Reason is a hold's reason.
	Reason string
}

// PayoutResult reports a payout run. Each list is sorted by member, then
// currency.
type PayoutResult struct {
	Run string
	// AlreadyRun reports that the run id was run before: nothing was
	// appended, and Paid and Held are what that run recorded (BelowMinimum
	// and Negative are not recorded and are empty).
	AlreadyRun bool
	Paid       []Payment
	Held       []Payment
	// BelowMinimum are balances smaller than the minimum, carried.
	BelowMinimum []Payment
	// Negative are negative balances (clawbacks after an earlier payout),
	// carried until later earnings cover them; never written off.
	Negative []Payment
	// Entries are the entries appended.
	Entries []Entry
}

type runParams struct {
	Period struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"period"`
	At      string            `json:"at"`
	Minimum map[string]string `json:"minimum"`
	Holds   map[string]string `json:"holds"`
}

var runFields = []string{"period", "at", "minimum", "holds"}

func (r *Run) params() string {
	var p runParams
	p.Period.From, p.Period.To = r.Period.From.UTC().Format(time.RFC3339Nano), r.Period.To.UTC().Format(time.RFC3339Nano)
	p.At = r.At.UTC().Format(time.RFC3339Nano)
	p.Minimum, p.Holds = make(map[string]string), make(map[string]string)
	for c, m := range r.Minimum {
		p.Minimum[c] = m.String()
	}
	for m, why := range r.Holds {
		p.Holds[m] = why
	}
	b, _ := json.Marshal(p) // maps marshal with sorted keys
	return string(b)
}

// normalized returns a copy of r with its instants in UTC and its maps
// its own, as a TypeRun entry records it.
func (r *Run) normalized() Run {
	n := Run{ID: r.ID, Period: Period{From: r.Period.From.UTC(), To: r.Period.To.UTC()}, At: r.At.UTC()}
	n.Minimum, n.Holds = maps.Clone(r.Minimum), maps.Clone(r.Holds)
	return n
}

func runEntryID(kind, run, member, currency string) string {
	return kind + " " + strconv.Quote(run) + " " + strconv.Quote(member) + " " + strconv.Quote(currency)
}

// Payout runs r. Runs are appended one after the other to PayoutStream, so
// two runs racing (with different ids) never both pay one balance: the one
// that loses the race reads again and pays only what is still owed.
//
// What a member is owed in a currency is the sum of its commissions,
// corrections and adjustments effective before r.Period.To and posted by
// r.At, plus every payout recorded (negative). A held member's positive
// balance gets a TypeHold entry and stays owed; a balance below the
// minimum is carried; a negative balance is carried and reported.
//
// A run reads PayoutStream's version, an earlier run with its id
// (Filter.Run) and two sums, never the stream's entries: on a store that
// is a Tailer and a Summer its cost does not grow with the runs before it
// beyond what the store's sums cost.
func (l *Ledger) Payout(ctx context.Context, r Run) (PayoutResult, error) {
	res := PayoutResult{Run: r.ID}
	if r.ID == "" || r.At.IsZero() || r.Period.To.Before(r.Period.From) {
		return res, fmt.Errorf("%w: a payout run needs an id, an instant and a period", ErrInvalid)
	}
	if r.At.Before(r.Period.To) {
		return res, fmt.Errorf("%w: payout run %s at %s pays a period that ends later, at %s", ErrInvalid, r.ID,
			r.At.UTC().Format(time.RFC3339Nano), r.Period.To.UTC().Format(time.RFC3339Nano))
	}
	params := r.params()
	at := r.At.UTC()
	for attempt := 0; attempt < l.attempts; attempt++ {
		// Nothing of an attempt that lost the race is reported.
		res = PayoutResult{Run: r.ID}
		// The version first: what is read next includes every run up to
		// it, and a run appended after it makes this run's append fail.
		_, version, err := streamAfter(ctx, l.store, PayoutStream, math.MaxInt)
		if err != nil {
			return res, err
		}
		if done, err := l.recordedRun(ctx, &res, r.ID, params); done || err != nil {
			return res, err
		}
		paid, err := sum(ctx, l.store, Filter{Types: []Type{TypePayout}})
		if err != nil {
			return res, err
		}
		due := make(map[[2]string]decimal.Decimal)
		for _, b := range paid {
			due[[2]string{b.Member, b.Currency}] = b.Amount
		}
		earned, err := sum(ctx, l.store, Filter{Types: []Type{TypeCommission, TypeCorrection, TypeAdjustment}, To: r.Period.To, PostedBy: at})
		if err != nil {
			return res, err
		}
		for _, b := range earned {
			k := [2]string{b.Member, b.Currency}
			due[k] = due[k].Add(b.Amount)
		}
		keys := make([][2]string, 0, len(due))
		for k := range due {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })

		run := r.normalized()
		add := []Entry{{ID: "run " + strconv.Quote(r.ID), Type: TypeRun, Effective: at, Posted: at, Run: r.ID, RunParams: &run}}
		for _, k := range keys {
			amt := due[k]
			p := Payment{Member: k[0], Currency: k[1], Amount: amt}
			why, held := r.Holds[k[0]]
			switch {
			case amt.IsZero():
			case amt.IsNegative():
				res.Negative = append(res.Negative, p)
			case held:
				p.Reason = why
				res.Held = append(res.Held, p)
				add = append(add, Entry{ID: runEntryID("hold", r.ID, k[0], k[1]), Type: TypeHold, Member: k[0], Currency: k[1],
					Effective: at, Posted: at, Run: r.ID, Withheld: amt, Reason: why})
			case amt.LessThan(r.Minimum[k[1]]):
				res.BelowMinimum = append(res.BelowMinimum, p)
			default:
				res.Paid = append(res.Paid, p)
				add = append(add, Entry{ID: runEntryID("payout", r.ID, k[0], k[1]), Type: TypePayout, Member: k[0], Currency: k[1],
					Amount: amt.Neg(), Effective: at, Posted: at, Run: r.ID})
			}
		}
		err = l.store.Append(ctx, PayoutStream, version, add)
		if errors.Is(err, ErrVersionConflict) {
			continue
		}
		if err != nil {
			return PayoutResult{Run: r.ID}, err
		}
		res.Entries = add
		return res, nil
	}
	return PayoutResult{Run: r.ID}, fmt.Errorf("%w: payout run %s after %d attempts", ErrContention, r.ID, l.attempts)
}

// recordedRun fills res from the run with id already recorded, or
// reports a conflict when the run id was used with other parameters.
func (l *Ledger) recordedRun(ctx context.Context, res *PayoutResult, id, params string) (bool, error) {
	found := false
	err := l.store.Scan(ctx, Filter{Run: id}, func(e *Entry) error {
		if e.Stream != PayoutStream {
			return nil
		}
		switch e.Type {
		case TypeRun:
			if recorded := e.RunParams.params(); recorded != params {
				return diffJSON(id, []byte(recorded), []byte(params), runFields)
			}
			found = true
		case TypePayout:
			res.Paid = append(res.Paid, Payment{Member: e.Member, Currency: e.Currency, Amount: e.Amount.Neg()})
		case TypeHold:
			res.Held = append(res.Held, Payment{Member: e.Member, Currency: e.Currency, Amount: e.Withheld, Reason: e.Reason})
		}
		return nil
	})
	if err != nil {
		res.Paid, res.Held = nil, nil
		return true, err
	}
	res.AlreadyRun = found
	if !found {
		res.Paid, res.Held = nil, nil
	}
	return found, nil
}

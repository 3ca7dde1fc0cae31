package ledger

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

// Comparison is what a candidate plan (or catalog) would have paid on the
// orders of a period, beside what the ledger posted for them: in total,
// per rule and per member, each per currency. See Ledger.WhatIf.
type Comparison struct {
	Period Period
	// Orders is how many orders were compared; Changed how many of them
	// the candidate pays differently in at least one slot.
	Orders, Changed int
	// Held orders could not be calculated by the candidate; they are not
	// in the sums.
	Held []HeldOrder
	// Totals are per currency, sorted by currency.
	Totals []ComparisonTotal
	// Rules are per rule and currency, sorted by rule, then currency;
	// Members per member and currency, likewise. Every rule and member
	// either side pays is listed, also when both pay the same.
	Rules, Members []ComparisonRow
}

// ComparisonTotal sums one currency's orders.
type ComparisonTotal struct {
	Currency string
	// Volume is the commissionable net of the orders' lines as the
	// ledger posted it, CandidateVolume as the candidate calculates it
	// (they differ only when the candidate maps lines differently).
	Volume, CandidateVolume decimal.Decimal
	// Live is what the ledger posted, net of every correction;
	// Candidate what the candidate pays; Delta is Candidate − Live.
	Live, Candidate, Delta decimal.Decimal
	// LiveShare is Live / Volume and CandidateShare Candidate /
	// CandidateVolume, to ShareDigits places ("0" without volume).
	LiveShare, CandidateShare string
}

// ComparisonRow is one rule's or one member's sums in one currency.
type ComparisonRow struct {
	// Name is the rule's name, or the member's id.
	Name                   string
	Currency               string
	Live, Candidate, Delta decimal.Decimal
	// LiveShare and CandidateShare are Live and Candidate as shares of the
	// currency's Volume and CandidateVolume (see ComparisonTotal).
	LiveShare, CandidateShare string
}

// WhatIf recalculates, without posting anything, every order whose
// commissions count in period p — the orders whose genealogy instant (the
// OrderTS of their first body, or of the order they replace) is in p —
// with candidate, as Post would calculate it now: the newest body the
// ledger holds merged with every refund recorded, read against the
// genealogy at that instant and as known when the order was first posted.
// The plan is the candidate's own version in force at that instant, not
// the version the order is locked to: build candidate with a plan (or a
// catalog) whose versions take effect by the start of p. It compares what
// the candidate pays with what the ledger posted for each order, net of
// every correction, per slot, and sums both per rule, per member and per
// currency.
//
// An order that was replaced by another pays nothing either way (its
// replacement is compared); an order frozen by a currency change, or one
// the candidate cannot calculate, is held. Events imported with
// PostEvents record no body and are not compared. With the ledger's own
// calculator as candidate, every difference is zero for an order posted
// as Post leaves it.
func (l *Ledger) WhatIf(ctx context.Context, p Period, candidate Calculator) (*Comparison, error) {
	if candidate == nil {
		return nil, fmt.Errorf("%w: what-if needs a candidate calculator", ErrInvalid)
	}
	// Every revision record names the instant its order is placed. Its own
	// instant is usually later, but a body may claim a version older than
	// its order_ts: all revisions are read, not only those of p.
	var keys []normalize.Key
	err := l.store.Scan(ctx, Filter{Types: []Type{TypeRevision}}, func(e *Entry) error {
		if p.Contains(e.Placed) && (len(keys) == 0 || keys[len(keys)-1] != e.Order) {
			keys = append(keys, e.Order)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Scan returns a stream's entries together: keys holds each order
	// once.
	slices.SortFunc(keys, compareKeys)
	c := &Comparison{Period: p}
	sums := newComparisonSums(candidate)
	for _, k := range keys {
		st, err := l.readState(ctx, k)
		if err != nil {
			return nil, err
		}
		c.Orders++
		if why := sums.order(&st); why != "" {
			c.Held = append(c.Held, HeldOrder{Order: k, Reason: why})
			continue
		}
		if sums.changed {
			c.Changed++
		}
	}
	sums.fill(c)
	return c, nil
}

type comparisonKey struct{ name, currency string }

// comparisonSum is live and candidate amounts in the currency's minor
// units: every amount of one currency has its minor unit's digits.
type comparisonSum struct{ live, candidate int64 }

// intoCalculator is a Calculator that calculates into a Calculation it
// reuses, as *commission.Engine does.
type intoCalculator interface {
	CalculateInto(dst *commission.Calculation, o *normalize.Order, lock commission.Lock) error
}

// comparisonSums accumulates a comparison order by order.
type comparisonSums struct {
	candidate Calculator
	into      intoCalculator
	calc      commission.Calculation
	totals    map[string]*comparisonTotal
	rules     map[comparisonKey]*comparisonSum
	members   map[comparisonKey]*comparisonSum
	slots     map[commission.Slot]*comparisonSum
	// changed reports whether the last order compared differs in a slot.
	changed bool
}

type comparisonTotal struct {
	volume, candidateVolume decimal.Decimal
	sum                     comparisonSum
}

func newComparisonSums(candidate Calculator) *comparisonSums {
	s := &comparisonSums{candidate: candidate, totals: make(map[string]*comparisonTotal),
		rules: make(map[comparisonKey]*comparisonSum), members: make(map[comparisonKey]*comparisonSum),
		slots: make(map[commission.Slot]*comparisonSum)}
	s.into, _ = candidate.(intoCalculator)
	return s
}

func (s *comparisonSums) total(currency string) *comparisonTotal {
	t := s.totals[currency]
	if t == nil {
		t = &comparisonTotal{}
		s.totals[currency] = t
	}
	return t
}

// order adds the order st to the sums, or returns why it cannot.
func (s *comparisonSums) order(st *orderState) (why string) {
	s.changed = false
	if st.frozen != nil {
		return frozenError(st, st.last).Error()
	}
	var candidate []commission.Event
	if st.replacedBy == (normalize.Key{}) {
		m, err := merge(st.body, st.refunds)
		if err != nil {
			return err.Error()
		}
		m.OrderTS = st.placed
		calc, lock := &s.calc, commission.Lock{Known: st.lock.Known}
		if s.into != nil {
			err = s.into.CalculateInto(calc, &m, lock)
		} else {
			calc, err = s.candidate.Calculate(&m, lock)
		}
		if err != nil {
			return err.Error()
		}
		t := s.total(m.Currency)
		for i := range st.vols.sums {
			t.volume = t.volume.Add(st.vols.sums[i].Net)
		}
		for i := range calc.Lines {
			t.candidateVolume = t.candidateVolume.Add(calc.Lines[i].Net)
		}
		candidate = calc.Events
	}
	clear(s.slots)
	add := func(events []commission.Event, cand bool) {
		for i := range events {
			e := &events[i]
			a := e.AmountMinor()
			slot := s.slots[e.Slot()]
			if slot == nil {
				slot = &comparisonSum{}
				s.slots[e.Slot()] = slot
			}
			sums := [...]*comparisonSum{slot, &s.total(e.Currency).sum,
				s.row(s.rules, comparisonKey{e.Rule, e.Currency}), s.row(s.members, comparisonKey{e.Beneficiary, e.Currency})}
			for _, x := range sums {
				if cand {
					x.candidate += a
				} else {
					x.live += a
				}
			}
		}
	}
	add(st.events, false)
	add(candidate, true)
	for _, sum := range s.slots {
		if sum.live != sum.candidate {
			s.changed = true
			break
		}
	}
	return ""
}

func (s *comparisonSums) row(m map[comparisonKey]*comparisonSum, k comparisonKey) *comparisonSum {
	r := m[k]
	if r == nil {
		r = &comparisonSum{}
		m[k] = r
	}
	return r
}

// minor returns n minor units of currency as a decimal.
func minor(n int64, currency string) decimal.Decimal {
	digits, _ := normalize.MinorUnits(currency)
	return decimal.New(n, -int32(digits))
}

// fill writes the sums into c, sorted.
func (s *comparisonSums) fill(c *Comparison) {
	for _, cur := range slices.Sorted(maps.Keys(s.totals)) {
		t := s.totals[cur]
		live, cand := minor(t.sum.live, cur), minor(t.sum.candidate, cur)
		c.Totals = append(c.Totals, ComparisonTotal{Currency: cur, Volume: t.volume, CandidateVolume: t.candidateVolume,
			Live: live, Candidate: cand, Delta: cand.Sub(live),
			LiveShare: share(live, t.volume), CandidateShare: share(cand, t.candidateVolume)})
	}
	rows := func(m map[comparisonKey]*comparisonSum) []ComparisonRow {
		keys := slices.SortedFunc(maps.Keys(m), func(a, b comparisonKey) int {
			return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.currency, b.currency))
		})
		out := make([]ComparisonRow, 0, len(keys))
		for _, k := range keys {
			r, t := m[k], s.totals[k.currency]
			live, cand := minor(r.live, k.currency), minor(r.candidate, k.currency)
			out = append(out, ComparisonRow{Name: k.name, Currency: k.currency, Live: live, Candidate: cand,
				Delta: cand.Sub(live), LiveShare: share(live, t.volume), CandidateShare: share(cand, t.candidateVolume)})
		}
		return out
	}
	c.Rules, c.Members = rows(s.rules), rows(s.members)
}

// share is paid / volume to ShareDigits places, "0" without volume.
func share(paid, volume decimal.Decimal) string {
	if volume.IsZero() {
		return "0"
	}
	return paid.DivRound(volume, ShareDigits).String()
}

// MarshalJSON writes the comparison with amounts as strings in each
// currency's minor unit, shares as decimal strings, instants in RFC 3339
// UTC and every list present (possibly empty).
func (c *Comparison) MarshalJSON() ([]byte, error) {
	type jsonTotal struct {
		Currency        string `json:"currency"`
		Volume          string `json:"volume"`
		CandidateVolume string `json:"candidate_volume"`
		Live            string `json:"live"`
		Candidate       string `json:"candidate"`
		Delta           string `json:"delta"`
		LiveShare       string `json:"live_share"`
		CandidateShare  string `json:"candidate_share"`
	}
	type jsonRow struct {
		Name           string `json:"name"`
		Currency       string `json:"currency"`
		Live           string `json:"live"`
		Candidate      string `json:"candidate"`
		Delta          string `json:"delta"`
		LiveShare      string `json:"live_share"`
		CandidateShare string `json:"candidate_share"`
	}
	var w struct {
		Period struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"period"`
		Orders  int         `json:"orders"`
		Changed int         `json:"changed"`
		Totals  []jsonTotal `json:"totals"`
		Rules   []jsonRow   `json:"rules"`
		Members []jsonRow   `json:"members"`
		Held    []jsonHeld  `json:"held"`
	}
	w.Period.From, w.Period.To = c.Period.From.UTC().Format(time.RFC3339Nano), c.Period.To.UTC().Format(time.RFC3339Nano)
	w.Orders, w.Changed = c.Orders, c.Changed
	w.Totals = make([]jsonTotal, 0, len(c.Totals))
	for _, t := range c.Totals {
		m := func(d decimal.Decimal) string { return money(d, t.Currency) }
		w.Totals = append(w.Totals, jsonTotal{t.Currency, m(t.Volume), m(t.CandidateVolume), m(t.Live), m(t.Candidate),
			m(t.Delta), t.LiveShare, t.CandidateShare})
	}
	rows := func(rs []ComparisonRow) []jsonRow {
		out := make([]jsonRow, 0, len(rs))
		for _, r := range rs {
			out = append(out, jsonRow{r.Name, r.Currency, money(r.Live, r.Currency), money(r.Candidate, r.Currency),
				money(r.Delta, r.Currency), r.LiveShare, r.CandidateShare})
		}
		return out
	}
	w.Rules, w.Members = rows(c.Rules), rows(c.Members)
	w.Held = heldJSON(c.Held)
	return indentJSON(w)
}

// WriteTable writes the comparison as readable tables: the totals per
// currency, then per rule and per member; a delta is candidate − live.
func (c *Comparison) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "what-if %s – %s: %d orders, %d changed, %d held\n",
		c.Period.From.UTC().Format(time.RFC3339), c.Period.To.UTC().Format(time.RFC3339), c.Orders, c.Changed, len(c.Held))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ncurrency\tvolume\tcandidate volume\tlive\tcandidate\tdelta\tlive share\tcandidate share\t")
	for _, t := range c.Totals {
		m := func(d decimal.Decimal) string { return money(d, t.Currency) }
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Currency, m(t.Volume), m(t.CandidateVolume),
			m(t.Live), m(t.Candidate), signed(t.Delta, t.Currency), t.LiveShare, t.CandidateShare)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	rows := func(title string, rs []ComparisonRow, shares bool) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "\n" + title + "\tcurrency\tlive\tcandidate\tdelta\t"
		if shares {
			head += "live share\tcandidate share\t"
		}
		fmt.Fprintln(tw, head)
		for _, r := range rs {
			line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", r.Name, r.Currency, money(r.Live, r.Currency),
				money(r.Candidate, r.Currency), signed(r.Delta, r.Currency))
			if shares {
				line += r.LiveShare + "\t" + r.CandidateShare + "\t"
			}
			fmt.Fprintln(tw, line)
		}
		return tw.Flush()
	}
	if err := rows("rule", c.Rules, true); err != nil {
		return err
	}
	if err := rows("member", c.Members, true); err != nil {
		return err
	}
	if len(c.Held) > 0 {
		fmt.Fprintln(w, "\nheld (not in the sums):")
		for _, h := range c.Held {
			fmt.Fprintf(w, "  %s: %s\n", h.Order, h.Reason)
		}
	}
	return nil
}

// signed is money with a sign on a positive amount, so that a delta reads
// as one.
func signed(d decimal.Decimal, currency string) string {
	if d.IsPositive() {
		return "+" + money(d, currency)
	}
	return money(d, currency)
}

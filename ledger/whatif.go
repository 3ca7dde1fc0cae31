package ledger

import (
	"cmp"
	"context"
	"errors"
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
	// Bonuses compares the period's bonuses when the candidate closes
	// periods and Period is one of them; nil otherwise.
	Bonuses *PeriodBonuses
}

// PeriodBonuses compares one period's bonuses: the candidate plan's close
// of the period, computed without posting as Ledger.Preview computes one,
// beside the awards the live plan's close posted, net of corrections.
// Totals, Rules and Members are as Comparison's, their shares taken of
// the volumes of Comparison.Totals (the period's orders).
type PeriodBonuses struct {
	Period commission.Period
	// LiveClosed reports whether the live plan's close of Period is
	// posted. When it is not, the live side is unknown, not zero: every
	// Live and Delta is zero and every LiveShare "", and WriteTable and
	// MarshalJSON say "not closed" (null).
	LiveClosed bool
	// Known is the instant the candidate's close is computed as of: the
	// live close's (its latest close record's), or, when the live period
	// is not closed, the period's end plus the candidate plan's grace.
	Known          time.Time
	Totals         []ComparisonTotal
	Rules, Members []ComparisonRow
}

// ErrPeriodMismatch: a what-if whose candidate closes periods runs over
// exactly one of them, which the live plan, when it closes periods, must
// close too, with the same bounds.
var ErrPeriodMismatch = errors.New("ledger: what-if periods do not match")

// ErrCurrencyMismatch: the candidate's period bonuses are paid in another
// currency than the live plan's.
var ErrCurrencyMismatch = errors.New("ledger: what-if currencies do not match")

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
//
// When the candidate closes periods (a Closer that also finds the period
// an instant falls in, as *commission.Engine with a plan declaring a
// period does), p must be exactly one of its periods (ErrPeriodMismatch
// otherwise), and the comparison includes that period's bonuses
// (Comparison.Bonuses): the candidate's close computed over the ledger's
// volumes as Preview computes one, as of the live close's instant, beside
// the awards the live plan's close posted (PeriodStream), net of
// corrections. When the live plan closes periods, its period with the
// same id must have the same bounds (ErrPeriodMismatch) and its period
// currency must be the candidate's (ErrCurrencyMismatch); when it does
// not, the live awards are read from the stream of the candidate's plan
// id. A period the live plan has not closed is compared as not closed
// (PeriodBonuses.LiveClosed), never as zero.
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
	c.Totals, c.Rules, c.Members = sums.fill(sums)
	c.Bonuses, err = l.whatIfBonuses(ctx, p, candidate, sums)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// periodCloser is a Closer that finds the period an instant falls in, as
// *commission.Engine does.
type periodCloser interface {
	Closer
	PeriodAt(t time.Time) (commission.Period, *commission.Plan, error)
}

// closesPeriods reports whether c's plan declares a period: always for a
// Closer that cannot say.
func closesPeriods(c Closer) bool {
	pc, ok := c.(periodCloser)
	if !ok {
		return true
	}
	_, _, err := pc.PeriodAt(time.Time{})
	return err == nil
}

// whatIfBonuses compares the bonuses of period p (see WhatIf); orders
// holds the sums of p's orders, whose volumes the shares are of.
func (l *Ledger) whatIfBonuses(ctx context.Context, p Period, candidate Calculator, orders *comparisonSums) (*PeriodBonuses, error) {
	closer, ok := candidate.(periodCloser)
	if !ok {
		return nil, nil
	}
	if !closesPeriods(closer) {
		return nil, nil
	}
	per, plan, err := closer.PeriodAt(p.From)
	if err != nil {
		return nil, err
	}
	span := func(from, to time.Time) string {
		return from.UTC().Format(time.RFC3339) + " – " + to.UTC().Format(time.RFC3339)
	}
	if !per.From.Equal(p.From) || !per.To.Equal(p.To) {
		return nil, fmt.Errorf("%w: the candidate closes periods; what-if %s is not one of them: ask for period %s (%s)",
			ErrPeriodMismatch, span(p.From, p.To), per.ID, span(per.From, per.To))
	}
	liveID := plan.ID
	if live, ok := l.calc.(Closer); ok && closesPeriods(live) {
		lper, lplan, err := live.Period(per.ID)
		if err != nil {
			return nil, fmt.Errorf("%w: the live plan does not close the candidate's period %s: %w", ErrPeriodMismatch, per.ID, err)
		}
		if !lper.From.Equal(per.From) || !lper.To.Equal(per.To) {
			return nil, fmt.Errorf("%w: period %s is %s for the candidate, %s for the live plan",
				ErrPeriodMismatch, per.ID, span(per.From, per.To), span(lper.From, lper.To))
		}
		if lplan.Period.Currency != plan.Period.Currency {
			return nil, fmt.Errorf("%w: period %s: the candidate pays bonuses in %s, the live plan in %s",
				ErrCurrencyMismatch, per.ID, plan.Period.Currency, lplan.Period.Currency)
		}
		liveID = lplan.ID
	}
	entries, _, err := l.store.Stream(ctx, PeriodStream(liveID, per.ID))
	if err != nil {
		return nil, err
	}
	b := &PeriodBonuses{Period: per, Known: per.To.Add(plan.Period.Grace)}
	sums := newComparisonSums(nil)
	for i := range entries {
		switch e := &entries[i]; {
		case e.Type == TypeClose && e.Close != nil:
			b.LiveClosed, b.Known = true, e.Close.Known
		case e.Type == TypeAward && e.Award != nil:
			sums.add(e.Award.Rule, e.Award.Beneficiary, e.Award.Currency, e.Award.AmountMinor(), false)
		}
	}
	closing, err := l.compute(ctx, closer, plan, per, b.Known.UTC())
	if err != nil {
		return nil, err
	}
	for i := range closing.Awards {
		a := &closing.Awards[i]
		sums.add(a.Rule, a.Beneficiary, a.Currency, a.AmountMinor(), true)
	}
	b.Totals, b.Rules, b.Members = sums.fill(orders)
	if !b.LiveClosed {
		for _, rs := range [][]ComparisonRow{b.Rules, b.Members} {
			for i := range rs {
				rs[i].Delta, rs[i].LiveShare = decimal.Zero, ""
			}
		}
		for i := range b.Totals {
			b.Totals[i].Delta, b.Totals[i].LiveShare = decimal.Zero, ""
		}
	}
	return b, nil
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
			slot.add(a, cand)
			s.add(e.Rule, e.Beneficiary, e.Currency, a, cand)
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

// add adds a minor units of currency, paid by rule to member, to the
// candidate's sums or the live ones.
func (s *comparisonSums) add(rule, member, currency string, a int64, cand bool) {
	s.total(currency).sum.add(a, cand)
	s.row(s.rules, comparisonKey{rule, currency}).add(a, cand)
	s.row(s.members, comparisonKey{member, currency}).add(a, cand)
}

func (x *comparisonSum) add(a int64, cand bool) {
	if cand {
		x.candidate += a
	} else {
		x.live += a
	}
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

// fill returns the sums, sorted, with shares of vols' volumes (s's own
// for orders).
func (s *comparisonSums) fill(vols *comparisonSums) (totals []ComparisonTotal, rules, members []ComparisonRow) {
	volume := func(cur string) *comparisonTotal {
		if t := vols.totals[cur]; t != nil {
			return t
		}
		return &comparisonTotal{}
	}
	for _, cur := range slices.Sorted(maps.Keys(s.totals)) {
		t, v := s.totals[cur], volume(cur)
		live, cand := minor(t.sum.live, cur), minor(t.sum.candidate, cur)
		totals = append(totals, ComparisonTotal{Currency: cur, Volume: v.volume, CandidateVolume: v.candidateVolume,
			Live: live, Candidate: cand, Delta: cand.Sub(live),
			LiveShare: share(live, v.volume), CandidateShare: share(cand, v.candidateVolume)})
	}
	rows := func(m map[comparisonKey]*comparisonSum) []ComparisonRow {
		keys := slices.SortedFunc(maps.Keys(m), func(a, b comparisonKey) int {
			return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.currency, b.currency))
		})
		out := make([]ComparisonRow, 0, len(keys))
		for _, k := range keys {
			r, v := m[k], volume(k.currency)
			live, cand := minor(r.live, k.currency), minor(r.candidate, k.currency)
			out = append(out, ComparisonRow{Name: k.name, Currency: k.currency, Live: live, Candidate: cand,
				Delta: cand.Sub(live), LiveShare: share(live, v.volume), CandidateShare: share(cand, v.candidateVolume)})
		}
		return out
	}
	return totals, rows(s.rules), rows(s.members)
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
// UTC and every list present (possibly empty). Period bonuses, when
// compared, are under "bonuses", with "live", "delta" and "live_share"
// null when the live period is not closed.
func (c *Comparison) MarshalJSON() ([]byte, error) {
	type jsonPeriod struct {
		ID   string `json:"id,omitempty"`
		From string `json:"from"`
		To   string `json:"to"`
	}
	type jsonBonuses struct {
		Period     jsonPeriod `json:"period"`
		LiveClosed bool       `json:"live_closed"`
		Known      string     `json:"known"`
		jsonSums
	}
	var w struct {
		Period  jsonPeriod `json:"period"`
		Orders  int        `json:"orders"`
		Changed int        `json:"changed"`
		jsonSums
		Bonuses *jsonBonuses `json:"bonuses,omitempty"`
		Held    []jsonHeld   `json:"held"`
	}
	instant := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	w.Period = jsonPeriod{From: instant(c.Period.From), To: instant(c.Period.To)}
	w.Orders, w.Changed = c.Orders, c.Changed
	w.jsonSums = sumsJSON(c.Totals, c.Rules, c.Members, true)
	if b := c.Bonuses; b != nil {
		w.Bonuses = &jsonBonuses{Period: jsonPeriod{b.Period.ID, instant(b.Period.From), instant(b.Period.To)},
			LiveClosed: b.LiveClosed, Known: instant(b.Known), jsonSums: sumsJSON(b.Totals, b.Rules, b.Members, b.LiveClosed)}
	}
	w.Held = heldJSON(c.Held)
	return indentJSON(w)
}

type jsonTotal struct {
	Currency        string  `json:"currency"`
	Volume          string  `json:"volume"`
	CandidateVolume string  `json:"candidate_volume"`
	Live            *string `json:"live"`
	Candidate       string  `json:"candidate"`
	Delta           *string `json:"delta"`
	LiveShare       *string `json:"live_share"`
	CandidateShare  string  `json:"candidate_share"`
}

type jsonRow struct {
	Name           string  `json:"name"`
	Currency       string  `json:"currency"`
	Live           *string `json:"live"`
	Candidate      string  `json:"candidate"`
	Delta          *string `json:"delta"`
	LiveShare      *string `json:"live_share"`
	CandidateShare string  `json:"candidate_share"`
}

// liveJSON returns live, delta and live share, all nil when the live side
// is not known.
func liveJSON(known bool, live, delta decimal.Decimal, share, currency string) (l, d, s *string) {
	if !known {
		return nil, nil, nil
	}
	a, b := money(live, currency), money(delta, currency)
	return &a, &b, &share
}

// jsonSums is a comparison's totals, rules and members, every list
// present.
type jsonSums struct {
	Totals  []jsonTotal `json:"totals"`
	Rules   []jsonRow   `json:"rules"`
	Members []jsonRow   `json:"members"`
}

func sumsJSON(totals []ComparisonTotal, rules, members []ComparisonRow, live bool) jsonSums {
	out := jsonSums{Totals: make([]jsonTotal, 0, len(totals))}
	for _, t := range totals {
		l, d, sh := liveJSON(live, t.Live, t.Delta, t.LiveShare, t.Currency)
		out.Totals = append(out.Totals, jsonTotal{t.Currency, money(t.Volume, t.Currency), money(t.CandidateVolume, t.Currency), l,
			money(t.Candidate, t.Currency), d, sh, t.CandidateShare})
	}
	rows := func(rs []ComparisonRow) []jsonRow {
		out := make([]jsonRow, 0, len(rs))
		for _, r := range rs {
			l, d, sh := liveJSON(live, r.Live, r.Delta, r.LiveShare, r.Currency)
			out = append(out, jsonRow{r.Name, r.Currency, l, money(r.Candidate, r.Currency), d, sh, r.CandidateShare})
		}
		return out
	}
	out.Rules, out.Members = rows(rules), rows(members)
	return out
}

// WriteTable writes the comparison as readable tables: the totals per
// currency, then per rule and per member; a delta is candidate − live.
// Period bonuses, when compared, follow in tables of their own, "not
// closed" where the live period is not closed.
func (c *Comparison) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "what-if %s – %s: %d orders, %d changed, %d held\n",
		c.Period.From.UTC().Format(time.RFC3339), c.Period.To.UTC().Format(time.RFC3339), c.Orders, c.Changed, len(c.Held))
	if err := writeSums(w, c.Totals, c.Rules, c.Members, true); err != nil {
		return err
	}
	if len(c.Held) > 0 {
		fmt.Fprintln(w, "\nheld (not in the sums):")
		for _, h := range c.Held {
			fmt.Fprintf(w, "  %s: %s\n", h.Order, h.Reason)
		}
	}
	if b := c.Bonuses; b != nil {
		live := "not closed"
		if b.LiveClosed {
			live = "closed"
		}
		fmt.Fprintf(w, "\nperiod %s bonuses: live %s; candidate closed as of %s\n", b.Period.ID, live,
			b.Known.UTC().Format(time.RFC3339))
		return writeSums(w, b.Totals, b.Rules, b.Members, b.LiveClosed)
	}
	return nil
}

// writeSums writes totals, rules and members as tables; without live,
// the live columns say "not closed".
func writeSums(w io.Writer, totals []ComparisonTotal, rules, members []ComparisonRow, live bool) error {
	// cols returns the live, delta and live share columns.
	cols := func(l, d decimal.Decimal, share, currency string) (string, string, string) {
		if !live {
			return "not closed", "not closed", "not closed"
		}
		return money(l, currency), signed(d, currency), share
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ncurrency\tvolume\tcandidate volume\tlive\tcandidate\tdelta\tlive share\tcandidate share\t")
	for _, t := range totals {
		m := func(d decimal.Decimal) string { return money(d, t.Currency) }
		l, d, sh := cols(t.Live, t.Delta, t.LiveShare, t.Currency)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Currency, m(t.Volume), m(t.CandidateVolume), l,
			m(t.Candidate), d, sh, t.CandidateShare)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	rows := func(title string, rs []ComparisonRow) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\n"+title+"\tcurrency\tlive\tcandidate\tdelta\tlive share\tcandidate share\t")
		for _, r := range rs {
			l, d, sh := cols(r.Live, r.Delta, r.LiveShare, r.Currency)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Name, r.Currency, l, money(r.Candidate, r.Currency), d, sh,
				r.CandidateShare)
		}
		return tw.Flush()
	}
	if err := rows("rule", rules); err != nil {
		return err
	}
	return rows("member", members)
}

// signed is money with a sign on a positive amount, so that a delta reads
// as one.
func signed(d decimal.Decimal, currency string) string {
	if d.IsPositive() {
		return "+" + money(d, currency)
	}
	return money(d, currency)
}

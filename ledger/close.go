package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/fixedpoint"
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
	// Revision is the instant the entries appended record: at, or one
	// nanosecond after the period's previous close when at is not later.
	Revision time.Time
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
	// Attempts counts the tries: more than 1 when another writer appended
	// to the period's stream first.
	Attempts int
}

// Close closes period id at instant at: it sums the period's volumes from
// the ledger's volume entries posted by at, computes the close with the
// ledger's Calculator (which must be a Closer) over the genealogy as known
// at at, and appends to the period's stream (PeriodStream) its awards,
// carries and a close record — exactly once: closing again when nothing
// changed appends nothing (Duplicate); closing again after late refunds or
// a corrected genealogy appends only the corrections of the awards' and
// carries' slots, effective at at, with the same semantics as an order's
// corrections. A period is closed no earlier than its end plus the plan's
// grace (ErrPeriodOpen).
//
// A close reads what the previous period's close carried forward, so
// closing a period again changes what the next one starts from: close the
// next one again too.
func (l *Ledger) Close(ctx context.Context, period string, at time.Time) (CloseResult, error) {
	res := CloseResult{}
	closer, per, plan, err := l.closer(period)
	if err != nil {
		return res, err
	}
	res.Period = per
	if open := per.To.Add(plan.Period.Grace); at.Before(open) {
		return res, fmt.Errorf("%w: period %s closes from %s (its end plus %s grace), not at %s", ErrPeriodOpen, period,
			open.UTC().Format(time.RFC3339), plan.Period.Grace, at.UTC().Format(time.RFC3339))
	}
	at = at.UTC()
	stream := PeriodStream(plan.ID, per.ID)
	for res.Attempts < l.attempts {
		res.Attempts++
		closing, err := l.compute(ctx, closer, plan, per, at)
		if err != nil {
			return res, err
		}
		res.Closing, res.RankChanges = closing, closing.RankChanges
		entries, version, err := l.store.Stream(ctx, stream)
		if err != nil {
			return res, err
		}
		add, rev, err := closeEntries(entries, closing, at)
		if err != nil {
			return res, err
		}
		res.Revision = rev
		if len(add) == 0 {
			res.Outcome = Duplicate
			return res, nil
		}
		switch err := l.store.Append(ctx, stream, version, add); {
		case errors.Is(err, ErrVersionConflict):
			continue
		case err != nil:
			return res, err
		}
		res.Outcome, res.Entries = Posted, add
		return res, nil
	}
	return res, fmt.Errorf("%w: period %s after %d attempts", ErrContention, period, res.Attempts)
}

// Preview computes the close of period id as Close would at instant at,
// at any time (an open period included), and posts nothing.
func (l *Ledger) Preview(ctx context.Context, period string, at time.Time) (*commission.Closing, error) {
	closer, per, plan, err := l.closer(period)
	if err != nil {
		return nil, err
	}
	return l.compute(ctx, closer, plan, per, at.UTC())
}

func (l *Ledger) closer(period string) (Closer, commission.Period, *commission.Plan, error) {
	closer, ok := l.calc.(Closer)
	if !ok {
		return nil, commission.Period{}, nil, ErrNoCloser
	}
	per, plan, err := closer.Period(period)
	return closer, per, plan, err
}

// compute sums the period's volumes and the previous period's carries and
// computes the close.
func (l *Ledger) compute(ctx context.Context, closer Closer, plan *commission.Plan, per commission.Period, at time.Time) (*commission.Closing, error) {
	vols, err := l.periodVolumes(ctx, plan.Period, per, at)
	if err != nil {
		return nil, err
	}
	prev := plan.Period.At(per.From.Add(-time.Nanosecond))
	entries, _, err := l.store.Stream(ctx, PeriodStream(plan.ID, prev.ID))
	if err != nil {
		return nil, err
	}
	return closer.ClosePeriod(&commission.PeriodInput{Period: per, Known: at, Volumes: vols, Carried: carried(entries)})
}

// volumeSum adds a member's volumes — PV, QV, CV and the PV of its
// retail customers' orders — in fixed point, and in decimals once a
// volume does not fit.
type volumeSum struct {
	f   [4]int64 // 10^-volumeScale
	d   [4]decimal.Decimal
	dec bool
}

const volumeScale = 6

// volumeFixed returns d at volumeScale, and whether it fits.
func volumeFixed(d decimal.Decimal) (int64, bool) {
	x, sc, ok := fixedpoint.FromDecimal(d)
	if ok {
		x, ok = fixedpoint.Rescale(x, sc, volumeScale)
	}
	return x, ok
}

func (s *volumeSum) add(v *Volume) {
	var x [4]int64
	ok := !s.dec
	for i, d := range [3]decimal.Decimal{v.PV, v.QV, v.CV} {
		if ok {
			x[i], ok = volumeFixed(d)
		}
	}
	if v.Customer != "" {
		x[3] = x[0]
	}
	if !ok || !s.addFixed(&x) {
		s.addDecimals(v.PV, v.QV, v.CV, v.Customer != "")
	}
}

// addFixed adds x (PV, QV, CV, customers' PV at volumeScale) and reports
// whether it did: not once s is in decimals, nor when a sum would
// overflow.
func (s *volumeSum) addFixed(x *[4]int64) bool {
	if s.dec {
		return false
	}
	for i, v := range x {
		if (s.f[i] > 0 && v > 0 && s.f[i]+v < 0) || (s.f[i] < 0 && v < 0 && s.f[i]+v >= 0) {
			return false
		}
	}
	for i, v := range x {
		s.f[i] += v
	}
	return true
}

// addDecimals adds a line's volumes in decimals, from now on.
func (s *volumeSum) addDecimals(pv, qv, cv decimal.Decimal, customer bool) {
	if !s.dec {
		s.dec = true
		for i := range s.d {
			s.d[i] = decimal.New(s.f[i], -volumeScale)
		}
	}
	for i, d := range [3]decimal.Decimal{pv, qv, cv} {
		s.d[i] = s.d[i].Add(d)
	}
	if customer {
		s.d[3] = s.d[3].Add(pv)
	}
}

// volume returns the sums as member's PersonalVolume.
func (s *volumeSum) volume(member string) commission.PersonalVolume {
	d := s.d
	if !s.dec {
		for i, f := range s.f {
			d[i] = decimal.New(f, -volumeScale)
		}
	}
	return commission.PersonalVolume{Member: member, PV: d[0], QV: d[1], CV: d[2], CustomerPV: d[3]}
}

// periodVolumes sums the volume entries of period per posted by at, per
// member (see Volumer): Volumer.Volumes, or the same sums made from Scan.
func (l *Ledger) periodVolumes(ctx context.Context, pp *commission.PeriodPlan, per commission.Period, at time.Time) ([]commission.PersonalVolume, error) {
	p := Period{From: per.From, To: per.To}
	if v, ok := l.store.(Volumer); ok {
		return v.Volumes(ctx, p, at, pp.Refunds)
	}
	f, byPlaced := volumeFilter(p, at, pp.Refunds)
	sums := make(map[string]*volumeSum)
	var order []string
	var last *volumeSum
	var lastMember string
	err := l.store.Scan(ctx, f, func(e *Entry) error {
		if e.Volume == nil || byPlaced && !placedIn(e, p) {
			return nil
		}
		// An order's lines are entries in a row: look its member up once.
		if last == nil || e.Member != lastMember {
			last = sums[e.Member]
			if last == nil {
				last = &volumeSum{}
				sums[e.Member] = last
				order = append(order, e.Member)
			}
			lastMember = e.Member
		}
		last.add(e.Volume)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(order)
	out := make([]commission.PersonalVolume, len(order))
	for i, m := range order {
		out[i] = sums[m].volume(m)
	}
	return out, nil
}

// volumeFilter returns the Filter of the volume entries that count in
// period per posted by at, and whether they count only when placed in
// per too (placedIn): refunds in the order's period are read from the
// period's start on.
func volumeFilter(per Period, at time.Time, refunds commission.RefundPeriod) (Filter, bool) {
	f := Filter{Types: []Type{TypeVolume}, From: per.From, To: per.To, PostedBy: at}
	byPlaced := refunds == commission.RefundsInOrderPeriod
	if byPlaced {
		f.To = time.Time{}
	}
	return f, byPlaced
}

// placedIn reports whether e's order was placed in per: Placed, or
// Effective when Placed is zero.
func placedIn(e *Entry, per Period) bool {
	placed := e.Placed
	if placed.IsZero() {
		placed = e.Effective
	}
	return per.Contains(placed)
}

// carried sums a period stream's carry entries per rule, member and leg.
func carried(entries []Entry) []commission.Carry {
	type key struct {
		rule, member string
		leg          hierarchy.Leg
	}
	sums := make(map[key]decimal.Decimal)
	for i := range entries {
		if c := entries[i].Carry; entries[i].Type == TypeCarry && c != nil {
			k := key{c.Rule, c.Member, c.Leg}
			sums[k] = sums[k].Add(c.Volume)
		}
	}
	var out []commission.Carry
	for k, v := range sums {
		if !v.IsZero() {
			out = append(out, commission.Carry{Rule: k.rule, Member: k.member, Leg: k.leg, Volume: v})
		}
	}
	slices.SortFunc(out, func(a, b commission.Carry) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Member, b.Member), cmp.Compare(a.Leg, b.Leg))
	})
	return out
}

// closeEntries returns the entries that bring a period's stream to what
// closing computes, and the revision instant they record: nothing when
// the stream holds it already.
func closeEntries(posted []Entry, closing *commission.Closing, at time.Time) (add []Entry, rev time.Time, err error) {
	var awards []commission.Award
	var last time.Time
	closed := false
	type ckey struct {
		rule, member string
		leg          hierarchy.Leg
	}
	have := make(map[ckey]decimal.Decimal)
	for i := range posted {
		e := &posted[i]
		if e.Revision.After(last) {
			last = e.Revision
		}
		switch e.Type {
		case TypeAward:
			if e.Award == nil {
				return nil, rev, fmt.Errorf("%w: award entry %s of %s holds no award: the store does not keep awards", ErrInvalidEntry, e.ID, e.Stream)
			}
			awards = append(awards, *e.Award)
		case TypeCarry:
			if e.Carry == nil {
				return nil, rev, fmt.Errorf("%w: carry entry %s of %s holds no carry: the store does not keep carries", ErrInvalidEntry, e.ID, e.Stream)
			}
			k := ckey{e.Carry.Rule, e.Carry.Member, e.Carry.Leg}
			have[k] = have[k].Add(e.Carry.Volume)
		case TypeClose:
			closed = true
		}
	}
	rev = nextRevision(last, at)
	corr := closing.Corrections(awards, rev)
	add = make([]Entry, 0, len(corr)+len(closing.Carry)+1)
	for i := range corr {
		a := &corr[i]
		add = append(add, Entry{ID: a.ID.String(), Type: TypeAward, Member: a.Beneficiary, Currency: a.Currency, Amount: a.Amount(),
			Effective: a.Effective.UTC(), Posted: at, Revision: rev, Rule: a.Rule, Award: a})
	}
	stream := PeriodStream(closing.PlanID, closing.Period.ID)
	carry := func(c commission.Carry, diff decimal.Decimal) {
		c.Volume = diff
		add = append(add, Entry{ID: "carry " + stream + " " + rev.Format(time.RFC3339Nano) + " " + strconv.Quote(c.Rule) + " " +
			strconv.Quote(c.Member) + " " + strconv.Itoa(int(c.Leg)), Type: TypeCarry, Member: c.Member, Effective: closing.Period.To,
			Posted: at, Revision: rev, Rule: c.Rule, Carry: &c})
	}
	want := make(map[ckey]bool, len(closing.Carry))
	for _, c := range closing.Carry {
		k := ckey{c.Rule, c.Member, c.Leg}
		want[k] = true
		if d := c.Volume.Sub(have[k]); !d.IsZero() {
			carry(c, d)
		}
	}
	var gone []ckey
	for k, v := range have {
		if !want[k] && !v.IsZero() {
			gone = append(gone, k)
		}
	}
	slices.SortFunc(gone, func(a, b ckey) int {
		return cmp.Or(cmp.Compare(a.rule, b.rule), cmp.Compare(a.member, b.member), cmp.Compare(a.leg, b.leg))
	})
	for _, k := range gone {
		carry(commission.Carry{Rule: k.rule, Member: k.member, Leg: k.leg}, have[k].Neg())
	}
	if len(add) == 0 && closed {
		return nil, rev, nil
	}
	rec := &Close{Plan: closing.PlanID, Version: closing.PlanVersion, Period: closing.Period.ID, From: closing.Period.From,
		To: closing.Period.To, Known: closing.Known}
	add = append(add, Entry{ID: "close " + stream + " " + rev.Format(time.RFC3339Nano), Type: TypeClose,
		Effective: closing.Period.To, Posted: at, Revision: rev, Close: rec})
	return add, rev, nil
}

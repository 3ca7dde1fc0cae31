package commission

import (
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// PeriodLength is how long a plan's periods are.
type PeriodLength uint8

const (
	// Monthly periods are calendar months in the plan's time zone; their
	// ids are "2026-11".
	Monthly PeriodLength = iota + 1
	// Weekly periods are weeks starting on the plan's WeekStart in its
	// time zone; their ids are the start date, "2026-11-16".
	Weekly
)

// RefundPeriod says which period a refund reduces volume in.
type RefundPeriod uint8

const (
	// RefundsInOrderPeriod: a refund (any correction of an order's
	// volumes) reduces the volume of the period the order was placed in.
	// The default.
	RefundsInOrderPeriod RefundPeriod = iota
	// RefundsInRefundPeriod: a refund reduces the volume of the period it
	// is effective in.
	RefundsInRefundPeriod
)

// GroupTree says which tree group volumes roll up over.
type GroupTree uint8

const (
	// EnrollmentTree rolls volume up the sponsor (enroller) tree. The
	// default.
	EnrollmentTree GroupTree = iota
	// PlacementTree rolls volume up the placement tree; members not
	// placed roll up to no one.
	PlacementTree
)

// PeriodPlan is the period part of a plan: how time is cut into periods,
// what counts as a period's volume, how ranks qualify and which period
// rules (bonuses) a close applies. A Plan without one cannot be closed.
type PeriodPlan struct {
	Length PeriodLength
	// Zone is the time zone period boundaries fall in; ZoneName its IANA
	// name as the plan wrote it ("America/New_York").
	Zone     *time.Location
	ZoneName string
	// WeekStart is the first day of a Weekly period.
	WeekStart time.Weekday
	// Cutoff shifts each boundary from local midnight: a month with a
	// Cutoff of 6h runs from 06:00 on its first day to 06:00 on the next
	// month's first day, local time. From 0 to 24h.
	Cutoff time.Duration
	// Grace is how long after a period's end a close waits for late
	// deliveries: Ledger.Close refuses a period before End + Grace
	// (ErrPeriodOpen); a preview may run any time.
	Grace time.Duration
	// Refunds says which period a refund reduces volume in.
	Refunds RefundPeriod
	// Tree is the tree group volume (GV, OGV, legs) rolls up over.
	Tree GroupTree
	// GroupBasis is the volume GV, OGV and legs sum: BasisPV, BasisQV
	// (the default) or BasisCV.
	GroupBasis Basis
	// Breakaway, when not zero, is the rank at which a member's group
	// breaks away: a child paid as Breakaway or above adds nothing to its
	// parent's GV (it still adds to OGV).
	Breakaway hierarchy.Rank
	// ActivePV is the personal volume (PV) a member with status active
	// needs in the period to count as active in it; zero: status alone.
	ActivePV decimal.Decimal
	// PVExcludesCustomers leaves the orders of a member's retail
	// customers out of its PV — so out of ActivePV, the ranks' PV and
	// every rule's "pv" basis of the member — while they still count in
	// its QV and CV and in GV and OGV. False (the default) counts them in
	// PV too. JSON "pv_excludes_customers".
	PVExcludesCustomers bool
	// Currency is the currency period awards are paid in ("USD").
	Currency string
	// Ranks are the ranks a member may qualify for, by ascending Rank.
	// A member qualifies for the highest one whose requirements it meets;
	// none met: rank 0.
	Ranks []RankRequirement
	// Rules are the period rules (bonuses), applied in this order after
	// volumes and ranks are known; names are unique within the plan.
	Rules []PeriodRule
}

// RankRequirement is what a member needs in a period to be paid as Rank.
// Zero fields require nothing.
type RankRequirement struct {
	Rank hierarchy.Rank
	// PV is the minimum personal volume.
	PV decimal.Decimal
	// GV is the minimum group volume: own PV plus the legs' volume, each
	// leg counted at most MaxLegShare × GV. OGV is the same over the
	// whole organization without a leg cap.
	GV, OGV decimal.Decimal
	// MaxLegShare caps what any one leg counts toward GV at this share of
	// the requirement GV (0.5: "no more than 50% from one leg"); zero:
	// no cap. With CapOwn, one's own PV is capped the same way.
	MaxLegShare decimal.Decimal
	CapOwn      bool
	// Legs are counts of legs holding a member of at least a rank
	// anywhere in the leg: {Count: 2, Rank: 3} is "two legs with a
	// rank 3 or above".
	Legs []LegRequirement
	// Enrolled is the number of personally enrolled members active in
	// the period.
	Enrolled int
	// Active requires the member itself to be active in the period.
	Active bool
}

// LegRequirement is a number of legs holding a member of rank ≥ Rank,
// paid as this period.
type LegRequirement struct {
	Count int
	Rank  hierarchy.Rank
}

// Period is one period of a plan: the half-open interval [From, To) of
// effective instants, and its id ("2026-11", "2026-11-16"), which names
// the ledger stream its close posts to.
type Period struct {
	ID       string
	From, To time.Time
}

// Contains reports whether t is in [From, To).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// ErrPeriod is wrapped by the errors of period ids and period closes.
var ErrPeriod = fmt.Errorf("commission: period")

// At returns the period instant t falls in.
func (pp *PeriodPlan) At(t time.Time) Period {
	loc := pp.location()
	l := t.In(loc).Add(-pp.Cutoff)
	var from time.Time
	switch pp.Length {
	case Weekly:
		d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		back := (int(d.Weekday()) - int(pp.WeekStart) + 7) % 7
		from = d.AddDate(0, 0, -back)
	default:
		from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	}
	return pp.period(from)
}

// period returns the period starting at local midnight from.
func (pp *PeriodPlan) period(from time.Time) Period {
	var to time.Time
	var id string
	switch pp.Length {
	case Weekly:
		to = from.AddDate(0, 0, 7)
		id = from.Format("2006-01-02")
	default:
		to = from.AddDate(0, 1, 0)
		id = from.Format("2006-01")
	}
	return Period{ID: id, From: from.Add(pp.Cutoff).UTC(), To: to.Add(pp.Cutoff).UTC()}
}

// Period returns the period with id: "2026-11" for a Monthly plan, the
// start date "2026-11-16" (which must be a WeekStart) for a Weekly one.
// Errors wrap ErrPeriod.
func (pp *PeriodPlan) Period(id string) (Period, error) {
	loc := pp.location()
	layout := "2006-01"
	if pp.Length == Weekly {
		layout = "2006-01-02"
	}
	d, err := time.ParseInLocation(layout, id, loc)
	if err != nil || d.Format(layout) != id {
		return Period{}, fmt.Errorf("%w: id %q: want %s", ErrPeriod, id, periodIDForm(pp.Length))
	}
	if pp.Length == Weekly && d.Weekday() != pp.WeekStart {
		return Period{}, fmt.Errorf("%w: id %q is a %s; weeks start on %s", ErrPeriod, id, d.Weekday(), pp.WeekStart)
	}
	return pp.period(d), nil
}

func periodIDForm(l PeriodLength) string {
	if l == Weekly {
		return "the week's first day as YYYY-MM-DD"
	}
	return "a month as YYYY-MM"
}

func (pp *PeriodPlan) location() *time.Location {
	if pp.Zone == nil {
		return time.UTC
	}
	return pp.Zone
}

// String returns the length's plan name: "month" or "week".
func (l PeriodLength) String() string {
	switch l {
	case Monthly:
		return "month"
	case Weekly:
		return "week"
	}
	return "length(" + strconv.Itoa(int(l)) + ")"
}

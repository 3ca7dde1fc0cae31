package commission

import (
	"fmt"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// PeriodInput is what a close computes from: the period, the genealogy's
// knowledge instant, every member's own volumes in the period as the
// ledger holds them, and what the previous period's close carried forward.
type PeriodInput struct {
	Period Period
	// Known is the recording instant up to which the genealogy is known;
	// the close reads Genealogy.SnapshotAsOf(Period.To - 1ns, Known). It
	// is also the instant the rank changes are recorded at.
	Known time.Time
	// Volumes are the members' own volumes; a member may appear more
	// than once (the figures add up), and members without volume need
	// not appear.
	Volumes []PersonalVolume
	// Carried is what the previous period's close carried forward
	// (Closing.Carry of that close).
	Carried []Carry
}

// PersonalVolume is volume credited to a member: its own orders' and its
// retail customers' PV, QV and CV.
type PersonalVolume struct {
	Member     string
	PV, QV, CV decimal.Decimal
	// CustomerPV is the part of PV from the member's retail customers'
	// orders: a plan with PeriodPlan.PVExcludesCustomers leaves it out
	// of the member's PV (not of its group's volumes).
	CustomerPV decimal.Decimal
}

// Carry is what a period rule carries forward from one period to the next
// for a member, on a leg (0 for a figure per member): a binary's unpaired
// volume, say.
type Carry struct {
	Rule   string
	Member string
	Leg    hierarchy.Leg
	Volume decimal.Decimal
}

// Closing is the outcome of closing a period: each member's volumes and
// ranks, the awards the period rules pay, what they carry forward, and the
// rank changes the genealogy lacks. It is a pure computation; the ledger
// posts it (ledger.Ledger.Close).
type Closing struct {
	Period      Period
	PlanID      string
	PlanVersion int
	Known       time.Time
	// Awards are the desired awards, ordered by rule (plan order), then
	// beneficiary, level and source, members in the genealogy's order
	// (hierarchy.Member: the order enrollments were recorded).
	Awards []Award
	// Carry is what the period rules carry forward, ordered by rule,
	// member id, then leg; zero carries are left out.
	Carry []Carry
	// RankChanges are the OpRank changes the close's ranks need and the
	// genealogy (as known at Known) lacks: effective at Period.To,
	// recorded at Known, by member id. Recording them
	// (hierarchy.Genealogy.Record) is idempotent across closes: a close
	// after they are recorded returns none.
	RankChanges []hierarchy.Change

	pc *PeriodContext
}

// Award is one immutable period event: what one period rule pays one
// beneficiary for one source and level in one period, or a correction of
// it. Basis, Rate and Amount are held in exact fixed point and read with
// the methods of the same names.
type Award struct {
	ID ulid.ULID
	// Plan and Period are the plan id and the period id.
	Plan   string
	Period string
	Rule   string
	// Beneficiary is who earns; Source the member whose volume or
	// earnings the award is paid on ("" for a pool share).
	Beneficiary, Source string
	// Level is Source's level below Beneficiary (0: its own, or none);
	// PaidLevel the level paid as, after compression.
	Level, PaidLevel int
	Kind             Kind
	Currency         string
	// Effective is the period's start for an award, the re-close's
	// instant for a correction.
	Effective time.Time
	// Corrects is the id of the slot's original award, for a correction.
	Corrects ulid.ULID
	// Figures explain the award beyond the beneficiary's report (a
	// binary's legs and carry, a pool's shares).
	Figures []Figure

	// report is the beneficiary's report, built when first asked for
	// (Snapshot) and shared by the beneficiary's awards in one close.
	report *reportRef

	basisV     int64
	basisScale int8
	digits     int8
	rate       int64 // 10^-9
	amount     int64 // minor units
}

// Basis returns what the rate was applied to.
func (a *Award) Basis() decimal.Decimal { return decimal.New(a.basisV, -int32(a.basisScale)) }

// Rate returns the rate applied.
func (a *Award) Rate() decimal.Decimal { return decimal.New(a.rate, -rateDigits) }

// Amount returns the amount, with the currency's minor digits.
func (a *Award) Amount() decimal.Decimal { return decimal.New(a.amount, -int32(a.digits)) }

// AmountMinor returns the amount in the currency's minor unit.
func (a *Award) AmountMinor() int64 { return a.amount }

// Snapshot returns the award's calc_snapshot: the beneficiary's report
// for the period (the volumes used, the legs with their capped
// contributions, the rank trace), shared by the awards of one beneficiary
// in one close. A close builds it when first asked for, so a close costs
// explanations only for what is read or stored; nil for an award that
// carries none.
func (a *Award) Snapshot() *MemberReport {
	if a.report == nil {
		return nil
	}
	return a.report.get()
}

// WithSnapshot returns a with r as its calc_snapshot: for a store that
// reads awards back.
func (a Award) WithSnapshot(r *MemberReport) Award {
	a.report = &reportRef{r: r}
	a.report.once.Do(func() {})
	return a
}

// reportRef is a member's report in a close, built once on demand.
type reportRef struct {
	once sync.Once
	pc   *PeriodContext
	m    int32
	r    *MemberReport
}

func (r *reportRef) get() *MemberReport {
	r.once.Do(func() { r.r = r.pc.report(r.m) })
	return r.r
}

// AwardSlot is what an award pays for. An award and every correction of it
// share a slot, and their amounts sum to what the slot pays now.
type AwardSlot struct {
	Plan, Period, Rule, Beneficiary, Source string
	Level                                   int
}

// slotKey is the award's slot, as corrections compare it.
func (a *Award) slotKey() AwardSlot { return a.Slot() }

// Slot returns the award's slot.
func (a *Award) Slot() AwardSlot {
	return AwardSlot{Plan: a.Plan, Period: a.Period, Rule: a.Rule, Beneficiary: a.Beneficiary, Source: a.Source, Level: a.Level}
}

// MemberReport is one member's figures in a closed period: its volumes,
// its legs and what each counts toward its rank, the rank reached, and
// for the rank above, exactly which requirements failed and by how much.
// It is the rank report, and the calc_snapshot of the member's awards.
type MemberReport struct {
	PlanID      string
	PlanVersion int
	Period      Period
	Known       time.Time
	Member      string
	Volumes     Volumes
	// Ranks are the paid-as rank the period qualified and the highest rank
	// after it; Previous the ranks in force at the period's end before the
	// close.
	Ranks, Previous hierarchy.Ranks
	// RankName names Ranks.PaidAs, when the plan names it.
	RankName string
	// Legs are the member's legs in the group tree, with what each counts
	// toward the rank reached (capped by its leg share).
	Legs []LegReport
	// Trace lists the ranks tried, from the highest down to the one
	// reached, each with what failed (walking down past a rank a leg cap
	// blocks).
	Trace []RankTry
	// Next explains the rank above the one reached; nil at the top.
	Next *RankTry

	once sync.Once
	json []byte
	err  error
}

// LegReport is one leg of a member: its root member, the leg's volume,
// what it counts toward a requirement after the leg cap, and the highest
// paid-as rank anywhere in it.
type LegReport struct {
	Member  string
	Volume  decimal.Decimal
	Counted decimal.Decimal
	Rank    hierarchy.Rank
}

// RankTry is one rank tested for a member: whether it was met, and each
// requirement that failed.
type RankTry struct {
	Rank   hierarchy.Rank
	Name   string
	Met    bool
	Failed []Shortfall
}

// Shortfall is one requirement a member did not meet: what it has against
// what it needs, and for a group volume, the legs the cap held back.
type Shortfall struct {
	// Requirement is "pv", "gv", "ogv", "legs", "enrolled" or "active".
	Requirement string
	Have, Need  decimal.Decimal
	// Rank is the rank the legs of a "legs" requirement must hold.
	Rank hierarchy.Rank
	// Capped are the legs (and "" for own volume) counted less than
	// their volume.
	Capped []LegReport
}

// Report returns member's report, or false when it takes no part in the
// close.
func (c *Closing) Report(member string) (*MemberReport, bool) {
	if c.pc == nil {
		return nil, false
	}
	m, ok := c.pc.Lookup(member)
	if !ok {
		return nil, false
	}
	return c.pc.report(int32(m)), true
}

// Members returns the ids of the members taking part, children before
// parents in the group tree.
func (c *Closing) Members() []string {
	if c.pc == nil {
		return nil
	}
	out := make([]string, len(c.pc.st.order))
	for i, m := range c.pc.st.order {
		out[i] = c.pc.tree.ID(hierarchy.Member(m))
	}
	return out
}

// Period returns the period with id and the plan version that closes it:
// the newest version with a period whose start is at or after the
// version's EffectiveFrom (else the oldest with a period). Errors wrap
// ErrPeriod.
func (e *Engine) Period(id string) (Period, *Plan, error) {
	return e.period(func(pp *PeriodPlan) (Period, error) { return pp.Period(id) })
}

// PeriodAt returns the period instant t falls in and the plan version
// that closes it, chosen as Period chooses. Errors wrap ErrPeriod.
func (e *Engine) PeriodAt(t time.Time) (Period, *Plan, error) {
	return e.period(func(pp *PeriodPlan) (Period, error) { return pp.At(t), nil })
}

// period returns the period of the newest plan version with a period
// whose period (as of finds it) starts at or after its EffectiveFrom, else
// the oldest version's.
func (e *Engine) period(of func(*PeriodPlan) (Period, error)) (Period, *Plan, error) {
	var oldest *Plan
	for i := len(e.plans) - 1; i >= 0; i-- {
		p := e.plans[i].Plan
		if p.Period == nil {
			continue
		}
		oldest = p
		per, err := of(p.Period)
		if err != nil {
			return Period{}, nil, err
		}
		if !per.From.Before(p.EffectiveFrom) {
			return per, p, nil
		}
	}
	if oldest == nil {
		return Period{}, nil, fmt.Errorf("%w: plan %q declares no period", ErrPeriod, e.plans[0].ID)
	}
	per, err := of(oldest.Period)
	return per, oldest, err
}

// ClosePeriod computes the close of in.Period: volumes rolled up the
// plan's group tree, ranks qualified, period rules applied, awards with
// their reports, carries and the rank changes the genealogy lacks. It
// posts nothing and reads no clock.
func (e *Engine) ClosePeriod(in *PeriodInput) (*Closing, error) {
	_, plan, err := e.Period(in.Period.ID)
	if err != nil {
		return nil, err
	}
	return closePeriod(plan, e.tree, in)
}

package commission

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// PeriodRule is one period rule of a plan: a bonus decided at period close
// from the period's volumes and ranks. The built-in period rules implement
// it too. ApplyPeriod reads members, volumes, legs, ranks and carried state
// through the PeriodContext and pays with PeriodContext.Pay; the close
// rounds, identifies and explains every award the same way whichever rule
// made it. ApplyPeriod must be deterministic.
type PeriodRule interface {
	// Name is the rule's name in the plan, unique among its rules and
	// period rules; awards record it.
	Name() string
	ApplyPeriod(c *PeriodContext) error
}

// PeriodRuleFactory builds a custom period rule from its JSON object in a
// plan's "period"."rules" (the whole object, "type" and "name" included).
type PeriodRuleFactory func(name string, body json.RawMessage) (PeriodRule, error)

// WithPeriodRuleType lets a plan's period use rules of a custom type, built
// by f. A custom type may not reuse a built-in type's name.
func WithPeriodRuleType(typ string, f PeriodRuleFactory) LoadOption {
	return func(c *loadConfig) {
		if c.periodTypes == nil {
			c.periodTypes = make(map[string]PeriodRuleFactory)
		}
		c.periodTypes[typ] = f
	}
}

// periodRuleType is a built-in period rule type: how to read it from its
// JSON object and the fields that object accepts besides "type" and
// "name".
type periodRuleType struct {
	read   func(name string, o *object, pp *PeriodPlan, rs rates) (PeriodRule, error)
	fields []string
}

// periodRuleFields are the fields every built-in period rule accepts.
var periodRuleFields = []string{"type", "name", "allow_rates_above_one"}

// PeriodPayout is one amount a period rule pays: Basis × Rate to
// Beneficiary. Source is the member whose volume or earnings it is paid
// on (hierarchy.None for a pool share); Level is Source's level below the
// beneficiary (0 for one's own volume or a pool), PaidLevel the level paid
// as after compression. Figures explain the award beyond the beneficiary's
// volumes and ranks (a binary's legs and carry, a pool's shares); they go
// into the award as given.
type PeriodPayout struct {
	Beneficiary      hierarchy.Member
	Source           hierarchy.Member
	Level, PaidLevel int
	Basis, Rate      decimal.Decimal
	Figures          []Figure
}

// Figure is one named number an award's explanation shows: "left" 1200,
// "carried_left" 300, "shares" 3.
type Figure struct {
	Name  string
	Value decimal.Decimal
}

// PeriodContext is what a period rule sees while a period closes: every
// member of the genealogy at the period's end (by hierarchy.Member index)
// with its period volumes, legs, activity and the ranks the close
// qualified, what rules before it paid, the state carried from the
// previous period, and Pay and Carry to record what the rule pays and
// carries forward. It is valid only during PeriodRule.ApplyPeriod.
//
// Members are the genealogy's indexes 0 .. Len()-1; In says which of them
// take part (distributors enrolled by the period's end). Volumes are exact
// decimals at the API; built-in rules read the same figures in fixed point
// from the unexported fields.
type PeriodContext struct {
	plan   *Plan
	pp     *PeriodPlan
	period Period
	snap   hierarchy.Snapshot
	known  time.Time
	tree   *hierarchy.Genealogy
	digits int32 // the award currency's minor digits
	rule   int   // index of the rule applying, in pp.Rules

	st *periodState
}

// periodState is a close's figures, flat arrays indexed by member (the
// genealogy's hierarchy.Member index). Volumes are in units of
// 10^-volScale, amounts in the award currency's minor unit. Built-in
// period rules read these directly; custom rules use PeriodContext's
// methods.
type periodState struct {
	n int
	// in marks members that take part: distributors enrolled by the
	// period's end. Retail customers' orders are credited to their
	// sponsor, so they hold no volume of their own.
	in []bool
	// up is the parent in the group tree (the plan's Tree), -1 for none;
	// sponsor and parent/leg are the sponsor and placement trees.
	up      []int32
	sponsor []int32
	parent  []int32
	leg     []hierarchy.Leg
	// kids[kidStart[m]:kidStart[m+1]] are m's children in the group tree,
	// ascending: its legs.
	kidStart []int32
	kids     []int32
	// order lists the members that take part, children before parents.
	order  []int32
	status []hierarchy.Status
	active []bool
	// pv, qv, cv are own volumes; own is the plan's GroupBasis of them.
	pv, qv, cv, own []int64
	// ogv is own plus the whole downline in the group tree; gv the same,
	// but a child paid as Breakaway or above adds nothing (gv == ogv
	// without a breakaway rank).
	gv, ogv []int64
	// enrolled counts personally enrolled members active in the period.
	enrolled []int32
	// rank is the paid-as rank this period qualified; highest the
	// highest rank ever, after the period; prev the ranks in force at the
	// period's end before the close; legRank the highest paid-as rank in
	// the subtree rooted at the member, itself included.
	rank, highest, legRank []hierarchy.Rank
	prev                   []hierarchy.Ranks
	// earned is what the rules applied so far paid each member.
	earned []int64
	// carryIn is what the previous period's close carried forward, per
	// rule, member and leg; carryOut what this close carries forward.
	carryIn, carryOut map[carryKey]int64

	awards []award

	// breakaway is the plan's Breakaway; ranks its requirements in
	// fixed point.
	breakaway hierarchy.Rank
	ranks     []rankReq
}

type carryKey struct {
	rule   string
	member int32
	leg    hierarchy.Leg
}

// award is an award as a close computes it.
type award struct {
	rule             int32
	ben, src         int32
	level, paidLevel int32
	basis, rate      int64 // volScale, 10^-9
	basisScale       int8
	amount           int64 // minor units
	figures          []Figure
}

// volScale is the decimal places volumes are held with in a close.
const volScale = 6

// Period returns the period closing.
func (c *PeriodContext) Period() Period { return c.period }

// Plan returns the plan version closing the period.
func (c *PeriodContext) Plan() *Plan { return c.plan }

// Len returns the number of member indexes: the genealogy's members.
func (c *PeriodContext) Len() int { return c.st.n }

// In reports whether m takes part in the close: a distributor enrolled by
// the period's end.
func (c *PeriodContext) In(m hierarchy.Member) bool {
	return m >= 0 && int(m) < c.st.n && c.st.in[m]
}

// ID returns m's external id.
func (c *PeriodContext) ID(m hierarchy.Member) string { return c.tree.ID(m) }

// Lookup returns the member with external id.
func (c *PeriodContext) Lookup(id string) (hierarchy.Member, bool) {
	m, ok := c.tree.Lookup(id)
	return m, ok && c.In(m)
}

// Order returns the members that take part, children before parents in
// the group tree, in a new slice.
func (c *PeriodContext) Order() []hierarchy.Member {
	out := make([]hierarchy.Member, len(c.st.order))
	for i, m := range c.st.order {
		out[i] = hierarchy.Member(m)
	}
	return out
}

// Sponsor returns m's sponsor (enroller) at the period's end, or
// hierarchy.None.
func (c *PeriodContext) Sponsor(m hierarchy.Member) hierarchy.Member {
	return hierarchy.Member(c.st.sponsor[m])
}

// Placement returns m's placement parent and leg at the period's end, or
// hierarchy.None.
func (c *PeriodContext) Placement(m hierarchy.Member) (hierarchy.Member, hierarchy.Leg) {
	return hierarchy.Member(c.st.parent[m]), c.st.leg[m]
}

// Up returns m's parent in the plan's group tree, or hierarchy.None.
func (c *PeriodContext) Up(m hierarchy.Member) hierarchy.Member { return hierarchy.Member(c.st.up[m]) }

// Legs returns m's children in the group tree, ascending: the roots of
// its legs, in a new slice.
func (c *PeriodContext) Legs(m hierarchy.Member) []hierarchy.Member {
	ks := c.st.kids[c.st.kidStart[m]:c.st.kidStart[m+1]]
	out := make([]hierarchy.Member, len(ks))
	for i, k := range ks {
		out[i] = hierarchy.Member(k)
	}
	return out
}

// Status returns m's status at the period's end.
func (c *PeriodContext) Status(m hierarchy.Member) hierarchy.Status { return c.st.status[m] }

// Active reports whether m is active in the period: status active at its
// end and PV at least the plan's ActivePV.
func (c *PeriodContext) Active(m hierarchy.Member) bool { return c.st.active[m] }

// Volumes returns m's volumes in the period.
func (c *PeriodContext) Volumes(m hierarchy.Member) Volumes { return c.st.volumes(int32(m)) }

// Ranks returns m's paid-as rank as the close qualified it and its highest
// rank after the period.
func (c *PeriodContext) Ranks(m hierarchy.Member) hierarchy.Ranks {
	return hierarchy.Ranks{PaidAs: c.st.rank[m], Highest: c.st.highest[m]}
}

// LegRank returns the highest paid-as rank anywhere in the leg rooted at
// m, m included.
func (c *PeriodContext) LegRank(m hierarchy.Member) hierarchy.Rank { return c.st.legRank[m] }

// Earned returns what the period rules applied before this one paid m in
// this close.
func (c *PeriodContext) Earned(m hierarchy.Member) decimal.Decimal {
	return decimal.New(c.st.earned[m], -c.digits)
}

// Carried returns what this rule's previous-period close carried forward
// for m on leg (0 for a rule that carries one figure per member).
func (c *PeriodContext) Carried(m hierarchy.Member, leg hierarchy.Leg) decimal.Decimal {
	return decimal.New(c.st.carryIn[carryKey{c.ruleName(), int32(m), leg}], -volScale)
}

// Carry records what this rule carries forward to the next period for m
// on leg: the next close's Carried returns it. Zero carries nothing.
func (c *PeriodContext) Carry(m hierarchy.Member, leg hierarchy.Leg, v decimal.Decimal) error {
	f, ok := volumeFixed(v)
	if !ok {
		return &Error{Rule: c.ruleName(), Why: "carry " + v.String() + " needs more than 6 decimal places or is out of range", Err: ErrInvalid}
	}
	c.st.setCarry(carryKey{c.ruleName(), int32(m), leg}, f)
	return nil
}

// Pay records an award: p.Basis × p.Rate, rounded once to the award
// currency's minor unit with the plan's rounding. An amount that rounds to
// zero makes no award.
func (c *PeriodContext) Pay(p PeriodPayout) error {
	if !c.In(p.Beneficiary) {
		return &Error{Rule: c.ruleName(), Why: "pays a member that takes no part in the close", Err: ErrInvalid}
	}
	b, ok := toFixed(p.Basis)
	r, rok := parseRate(p.Rate.String())
	if !ok || !rok {
		return &Error{Rule: c.ruleName(), Why: "basis " + p.Basis.String() + " or rate " + p.Rate.String() + " out of range", Err: ErrInvalid}
	}
	return c.pay(int32(p.Beneficiary), int32(p.Source), p.Level, p.PaidLevel, b, r, p.Figures)
}

func (c *PeriodContext) ruleName() string { return c.pp.Rules[c.rule].Name() }

// Volumes are one member's figures in a period. PV, QV and CV are its own
// orders' (and its retail customers'); GV, OGV and the legs sum the plan's
// GroupBasis.
type Volumes struct {
	PV, QV, CV decimal.Decimal
	// Own is the GroupBasis of the member's own volumes.
	Own decimal.Decimal
	// GV is Own plus the group below, stopping at members paid as the
	// plan's Breakaway rank or above (OGV without one).
	GV decimal.Decimal
	// OGV is Own plus the whole downline in the group tree.
	OGV decimal.Decimal
	// Enrolled counts personally enrolled members active in the period.
	Enrolled int
	// Active says the member is active in the period.
	Active bool
}

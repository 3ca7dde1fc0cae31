package commission

import (
	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/fixedpoint"
)

// volumeFixed returns v in units of 10^-volScale, when exact.
func volumeFixed(v decimal.Decimal) (int64, bool) {
	f, s, ok := fixedpoint.FromDecimal(v)
	if !ok || s > volScale {
		return 0, false
	}
	return fixedpoint.Rescale(f, s, volScale)
}

func volumeDecimal(v int64) decimal.Decimal { return decimal.New(v, -volScale) }

func (st *periodState) volumes(m int32) Volumes {
	return Volumes{PV: volumeDecimal(st.pv[m]), QV: volumeDecimal(st.qv[m]), CV: volumeDecimal(st.cv[m]),
		Own: volumeDecimal(st.own[m]), GV: volumeDecimal(st.gv[m]), OGV: volumeDecimal(st.ogv[m]),
		Enrolled: int(st.enrolled[m]), Active: st.active[m]}
}

func (st *periodState) setCarry(k carryKey, v int64) {
	if st.carryOut == nil {
		st.carryOut = make(map[carryKey]int64)
	}
	if v == 0 {
		delete(st.carryOut, k)
		return
	}
	st.carryOut[k] = v
}

// pay records an award of basis × rate (10^-9) to ben.
func (c *PeriodContext) pay(ben, src int32, level, paidLevel int, basis fixed, rate int64, figures []Figure) error {
	amt, ok := mulRound(basis, rate, c.digits, c.plan.Rounding)
	if !ok {
		return &Error{Rule: c.ruleName(), Why: "award out of range", Err: ErrOverflow}
	}
	if amt == 0 {
		return nil
	}
	c.st.awards = append(c.st.awards, award{rule: int32(c.rule), ben: ben, src: src, level: int32(level), paidLevel: int32(paidLevel),
		basis: basis.v, basisScale: basis.scale, rate: rate, amount: amt, figures: figures})
	c.st.earned[ben] += amt
	return nil
}

// report builds m's report.
func (c *PeriodContext) report(m int32) *MemberReport {
	return &MemberReport{PlanID: c.plan.ID, PlanVersion: c.plan.Version, Period: c.period, Member: c.tree.ID(hierarchyMember(m)),
		Volumes: c.st.volumes(m)}
}

func hierarchyMember(m int32) hierarchy.Member { return hierarchy.Member(m) }

// closePeriod computes a close of plan's period over tree.
func closePeriod(plan *Plan, tree *hierarchy.Genealogy, in *PeriodInput) (*Closing, error) {
	return nil, &Error{Why: "period close not implemented yet", Err: ErrInvalid}
}

package commission

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/normalize"
)

// periodFields are the fields a plan's "period" object accepts.
var periodFields = []string{"length", "time_zone", "week_start", "cutoff", "grace", "refunds", "tree",
	"group_basis", "breakaway_rank", "active_pv", "pv_excludes_customers", "currency", "ranks", "rules"}

// rankFields are the fields of one entry of "period"."ranks".
var rankFields = []string{"rank", "pv", "gv", "ogv", "max_leg_share", "cap_own", "legs", "enrolled", "active"}

var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// readPeriod reads a plan's "period" object.
func readPeriod(raw json.RawMessage, cfg *loadConfig, p *Plan) (*PeriodPlan, error) {
	o, err := readObject(raw, "period")
	if err != nil {
		return nil, err
	}
	o.fields = periodFields
	pp := &PeriodPlan{GroupBasis: BasisQV}
	switch s, err := o.str("length", true); {
	case err != nil:
		return nil, err
	case s == "month":
		pp.Length = Monthly
	case s == "week":
		pp.Length = Weekly
	default:
		return nil, planErr("period.length", "want month or week, not %q", s)
	}
	pp.ZoneName = "UTC"
	if s, err := o.str("time_zone", false); err != nil {
		return nil, err
	} else if s != "" {
		pp.ZoneName = s
	}
	if pp.Zone, err = time.LoadLocation(pp.ZoneName); err != nil || pp.ZoneName == "Local" {
		return nil, planErr("period.time_zone", "unknown IANA time zone %q", pp.ZoneName)
	}
	switch s, err := o.str("week_start", false); {
	case err != nil:
		return nil, err
	case s == "" && pp.Length == Weekly:
		return nil, o.absent("week_start")
	case s != "" && pp.Length != Weekly:
		return nil, planErr("period.week_start", "only weekly periods have a week_start")
	case s != "":
		i := slices.Index(weekdays, s)
		if i < 0 {
			return nil, planErr("period.week_start", "want a weekday in lower case, such as \"monday\", not %q", s)
		}
		pp.WeekStart = time.Weekday(i)
	}
	if pp.Cutoff, err = readDuration(o, "cutoff", 24*time.Hour); err != nil {
		return nil, err
	}
	if pp.Grace, err = readDuration(o, "grace", 366*24*time.Hour); err != nil {
		return nil, err
	}
	switch s, err := o.str("refunds", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "order_period":
	case s == "refund_period":
		pp.Refunds = RefundsInRefundPeriod
	default:
		return nil, planErr("period.refunds", "want order_period or refund_period, not %q", s)
	}
	switch s, err := o.str("tree", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "enrollment":
	case s == "placement":
		pp.Tree = PlacementTree
	default:
		return nil, planErr("period.tree", "want enrollment or placement, not %q", s)
	}
	switch s, err := o.str("group_basis", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "qv":
	case s == "pv":
		pp.GroupBasis = BasisPV
	case s == "cv":
		pp.GroupBasis = BasisCV
	default:
		return nil, planErr("period.group_basis", "want pv, qv or cv, not %q", s)
	}
	if n, ok, err := o.integer("breakaway_rank", false, 1, 65535); err != nil {
		return nil, err
	} else if ok {
		pp.Breakaway = hierarchy.Rank(n)
	}
	if pp.ActivePV, err = readVolumeField(o, "active_pv"); err != nil {
		return nil, err
	}
	if pp.PVExcludesCustomers, err = o.boolean("pv_excludes_customers"); err != nil {
		return nil, err
	}
	if pp.Currency, err = o.str("currency", false); err != nil {
		return nil, err
	}
	if raw, ok := o.get("ranks"); ok {
		a, err := readArray(raw, "period.ranks")
		if err != nil {
			return nil, err
		}
		for i, raw := range a {
			r, err := readRankRequirement(raw, index("period.ranks", i))
			if err != nil {
				return nil, err
			}
			pp.Ranks = append(pp.Ranks, r)
		}
	}
	if raw, ok := o.get("rules"); ok {
		a, err := readArray(raw, "period.rules")
		if err != nil {
			return nil, err
		}
		for i, raw := range a {
			r, err := readPeriodRule(raw, index("period.rules", i), cfg, pp)
			if err != nil {
				return nil, err
			}
			pp.Rules = append(pp.Rules, r)
		}
	}
	if err := o.done(); err != nil {
		return nil, err
	}
	return pp, nil
}

func readPeriodRule(raw json.RawMessage, path string, cfg *loadConfig, pp *PeriodPlan) (PeriodRule, error) {
	o, err := readObject(raw, path)
	if err != nil {
		return nil, err
	}
	o.fields = periodRuleFields
	typ, err := o.str("type", true)
	if err != nil {
		return nil, err
	}
	rt, isBuiltin := periodBuiltin[typ]
	if isBuiltin {
		o.fields = slices.Concat(periodRuleFields, rt.fields)
	}
	name, err := o.str("name", true)
	if err != nil {
		return nil, err
	}
	if isBuiltin {
		rs, err := readRatesOption(o)
		if err != nil {
			return nil, err
		}
		r, err := rt.read(name, o, pp, rs)
		if err != nil {
			return nil, err
		}
		if err := o.done(); err != nil {
			return nil, err
		}
		return r, nil
	}
	f, ok := cfg.periodTypes[typ]
	if !ok || f == nil {
		return nil, planErr(path+".type", "unknown period rule type %q", typ)
	}
	r, err := f(name, raw)
	if err != nil {
		return nil, &Error{Path: path, Rule: name, Why: err.Error(), Err: ErrPlan}
	}
	if r == nil || r.Name() != name {
		return nil, planErr(path+".name", "custom period rule type %q built a rule not named %q", typ, name)
	}
	return r, nil
}

func readRankRequirement(raw json.RawMessage, path string) (RankRequirement, error) {
	var r RankRequirement
	o, err := readObject(raw, path)
	if err != nil {
		return r, err
	}
	o.fields = rankFields
	n, _, err := o.integer("rank", true, 1, 65535)
	if err != nil {
		return r, err
	}
	r.Rank = hierarchy.Rank(n)
	if r.PV, err = readVolumeField(o, "pv"); err != nil {
		return r, err
	}
	if r.GV, err = readVolumeField(o, "gv"); err != nil {
		return r, err
	}
	if r.OGV, err = readVolumeField(o, "ogv"); err != nil {
		return r, err
	}
	if raw, ok := o.get("max_leg_share"); ok {
		c, err := readLegShare(raw, join(path, "max_leg_share"))
		if err != nil {
			return r, err
		}
		r.MaxLegShare = decimal.New(c, -rateDigits)
	}
	if r.CapOwn, err = o.boolean("cap_own"); err != nil {
		return r, err
	}
	if raw, ok := o.get("legs"); ok {
		a, err := readArray(raw, join(path, "legs"))
		if err != nil {
			return r, err
		}
		for i, raw := range a {
			lp := index(join(path, "legs"), i)
			lo, err := readObject(raw, lp)
			if err != nil {
				return r, err
			}
			lo.fields = []string{"count", "rank"}
			c, _, err := lo.integer("count", true, 1, 1<<20)
			if err != nil {
				return r, err
			}
			k, _, err := lo.integer("rank", true, 0, 65535)
			if err != nil {
				return r, err
			}
			if err := lo.done(); err != nil {
				return r, err
			}
			r.Legs = append(r.Legs, LegRequirement{Count: int(c), Rank: hierarchy.Rank(k)})
		}
	}
	if n, ok, err := o.integer("enrolled", false, 0, 1<<20); err != nil {
		return r, err
	} else if ok {
		r.Enrolled = int(n)
	}
	if r.Active, err = o.boolean("active"); err != nil {
		return r, err
	}
	return r, o.done()
}

// readLegShare reads a share above 0 and at most 1, as a string: a
// percentage written as a whole number gets the share to write instead.
func readLegShare(raw json.RawMessage, path string) (int64, error) {
	t, number, ok := rateText(raw)
	c, valid := parseRate(t)
	switch {
	case !ok || !valid || c == 0:
		return 0, planErr(path, "want a share above 0 and at most 1 with at most 9 decimal places, as a string")
	case c > rateOne:
		return 0, planErr(path, "%s is more than 1: write %q for %s%%", t, percentAsShare(t), t)
	case number:
		return 0, planErr(path, "%s is a JSON number; write it as a string: %q", t, t)
	}
	return c, nil
}

// readVolumeField reads an optional volume: a decimal string from 0 with
// at most volScale places.
func readVolumeField(o *object, key string) (decimal.Decimal, error) {
	raw, ok := o.get(key)
	if !ok {
		return decimal.Decimal{}, nil
	}
	return readVolume(raw, join(o.path, key))
}

func readVolume(raw json.RawMessage, path string) (decimal.Decimal, error) {
	t, number, ok := rateText(raw)
	if ok && number {
		return decimal.Decimal{}, planErr(path, "%s is a JSON number; write it as a string: %q", t, t)
	}
	d, err := decimal.NewFromString(t)
	if !ok || err != nil || strings.ContainsAny(t, "eE") || d.IsNegative() {
		return decimal.Decimal{}, planErr(path, "want a volume of 0 or more, as a decimal string")
	}
	if _, ok := volumeFixed(d); !ok {
		return decimal.Decimal{}, planErr(path, "want at most %d decimal places", volScale)
	}
	return d, nil
}

// readDuration reads an optional Go duration string from 0 to hi.
func readDuration(o *object, key string, hi time.Duration) (time.Duration, error) {
	s, err := o.str(key, false)
	if err != nil || s == "" {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > hi {
		return 0, planErr(join(o.path, key), "want a duration from 0 to %s such as \"72h\", not %q", hi, s)
	}
	return d, nil
}

// checkPeriod validates a plan's period, loaded or built in Go.
func (p *Plan) checkPeriod() error {
	pp := p.Period
	if pp == nil {
		return nil
	}
	if pp.Length != Monthly && pp.Length != Weekly {
		return planErr("period.length", "want month or week")
	}
	if pp.Cutoff < 0 || pp.Cutoff > 24*time.Hour {
		return planErr("period.cutoff", "want a duration from 0 to 24h")
	}
	if pp.Grace < 0 {
		return planErr("period.grace", "negative")
	}
	if pp.GroupBasis < BasisPV || pp.GroupBasis > BasisCV {
		return planErr("period.group_basis", "want pv, qv or cv")
	}
	if len(pp.Rules) > 0 {
		if pp.Currency == "" {
			return planErr("period.currency", "missing: period rules pay in it")
		}
	}
	if pp.Currency != "" {
		if _, ok := normalize.MinorUnits(pp.Currency); !ok {
			return planErr("period.currency", "unknown currency %q", pp.Currency)
		}
	}
	if _, ok := volumeFixed(pp.ActivePV); !ok || pp.ActivePV.IsNegative() {
		return planErr("period.active_pv", "want a volume of 0 or more with at most %d decimal places", volScale)
	}
	for i := range pp.Ranks {
		r := &pp.Ranks[i]
		path := index("period.ranks", i)
		if r.Rank == 0 {
			return planErr(path+".rank", "want a rank from 1 to 65535")
		}
		if i > 0 && r.Rank <= pp.Ranks[i-1].Rank {
			return planErr(path+".rank", "ranks must ascend: %d after %d", r.Rank, pp.Ranks[i-1].Rank)
		}
		for _, v := range []struct {
			name string
			d    decimal.Decimal
		}{{"pv", r.PV}, {"gv", r.GV}, {"ogv", r.OGV}} {
			if _, ok := volumeFixed(v.d); !ok || v.d.IsNegative() {
				return planErr(path+"."+v.name, "want a volume of 0 or more with at most %d decimal places", volScale)
			}
		}
		if !r.MaxLegShare.IsZero() {
			c, ok := parseRate(r.MaxLegShare.String())
			if !ok || c == 0 || c > rateOne {
				return planErr(path+".max_leg_share", "want a share above 0 and at most 1")
			}
			if r.GV.IsZero() && r.OGV.IsZero() {
				return planErr(path+".max_leg_share", "caps a leg's share of gv or ogv: the rank requires neither")
			}
		} else if r.CapOwn {
			return planErr(path+".cap_own", "caps own volume at max_leg_share: the rank has none")
		}
		for j, l := range r.Legs {
			if l.Count < 1 {
				return planErr(index(path+".legs", j)+".count", "want 1 or more")
			}
		}
		if r.Enrolled < 0 {
			return planErr(path+".enrolled", "negative")
		}
	}
	for i, r := range pp.Rules {
		if r == nil || r.Name() == "" {
			return planErr(index("period.rules", i)+".name", "missing")
		}
		for j := range i {
			if pp.Rules[j].Name() == r.Name() {
				return planErr(index("period.rules", i)+".name", "two period rules named %q", r.Name())
			}
		}
		for _, q := range p.Rules {
			if q.Name() == r.Name() {
				return planErr(index("period.rules", i)+".name", "a rule and a period rule named %q: awards and events must tell them apart", r.Name())
			}
		}
	}
	return nil
}

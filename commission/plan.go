package commission

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// maxLevels bounds how many levels a rule may pay.
const maxLevels = 1000

// Plan is one version of a compensation plan: its rules, applied in order,
// and the rounding and cap every payout goes through. Load one from JSON with
// LoadPlan, or build one in Go and append rules with Add. A Plan must not be
// modified once an Engine uses it.
type Plan struct {
	ID      string
	Version int
	// EffectiveFrom is when this version takes effect: an order is
	// calculated with the latest version whose EffectiveFrom is at or
	// before its OrderTS.
	EffectiveFrom time.Time
	// Rounding rounds every event's exact amount to the currency's minor
	// unit, once.
	Rounding Rounding
	// MaxPayoutShare caps the total paid on an order at this share of
	// its basis (the sum of its lines' commissionable net): above 0 and at
	// most 1. Zero means the default, 1: an order never pays out more
	// than its commissionable net.
	MaxPayoutShare decimal.Decimal
	// Uncapped says the plan deliberately has no cap per order
	// ("max_payout_share": "none"); MaxPayoutShare must then be zero.
	Uncapped bool
	// RankNames names ranks for explanations; optional.
	RankNames map[hierarchy.Rank]string
	// Rules apply in this order; their names are unique within the plan.
	Rules []Rule
	// Period is how the plan closes periods: volumes, rank qualification
	// and period rules; nil for a plan without period close.
	Period *PeriodPlan
}

// defaultCap is the cap of a plan that names none, 1: an order never pays
// out more than its own commissionable net. It is the one cap no correct
// order-time plan exceeds, so it changes no correct payout, while it stops
// the mistakes that pay many times an order, such as percentages written
// as whole numbers. A lower cap is a business decision only the plan's
// author can make; Lint shows when the default is what bounds a plan.
const defaultCap = rateOne

// Add appends a rule to the plan. Its name must be new to the plan.
func (p *Plan) Add(r Rule) error {
	if r == nil || r.Name() == "" {
		return planErr("rules", "a rule needs a name")
	}
	for _, q := range p.Rules {
		if q.Name() == r.Name() {
			return planErr("rules", "two rules named %q", r.Name())
		}
	}
	p.Rules = append(p.Rules, r)
	return nil
}

// check validates a plan built in Go or loaded, and returns its cap as a
// fixed-point rate (0 and false when there is none).
func (p *Plan) check() (int64, bool, error) {
	if p.ID == "" {
		return 0, false, planErr("id", "missing")
	}
	if p.Version < 1 {
		return 0, false, planErr("version", "want a version of 1 or more")
	}
	if p.EffectiveFrom.IsZero() {
		return 0, false, planErr("effective_from", "missing")
	}
	if p.Rounding != HalfUp && p.Rounding != HalfEven {
		return 0, false, planErr("currency_rounding", "unknown rounding")
	}
	names := make(map[string]bool, len(p.Rules))
	for i, r := range p.Rules {
		if r == nil || r.Name() == "" {
			return 0, false, planErr(index("rules", i)+".name", "missing")
		}
		if names[r.Name()] {
			return 0, false, planErr(index("rules", i)+".name", "two rules named %q", r.Name())
		}
		names[r.Name()] = true
	}
	if err := p.checkPeriod(); err != nil {
		return 0, false, err
	}
	switch {
	case p.Uncapped && !p.MaxPayoutShare.IsZero():
		return 0, false, planErr("max_payout_share", "a share and Uncapped: want one or the other")
	case p.Uncapped:
		return 0, false, nil
	case p.MaxPayoutShare.IsZero():
		return defaultCap, true, nil
	}
	c, ok := parseRate(p.MaxPayoutShare.String())
	if !ok || c == 0 || c > rateOne {
		return 0, false, planErr("max_payout_share", "want a share above 0 and at most 1 with at most 9 decimal places")
	}
	return c, true, nil
}

// planFields are the fields a plan's top object accepts.
var planFields = []string{"id", "version", "effective_from", "currency_rounding", "max_payout_share", "ranks", "rules", "period"}

// RuleFactory builds a custom rule from its JSON object in a plan (the
// whole object, "type" and "name" included). Its errors are reported at the
// rule's JSON path.
type RuleFactory func(name string, body json.RawMessage) (Rule, error)

// LoadOption configures LoadPlan.
type LoadOption func(*loadConfig)

type loadConfig struct {
	types       map[string]RuleFactory
	periodTypes map[string]PeriodRuleFactory
}

// WithRuleType lets a plan use rules of a custom type, built by f. A custom
// type may not reuse a built-in type's name.
func WithRuleType(typ string, f RuleFactory) LoadOption {
	return func(c *loadConfig) {
		if c.types == nil {
			c.types = make(map[string]RuleFactory)
		}
		c.types[typ] = f
	}
}

// LoadPlan reads a plan in the JSON form documented in the package
// overview. Unknown, repeated and case-variant keys and text that is not
// valid UTF-8 are refused; errors are *Error values wrapping
// ErrPlan whose Path names the JSON path, such as "rules[1].rates.*[2]".
func LoadPlan(body []byte, opts ...LoadOption) (*Plan, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	top, err := readObject(body, "")
	if err != nil {
		return nil, err
	}
	top.fields = planFields
	p := &Plan{}
	if p.ID, err = top.str("id", true); err != nil {
		return nil, err
	}
	v, _, err := top.integer("version", true, 1, 1<<31-1)
	if err != nil {
		return nil, err
	}
	p.Version = int(v)
	s, err := top.str("effective_from", true)
	if err != nil {
		return nil, err
	}
	if p.EffectiveFrom, err = readTime(s, "effective_from"); err != nil {
		return nil, err
	}
	switch s, err := top.str("currency_rounding", false); {
	case err != nil:
		return nil, err
	case s == "" || s == "half_up":
		p.Rounding = HalfUp
	case s == "half_even":
		p.Rounding = HalfEven
	default:
		return nil, planErr("currency_rounding", "want half_up or half_even, not %q", s)
	}
	if raw, ok := top.get("max_payout_share"); ok {
		c, none, err := readShare(raw, "max_payout_share")
		if err != nil {
			return nil, err
		}
		if none {
			p.Uncapped = true
		} else {
			p.MaxPayoutShare = decimal.New(c, -rateDigits)
		}
	}
	if raw, ok := top.get("ranks"); ok {
		o, err := readObject(raw, "ranks")
		if err != nil {
			return nil, err
		}
		p.RankNames = make(map[hierarchy.Rank]string, len(o.m))
		for _, k := range sortedKeys(o.m) {
			r, err := readRank(k, join("ranks", k))
			if err != nil {
				return nil, err
			}
			if p.RankNames[r], err = o.str(k, true); err != nil {
				return nil, err
			}
		}
	}
	raw, ok := top.get("rules")
	if !ok {
		return nil, top.absent("rules")
	}
	rules, err := readArray(raw, "rules")
	if err != nil {
		return nil, err
	}
	for i, raw := range rules {
		path := index("rules", i)
		o, err := readObject(raw, path)
		if err != nil {
			return nil, err
		}
		o.fields = ruleFields
		typ, err := o.str("type", true)
		if err != nil {
			return nil, err
		}
		rt, isBuiltin := builtin[typ]
		if isBuiltin {
			o.fields = slices.Concat(ruleFields, rt.fields)
		}
		name, err := o.str("name", true)
		if err != nil {
			return nil, err
		}
		var r Rule
		if isBuiltin {
			rs, err := readRatesOption(o)
			if err != nil {
				return nil, err
			}
			if r, err = rt.read(name, o, rs); err != nil {
				return nil, err
			}
			if err := o.done(); err != nil {
				return nil, err
			}
		} else if f, ok := cfg.types[typ]; ok && f != nil {
			if r, err = f(name, raw); err != nil {
				return nil, &Error{Path: path, Rule: name, Why: err.Error(), Err: ErrPlan}
			}
			if r == nil || r.Name() != name {
				return nil, planErr(path+".name", "custom rule type %q built a rule not named %q", typ, name)
			}
		} else {
			return nil, planErr(path+".type", "unknown rule type %q", typ)
		}
		if err := p.Add(r); err != nil {
			return nil, planErr(path+".name", "two rules named %q", name)
		}
	}
	if raw, ok := top.get("period"); ok {
		if p.Period, err = readPeriod(raw, &cfg, p); err != nil {
			return nil, err
		}
	}
	if err := top.done(); err != nil {
		return nil, err
	}
	if _, _, err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

func readRank(s, path string) (hierarchy.Rank, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || strconv.FormatUint(n, 10) != s {
		return 0, planErr(path, "want a rank from 0 to 65535")
	}
	return hierarchy.Rank(n), nil
}

// byRank is a table keyed by rank: a member's entry is the one with the
// highest rank at or below its own.
type byRank[T any] struct {
	ranks []hierarchy.Rank // ascending
	vals  []T
}

func (t *byRank[T]) add(r hierarchy.Rank, v T) {
	i := sort.Search(len(t.ranks), func(i int) bool { return t.ranks[i] >= r })
	t.ranks = append(t.ranks, 0)
	copy(t.ranks[i+1:], t.ranks[i:])
	t.ranks[i] = r
	var zero T
	t.vals = append(t.vals, zero)
	copy(t.vals[i+1:], t.vals[i:])
	t.vals[i] = v
}

func (t *byRank[T]) lookup(r hierarchy.Rank) (T, bool) {
	for i := len(t.ranks) - 1; i >= 0; i-- {
		if t.ranks[i] <= r {
			return t.vals[i], true
		}
	}
	var zero T
	return zero, false
}

// readByRank reads an object keyed by rank.
func readByRank[T any](raw json.RawMessage, path string, read func(json.RawMessage, string) (T, error)) (byRank[T], error) {
	var t byRank[T]
	o, err := readObject(raw, path)
	if err != nil {
		return t, err
	}
	for _, k := range sortedKeys(o.m) {
		r, err := readRank(k, join(path, k))
		if err != nil {
			return t, err
		}
		raw, _ := o.get(k)
		v, err := read(raw, join(path, k))
		if err != nil {
			return t, err
		}
		t.add(r, v)
	}
	return t, nil
}

// qualify says who may earn a rule: a status among statuses and a paid-as
// rank of at least minRank, at the order's timestamp.
type qualify struct {
	statuses uint8 // bit per hierarchy.Status
	minRank  hierarchy.Rank
}

var defaultQualify = qualify{statuses: 1 << hierarchy.Active}

func (q qualify) ok(s hierarchy.Status, r hierarchy.Ranks) bool {
	return q.statuses&(1<<s) != 0 && r.PaidAs >= q.minRank
}

var statusNames = map[string]hierarchy.Status{
	"active": hierarchy.Active, "inactive": hierarchy.Inactive,
	"suspended": hierarchy.Suspended, "terminated": hierarchy.Terminated,
}

func readQualify(o *object) (qualify, error) {
	raw, ok := o.get("qualify")
	if !ok {
		return defaultQualify, nil
	}
	path := join(o.path, "qualify")
	q, err := readObject(raw, path)
	if err != nil {
		return qualify{}, err
	}
	q.fields = []string{"statuses", "min_rank"}
	out := defaultQualify
	if raw, ok := q.get("statuses"); ok {
		a, err := readArray(raw, join(path, "statuses"))
		if err != nil {
			return qualify{}, err
		}
		out.statuses = 0
		for i, s := range a {
			var name string
			st, known := hierarchy.Status(0), false
			if json.Unmarshal(s, &name) == nil {
				st, known = statusNames[name]
			}
			if !known {
				return qualify{}, planErr(index(join(path, "statuses"), i), "want active, inactive, suspended or terminated")
			}
			out.statuses |= 1 << st
		}
	}
	if n, ok, err := q.integer("min_rank", false, 0, 65535); err != nil {
		return qualify{}, err
	} else if ok {
		out.minRank = hierarchy.Rank(n)
	}
	return out, q.done()
}

// Basis names what a rule's rates apply to on each line.
type Basis uint8

const (
	// BasisNet is the line's commissionable net (sku.Mapped.Net), in the
	// order's currency.
	BasisNet Basis = iota
	// BasisPV, BasisQV and BasisCV are the line's volumes, counted as
	// currency units.
	BasisPV
	BasisQV
	BasisCV
)

var basisNames = [...]string{"net", "pv", "qv", "cv"}

// String returns the plan's name for b.
func (b Basis) String() string {
	if int(b) < len(basisNames) {
		return basisNames[b]
	}
	return "basis(" + strconv.Itoa(int(b)) + ")"
}

func readBasis(o *object) (Basis, error) {
	s, err := o.str("basis", true)
	if err != nil {
		return 0, err
	}
	for i, n := range basisNames {
		if n == s {
			return Basis(i), nil
		}
	}
	return 0, planErr(join(o.path, "basis"), "want net, pv, qv or cv, not %q", s)
}

// classMap is a plan's {"class": X, "*": X}: a value per commission
// class, "*" for every other class.
type classMap[T any] struct {
	m       map[string]T // the named classes, without "*"
	star    T
	hasStar bool
}

// readClassMap reads {"class": X, "*": X}.
func readClassMap[T any](raw json.RawMessage, path string, read func(json.RawMessage, string) (T, error)) (classMap[T], error) {
	var out classMap[T]
	o, err := readObject(raw, path)
	if err != nil {
		return out, err
	}
	for _, k := range sortedKeys(o.m) {
		raw, _ := o.get(k)
		v, err := read(raw, join(path, k))
		if err != nil {
			return classMap[T]{}, err
		}
		if k == "*" {
			out.star, out.hasStar = v, true
			continue
		}
		if out.m == nil {
			out.m = make(map[string]T, len(o.m))
		}
		out.m[k] = v
	}
	return out, nil
}

// each calls f with every value.
func (m *classMap[T]) each(f func(T)) {
	for _, v := range m.m {
		f(v)
	}
	if m.hasStar {
		f(m.star)
	}
}

// forClass returns m[class], else m["*"]. A plan with "*" alone (the
// usual one) looks nothing up.
func forClass[T any](m *classMap[T], class string) (T, bool) {
	if len(m.m) > 0 {
		if v, ok := m.m[class]; ok {
			return v, true
		}
	}
	return m.star, m.hasStar
}

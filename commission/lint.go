package commission

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/hierarchy"
)

// LintReport is a plan's worst case on one order — every level paid at its
// highest rate, every rule's bonus stacked on the others — beside the
// plan's cap, with the arithmetic, so that a plan's designer sees when the
// cap, not the rates, decides what an order pays. Its String method is the
// text a person reads.
type LintReport struct {
	Plan    string
	Version int
	// Class is the commission class of the worst line: the one on which
	// the rules, stacked, pay most; "*" for a class no rule names.
	Class string
	// Rules has one entry per rule, in the plan's order, on a line of
	// Class.
	Rules []RuleWorst
	// Worst is the sum of the rules' worst rates per basis, in Basis
	// order; a basis no rule pays on is absent.
	Worst []BasisRate
	// Bound is the sum of Worst: the most an order can pay as a share of
	// its net. It is exact when every rule pays on net; with rules on
	// volume it holds for lines whose volumes are at most their net
	// (VolumeBasis). Rules whose worst case is unknown are not in it.
	Bound decimal.Decimal
	// VolumeBasis says some rule pays on a volume (pv, qv or cv).
	VolumeBasis bool
	// Cap is the share of an order's net that caps it: the plan's
	// max_payout_share, or the default 1 (DefaultCap); zero when the plan
	// is Uncapped.
	Cap        decimal.Decimal
	DefaultCap bool
	Uncapped   bool
	// CapDecides says Bound exceeds Cap: at worst, the cap, not the
	// rates, decides what an order pays.
	CapDecides bool
	// Unknown names the rules (custom ones) whose worst case Lint cannot
	// know.
	Unknown []string
}

// RuleWorst is one rule's worst case: the rates it can pay on one line
// at most, which add up to Rate, on its Basis.
type RuleWorst struct {
	Rule  string
	Type  string // the rule's type in a plan's JSON; "" for a custom rule
	Basis Basis
	// Terms are the rates that add up to Rate, each saying where it is
	// from. A rank differential has one: its top rate, which the
	// differentials paid up a chain add up to at most.
	Terms []Term
	Rate  decimal.Decimal
	// Unknown says the rule is custom: its worst case is not known.
	Unknown bool
}

// Term is one rate in a worst case and where in the rule it is, such as
// "L2, rank 2, starter_kit".
type Term struct {
	What string
	Rate decimal.Decimal
}

// BasisRate is a rate on a basis.
type BasisRate struct {
	Basis Basis
	Rate  decimal.Decimal
}

// worster is a built-in rule that knows its worst case on a line of a
// class ("*": a class the rule does not name).
type worster interface {
	worst(class string) RuleWorst
	classNames() []string
}

// Lint returns p's worst case on one order beside its cap. It reads the
// plan only; p must have loaded or be otherwise valid.
func Lint(p *Plan) *LintReport {
	// A line has one class, the same for every rule: the worst order is
	// one whose lines are all of the class whose rules, stacked, pay most.
	classSet := []string{"*"}
	for _, rule := range p.Rules {
		if w, ok := rule.(worster); ok {
			classSet = append(classSet, w.classNames()...)
		}
	}
	slices.Sort(classSet[1:])
	classSet = slices.Compact(classSet)
	var r *LintReport
	for _, class := range classSet {
		c := lintClass(p, class)
		if r == nil || c.Bound.GreaterThan(r.Bound) {
			r = c
		}
	}
	switch {
	case p.Uncapped:
		r.Cap = decimal.Zero
	case p.MaxPayoutShare.IsZero():
		r.Cap, r.DefaultCap = rateDecimal(defaultCap), true
	default:
		r.Cap = p.MaxPayoutShare
	}
	r.CapDecides = !p.Uncapped && r.Bound.GreaterThan(r.Cap)
	return r
}

// lintClass is the worst case on lines of one class.
func lintClass(p *Plan, class string) *LintReport {
	r := &LintReport{Plan: p.ID, Version: p.Version, Class: class, Bound: decimal.Zero, Uncapped: p.Uncapped}
	var per [len(basisNames)]decimal.Decimal
	var used [len(basisNames)]bool
	for _, rule := range p.Rules {
		w, ok := rule.(worster)
		if !ok {
			r.Rules = append(r.Rules, RuleWorst{Rule: rule.Name(), Rate: decimal.Zero, Unknown: true})
			r.Unknown = append(r.Unknown, rule.Name())
			continue
		}
		rw := w.worst(class)
		rw.Rate = decimal.Zero
		for _, t := range rw.Terms {
			rw.Rate = rw.Rate.Add(t.Rate)
		}
		r.Rules = append(r.Rules, rw)
		per[rw.Basis] = per[rw.Basis].Add(rw.Rate)
		used[rw.Basis] = true
		r.VolumeBasis = r.VolumeBasis || rw.Basis != BasisNet
	}
	for b := range per {
		if used[b] {
			r.Worst = append(r.Worst, BasisRate{Basis: Basis(b), Rate: per[b]})
			r.Bound = r.Bound.Add(per[b])
		}
	}
	return r
}

func rateDecimal(r int64) decimal.Decimal { return decimal.New(r, -rateDigits) }

// String renders the report: a line per rule with its arithmetic, the
// worst case per basis and in all, the cap and which of the two decides.
func (r *LintReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan %s version %d: the most one order can pay", r.Plan, r.Version)
	if r.Class == "*" {
		b.WriteString(", on lines of any class\n")
	} else {
		fmt.Fprintf(&b, ", on lines of class %s\n", r.Class)
	}
	for _, w := range r.Rules {
		if w.Unknown {
			fmt.Fprintf(&b, "  %s: a custom rule; its worst case is not known and not counted\n", w.Rule)
			continue
		}
		fmt.Fprintf(&b, "  %s (%s, on %s): ", w.Rule, w.Type, w.Basis)
		if len(w.Terms) == 0 {
			b.WriteString("pays nothing\n")
			continue
		}
		for i, t := range w.Terms {
			if i > 0 {
				b.WriteString(" + ")
			}
			fmt.Fprintf(&b, "%s (%s)", t.Rate, t.What)
		}
		if len(w.Terms) > 1 {
			fmt.Fprintf(&b, " = %s", w.Rate)
		}
		b.WriteString("\n")
	}
	b.WriteString("  worst case: ")
	var parts []string
	for _, w := range r.Worst {
		parts = append(parts, w.Rate.String()+" × "+w.Basis.String())
	}
	if len(parts) == 0 {
		parts = []string{"0"}
	}
	b.WriteString(strings.Join(parts, " + "))
	if len(r.Worst) > 1 || r.VolumeBasis {
		fmt.Fprintf(&b, " = %s × net", r.Bound)
	}
	if r.VolumeBasis {
		b.WriteString(", where each line's volumes are at most its net")
	}
	b.WriteString("\n")
	switch {
	case r.Uncapped:
		b.WriteString("  cap: none (\"max_payout_share\": \"none\"): the rates alone decide\n")
		return b.String()
	case r.DefaultCap:
		fmt.Fprintf(&b, "  cap: %s × net (the default: the plan names no max_payout_share)\n", r.Cap)
	default:
		fmt.Fprintf(&b, "  cap: %s × net (max_payout_share)\n", r.Cap)
	}
	if r.CapDecides {
		fmt.Fprintf(&b, "  the cap decides: at worst the rules pay %s × net, more than the cap %s; every event of such an order is scaled down\n", r.Bound, r.Cap)
	} else {
		fmt.Fprintf(&b, "  the rates decide: at worst the rules pay %s × net, within the cap %s\n", r.Bound, r.Cap)
	}
	if len(r.Unknown) > 0 {
		fmt.Fprintf(&b, "  not counted: %s\n", strings.Join(r.Unknown, ", "))
	}
	return b.String()
}

// rankBands returns the ranks at which a member's entries in any of the
// tables change, from lo up: every member of rank lo or more has the
// entries of one of them.
func rankBands(lo hierarchy.Rank, tables ...[]hierarchy.Rank) []hierarchy.Rank {
	out := []hierarchy.Rank{lo}
	for _, t := range tables {
		for _, r := range t {
			if r > lo {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func rankWhat(r hierarchy.Rank) string { return "rank " + strconv.Itoa(int(r)) }

func (u *unilevel) classNames() []string {
	out := classes(&u.rates)
	for i := range u.ratesByRank.vals {
		out = append(out, classes(&u.ratesByRank.vals[i])...)
	}
	return out
}

// worst is, level by level, the highest rate a member of any rank that
// qualifies (and reaches the level) earns on a line of class: the members
// up a chain have ranks of their own.
func (u *unilevel) worst(class string) RuleWorst {
	w := RuleWorst{Rule: u.name, Type: "unilevel", Basis: u.basis}
	byRank := len(u.ratesByRank.ranks) > 0 || u.hasDepth
	bands := rankBands(u.qualify.minRank, u.ratesByRank.ranks, u.depth.ranks)
	for p := 1; p <= u.levels; p++ {
		var best int64
		var what string
		for _, r := range bands {
			if u.hasDepth {
				if d, _ := u.depth.lookup(r); p > d {
					continue
				}
			}
			table := &u.rates
			if m, ok := u.ratesByRank.lookup(r); ok {
				table = &m
			}
			rs, _ := forClass(table, class)
			if p > len(rs) || rs[p-1] <= best {
				continue
			}
			best = rs[p-1]
			what = "L" + strconv.Itoa(p)
			if byRank {
				what += ", " + rankWhat(r)
			}
		}
		if best > 0 {
			w.Terms = append(w.Terms, Term{What: what, Rate: rateDecimal(best)})
		}
	}
	return w
}

// classes lists the classes a class table names, "*" aside.
func classes[T any](m *classMap[T]) []string {
	out := make([]string, 0, len(m.m))
	for k := range m.m {
		out = append(out, k)
	}
	return out
}

func (r *rankDifferential) classNames() []string { return nil }

func (r *rankDifferential) worst(string) RuleWorst {
	w := RuleWorst{Rule: r.name, Type: "rank_differential", Basis: r.basis}
	var best int64
	var at hierarchy.Rank
	for _, k := range rankBands(r.qualify.minRank, r.rates.ranks) {
		if v, _ := r.rates.lookup(k); v > best {
			best, at = v, k
		}
	}
	if best > 0 {
		w.Terms = []Term{{What: "the top rate, " + rankWhat(at) + ": the differentials up a chain add up to it", Rate: rateDecimal(best)}}
	}
	return w
}

func (r *retailProfit) classNames() []string { return classes(&r.rates) }

func (r *retailProfit) worst(class string) RuleWorst {
	w := RuleWorst{Rule: r.name, Type: "retail_profit", Basis: r.basis}
	if v, _ := forClass(&r.rates, class); v > 0 {
		w.Terms = []Term{{What: "the owner of the retail customer", Rate: rateDecimal(v)}}
	}
	return w
}

func (f *fastStart) classNames() []string { return nil }

// worst is, level by level, the highest rate a member of any rank that
// qualifies earns there: the members up a chain have ranks of their own.
func (f *fastStart) worst(string) RuleWorst {
	w := RuleWorst{Rule: f.name, Type: "fast_start", Basis: f.basis}
	bands := []hierarchy.Rank{f.qualify.minRank}
	if f.byRank {
		bands = rankBands(f.qualify.minRank, f.ratesByRank.ranks)
	}
	for lv := 1; lv <= f.levels; lv++ {
		var best int64
		var what string
		for _, r := range bands {
			if v := f.rate(r, lv); v > best {
				best, what = v, "L"+strconv.Itoa(lv)
				if f.byRank {
					what += ", " + rankWhat(r)
				}
			}
		}
		if best > 0 {
			w.Terms = append(w.Terms, Term{What: what, Rate: rateDecimal(best)})
		}
	}
	return w
}

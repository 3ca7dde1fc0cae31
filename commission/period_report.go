package commission

import (
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/uplinehq/upline/hierarchy"
)

// report builds m's report: its volumes, its legs with what each counts
// toward the rank reached, the ranks tried from the top down to it, and
// what the rank above lacks.
func (c *PeriodContext) report(m int32) *MemberReport {
	st := c.st
	r := &MemberReport{PlanID: c.plan.ID, PlanVersion: c.plan.Version, Period: c.period, Known: c.known,
		Member: c.tree.ID(hierarchy.Member(m)), Volumes: st.volumes(m),
		Ranks:    hierarchy.Ranks{PaidAs: st.rank[m], Highest: st.highest[m]},
		Previous: st.prev[m], RankName: c.plan.RankNames[st.rank[m]]}
	capAt := int64(-1)
	for i := range st.ranks {
		if st.ranks[i].Rank == st.rank[m] {
			capAt = st.ranks[i].capGV
		}
	}
	for _, k := range st.kids[st.kidStart[m]:st.kidStart[m+1]] {
		v := st.gvOf(k)
		counted := v
		if capAt >= 0 {
			counted = min(v, capAt)
		}
		r.Legs = append(r.Legs, LegReport{Member: c.tree.ID(hierarchy.Member(k)), Volume: volumeDecimal(v),
			Counted: volumeDecimal(counted), Rank: st.legRank[k]})
	}
	for i := len(st.ranks) - 1; i >= 0; i-- {
		q := &st.ranks[i]
		if q.Rank < st.rank[m] {
			break
		}
		var t rankTry
		met := st.meets(m, q, &t)
		try := RankTry{Rank: q.Rank, Name: c.plan.RankNames[q.Rank], Met: met}
		for _, f := range t.failed {
			try.Failed = append(try.Failed, c.shortfall(m, f))
		}
		r.Trace = append(r.Trace, try)
		if q.Rank > st.rank[m] {
			t := try
			r.Next = &t
		}
	}
	return r
}

// shortfall turns f into a Shortfall, listing the legs its cap held back.
func (c *PeriodContext) shortfall(m int32, f shortfall) Shortfall {
	st := c.st
	s := Shortfall{Requirement: f.req, Rank: f.rank}
	switch f.req {
	case "enrolled", "legs":
		s.Have, s.Need = decimal.NewFromInt(f.have), decimal.NewFromInt(f.need)
		return s
	case "active":
		s.Have, s.Need = decimal.Zero, decimal.NewFromInt(1)
		return s
	}
	s.Have, s.Need = volumeDecimal(f.have), volumeDecimal(f.need)
	if f.cap < 0 || (f.req != "gv" && f.req != "ogv") {
		return s
	}
	if f.capOwn && st.own[m] > f.cap {
		s.Capped = append(s.Capped, LegReport{Volume: volumeDecimal(st.own[m]), Counted: volumeDecimal(f.cap), Rank: st.rank[m]})
	}
	for _, k := range st.kids[st.kidStart[m]:st.kidStart[m+1]] {
		v := st.ogv[k]
		if f.req == "gv" {
			v = st.gvOf(k)
		}
		if v > f.cap {
			s.Capped = append(s.Capped, LegReport{Member: c.tree.ID(hierarchy.Member(k)), Volume: volumeDecimal(v),
				Counted: volumeDecimal(f.cap), Rank: st.legRank[k]})
		}
	}
	return s
}

// String says what failed and by how much, for people: "GV 8,400 of
// 10,000: leg LENA counts 4,000 of its 6,200".
func (s *Shortfall) String() string {
	var b strings.Builder
	switch s.Requirement {
	case "active":
		return "not active in the period"
	case "legs":
		b.WriteString("legs with rank " + strconv.Itoa(int(s.Rank)) + " or above " + s.Have.String() + " of " + s.Need.String())
		return b.String()
	case "enrolled":
		return "personally enrolled active members " + s.Have.String() + " of " + s.Need.String()
	}
	b.WriteString(strings.ToUpper(s.Requirement) + " " + grouped(s.Have) + " of " + grouped(s.Need))
	for i, l := range s.Capped {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		if l.Member == "" {
			b.WriteString("own volume counts " + grouped(l.Counted) + " of its " + grouped(l.Volume))
		} else {
			b.WriteString("leg " + l.Member + " counts " + grouped(l.Counted) + " of its " + grouped(l.Volume))
		}
	}
	return b.String()
}

// String says whether the rank was met and, if not, every requirement
// that failed.
func (t *RankTry) String() string {
	name := "rank " + strconv.Itoa(int(t.Rank))
	if t.Name != "" {
		name += " (" + t.Name + ")"
	}
	if t.Met {
		return name + ": met"
	}
	parts := make([]string, len(t.Failed))
	for i := range t.Failed {
		parts[i] = t.Failed[i].String()
	}
	return name + ": " + strings.Join(parts, "; ")
}

// grouped writes a volume with its fraction trimmed and thousands
// separated by commas: 8400 → "8,400", 1234.5 → "1,234.5".
func grouped(d decimal.Decimal) string {
	s := d.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

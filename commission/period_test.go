package commission_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
)

func TestPeriodIDs(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	month := &commission.PeriodPlan{Length: commission.Monthly, Zone: ny}
	week := &commission.PeriodPlan{Length: commission.Weekly, Zone: time.UTC, WeekStart: time.Monday}
	cut := &commission.PeriodPlan{Length: commission.Monthly, Zone: time.UTC, Cutoff: 6 * time.Hour}
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct {
		name string
		pp   *commission.PeriodPlan
		at   string
		id   string
		from string
		to   string
	}{
		// 2026-11-01 is a Sunday: New York is still on EDT (UTC-4) at
		// its midnight, and on EST (UTC-5) from 2 am.
		{"month in New York", month, "2026-11-15T12:00:00Z", "2026-11", "2026-11-01T04:00:00Z", "2026-12-01T05:00:00Z"},
		{"New York's last instant of October", month, "2026-11-01T03:59:59Z", "2026-10", "2026-10-01T04:00:00Z", "2026-11-01T04:00:00Z"},
		{"week from Monday", week, "2026-11-22T23:59:59Z", "2026-11-16", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"week on its Monday", week, "2026-11-16T00:00:00Z", "2026-11-16", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"},
		{"cutoff 6h: before it", cut, "2026-12-01T05:59:59Z", "2026-11", "2026-11-01T06:00:00Z", "2026-12-01T06:00:00Z"},
		{"cutoff 6h: at it", cut, "2026-12-01T06:00:00Z", "2026-12", "2026-12-01T06:00:00Z", "2027-01-01T06:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.pp.At(utc(tc.at))
			want := commission.Period{ID: tc.id, From: utc(tc.from), To: utc(tc.to)}
			if p != want {
				t.Fatalf("At = %+v, want %+v", p, want)
			}
			q, err := tc.pp.Period(tc.id)
			if err != nil || q != want {
				t.Fatalf("Period(%q) = %+v, %v; want %+v", tc.id, q, err, want)
			}
		})
	}
	for _, tc := range []struct {
		pp  *commission.PeriodPlan
		id  string
		why string
	}{
		{month, "2026-13", "want a month as YYYY-MM"},
		{month, "2026-1", "want a month as YYYY-MM"},
		{week, "2026-11-17", "is a Tuesday; weeks start on Monday"},
		{week, "2026-11", "want the week's first day as YYYY-MM-DD"},
	} {
		_, err := tc.pp.Period(tc.id)
		if !errors.Is(err, commission.ErrPeriod) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("Period(%q) = %v, want ErrPeriod saying %q", tc.id, err, tc.why)
		}
	}
}

const periodPlanHead = `{"id": "p", "version": 1, "effective_from": "2025-01-01T00:00:00Z",
 "ranks": {"1": "Associate", "2": "Senior", "3": "Director"},
 "rules": [{"type": "unilevel", "name": "unilevel", "basis": "cv", "rates": {"*": ["0.10"]}}],
 "period": `

func TestPeriodPlanJSON(t *testing.T) {
	p := mustPlan(t, periodPlanHead+`{"length": "week", "week_start": "sunday", "time_zone": "Europe/Berlin",
	  "cutoff": "2h", "grace": "72h", "refunds": "refund_period", "tree": "placement", "group_basis": "cv",
	  "breakaway_rank": 3, "active_pv": "50.5", "currency": "EUR",
	  "ranks": [{"rank": 1, "pv": "50"},
	            {"rank": 3, "pv": "100", "gv": "10000", "max_leg_share": "0.5", "cap_own": true,
	             "legs": [{"count": 2, "rank": 1}], "enrolled": 2, "active": true}]}}`)
	pp := p.Period
	berlin, _ := time.LoadLocation("Europe/Berlin")
	want := &commission.PeriodPlan{Length: commission.Weekly, Zone: berlin, ZoneName: "Europe/Berlin", WeekStart: time.Sunday,
		Cutoff: 2 * time.Hour, Grace: 72 * time.Hour, Refunds: commission.RefundsInRefundPeriod, Tree: commission.PlacementTree,
		GroupBasis: commission.BasisCV, Breakaway: 3, ActivePV: decimal.RequireFromString("50.5"), Currency: "EUR",
		Ranks: []commission.RankRequirement{
			{Rank: 1, PV: decimal.RequireFromString("50")},
			{Rank: 3, PV: decimal.RequireFromString("100"), GV: decimal.RequireFromString("10000"),
				MaxLegShare: decimal.RequireFromString("0.5"), CapOwn: true,
				Legs: []commission.LegRequirement{{Count: 2, Rank: 1}}, Enrolled: 2, Active: true}}}
	if diff := cmp.Diff(want, pp, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); diff != "" {
		t.Fatalf("period (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ period, want string }{
		{`{"length": "month", "max_leg_share": "0.5"}`, `period.max_leg_share: unknown field`},
		{`{"lenght": "month"}`, `period.lenght: unknown field; did you mean "length"?`},
		{`{"length": "fortnight"}`, `period.length: want month or week, not "fortnight"`},
		{`{"length": "week"}`, `period.week_start: missing`},
		{`{"length": "month", "week_start": "monday"}`, `period.week_start: only weekly periods have a week_start`},
		{`{"length": "month", "time_zone": "Mars/Olympus"}`, `period.time_zone: unknown IANA time zone "Mars/Olympus"`},
		{`{"length": "month", "grace": "3 days"}`, `period.grace: want a duration`},
		{`{"length": "month", "ranks": [{"rank": 1, "pv": 100}]}`, `period.ranks[0].pv: 100 is a JSON number; write it as a string: "100"`},
		{`{"length": "month", "ranks": [{"rank": 1, "pv": "1.1234567"}]}`, `period.ranks[0].pv: want at most 6 decimal places`},
		{`{"length": "month", "ranks": [{"rank": 2}, {"rank": 1}]}`, `period.ranks[1].rank: ranks must ascend: 1 after 2`},
		{`{"length": "month", "ranks": [{"rank": 1, "gv": "10", "max_leg_shar": "0.5"}]}`, `period.ranks[0].max_leg_shar: unknown field; did you mean "max_leg_share"?`},
		{`{"length": "month", "ranks": [{"rank": 1, "max_leg_share": "0.5"}]}`, `period.ranks[0].max_leg_share: caps a leg's share of gv or ogv`},
		{`{"length": "month", "ranks": [{"rank": 1, "gv": "10", "max_leg_share": "50"}]}`, `period.ranks[0].max_leg_share: 50 is more than 1: write "0.50" for 50%`},
		{`{"length": "month", "ranks": [{"rank": 1, "legs": [{"count": 2}]}]}`, `period.ranks[0].legs[0].rank: missing`},
		{`{"length": "month", "rules": [{"type": "nope", "name": "x"}]}`, `period.rules[0].type: unknown period rule type "nope"`},
		{`{"length": "month", "currency": "XXY"}`, `period.currency: unknown currency "XXY"`},
	} {
		_, err := commission.LoadPlan([]byte(periodPlanHead + tc.period + `}`))
		if !errors.Is(err, commission.ErrPlan) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one saying %q", tc.period, err, tc.want)
		}
	}
}

// rankWorld is a genealogy for rank tests: LEADER sponsors LENA, MIA and
// NOAH; LENA sponsors OLIVIA and PAUL; NOAH sponsors QUINN.
func rankWorld(t *testing.T) *hierarchy.Genealogy {
	t.Helper()
	g := &hierarchy.Genealogy{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range [][2]string{{"LEADER", ""}, {"LENA", "LEADER"}, {"MIA", "LEADER"}, {"NOAH", "LEADER"},
		{"OLIVIA", "LENA"}, {"PAUL", "LENA"}, {"QUINN", "NOAH"}} {
		if err := g.Enroll(m[0], hierarchy.Distributor, m[1], at, at); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func vol(member, pv string) commission.PersonalVolume {
	d := decimal.RequireFromString(pv)
	return commission.PersonalVolume{Member: member, PV: d, QV: d, CV: d}
}

const rankPlan = `{"id": "ranks", "version": 1, "effective_from": "2025-01-01T00:00:00Z",
 "ranks": {"1": "Associate", "2": "Senior", "3": "Director"},
 "rules": [],
 "period": {"length": "month", "active_pv": "100", "currency": "USD",
   "ranks": [{"rank": 1, "pv": "100", "active": true},
             {"rank": 2, "pv": "100", "gv": "2000", "active": true},
             {"rank": 3, "pv": "100", "gv": "10000", "max_leg_share": "0.5", "legs": [{"count": 2, "rank": 1}], "active": true}]}}`

func TestRankQualification(t *testing.T) {
	g := rankWorld(t)
	e, err := commission.New(catalog(t), g, mustPlan(t, rankPlan))
	if err != nil {
		t.Fatal(err)
	}
	per, _, err := e.Period("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	closeAt := time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)
	// LENA's leg: 2,000 + 3,000 + 1,200 = 6,200; MIA 1,000; NOAH's 900 +
	// 200. LEADER: 100 own. GV = 100 + 6,200 + 1,000 + 1,100 = 8,400
	// uncapped; capped at 5,000 a leg: 100 + 5,000 + 1,000 + 1,100 = 7,200.
	in := &commission.PeriodInput{Period: per, Known: closeAt, Volumes: []commission.PersonalVolume{
		vol("LEADER", "100"), vol("LENA", "2000"), vol("OLIVIA", "3000"), vol("PAUL", "1200"),
		vol("MIA", "1000"), vol("NOAH", "900"), vol("QUINN", "200"), vol("MIA", "-50")}}
	c, err := e.ClosePeriod(in)
	if err != nil {
		t.Fatal(err)
	}
	ranks := map[string]hierarchy.Rank{}
	for _, ch := range c.RankChanges {
		if ch.Effective != per.To || ch.Recorded != closeAt || ch.Op != hierarchy.OpRank || ch.Highest != ch.PaidAs {
			t.Errorf("change %+v: want an OpRank effective %s recorded %s", ch, per.To, closeAt)
		}
		ranks[ch.Member] = ch.PaidAs
	}
	wantRanks := map[string]hierarchy.Rank{"LEADER": 2, "LENA": 2, "OLIVIA": 2, "PAUL": 1, "MIA": 1, "NOAH": 1, "QUINN": 1}
	if diff := cmp.Diff(wantRanks, ranks); diff != "" {
		t.Fatalf("ranks (-want +got):\n%s", diff)
	}
	r, ok := c.Report("LEADER")
	if !ok {
		t.Fatal("no report for LEADER")
	}
	if got, want := r.Volumes.GV.String(), "8350"; got != want {
		t.Errorf("GV = %s, want %s", got, want)
	}
	if r.Next == nil || r.Next.String() != "rank 3 (Director): GV 7,150 of 10,000: leg LENA counts 5,000 of its 6,200" {
		t.Errorf("next = %v", r.Next)
	}
	var legs []string
	for _, l := range r.Legs {
		legs = append(legs, l.Member+" "+l.Volume.String()+" "+l.Counted.String())
	}
	if diff := cmp.Diff([]string{"LENA 6200 6200", "MIA 950 950", "NOAH 1100 1100"}, legs); diff != "" {
		t.Errorf("legs (-want +got):\n%s", diff)
	}
}

// requirementWorld: TOP sponsors A, B and C; A sponsors A1, which sponsors
// A2 (deep in A's leg); B sponsors B1 (inactive); C is placed under A in
// the placement tree. Everyone is active but B1.
func requirementWorld(t *testing.T) *hierarchy.Genealogy {
	t.Helper()
	g := &hierarchy.Genealogy{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, m := range [][3]string{{"TOP", "", ""}, {"A", "TOP", "TOP"}, {"B", "TOP", "TOP"}, {"C", "TOP", "A"},
		{"A1", "A", "A"}, {"A2", "A1", "A1"}, {"B1", "B", "B"}} {
		if err := g.Apply(hierarchy.Change{Op: hierarchy.OpEnroll, Member: m[0], Kind: hierarchy.Distributor, Sponsor: m[1],
			Parent: m[2], Effective: at, Recorded: at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.SetStatus("B1", hierarchy.Inactive, at, at); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRankRequirements(t *testing.T) {
	vols := []commission.PersonalVolume{vol("TOP", "100"), vol("A", "300"), vol("A1", "200"), vol("A2", "500"),
		vol("B", "150"), vol("B1", "400"), vol("C", "50")}
	// OGV: A2 500, A1 700, A 1000, B1 400, B 550, C 50, TOP 1700.
	for _, tc := range []struct {
		name, period string
		member       string
		rank         hierarchy.Rank
		next         string
	}{
		{"pv met", `"ranks": [{"rank": 1, "pv": "100"}]`, "TOP", 1, ""},
		{"pv short", `"ranks": [{"rank": 1, "pv": "101"}]`, "TOP", 0, "rank 1: PV 100 of 101"},
		{"gv uncapped", `"ranks": [{"rank": 1, "gv": "1700"}]`, "TOP", 1, ""},
		// TOP's legs: A 1,000, B 550, C 50; own 100. Capped at 0.5 ×
		// 1,550 = 775: 100 + 775 + 550 + 50 = 1,475; at 0.5 × 1,400 =
		// 700: 100 + 700 + 550 + 50 = 1,400.
		{"gv capped per leg", `"ranks": [{"rank": 1, "gv": "1400", "max_leg_share": "0.5"}]`, "TOP", 1, ""},
		{"gv capped per leg, short", `"ranks": [{"rank": 1, "gv": "1550", "max_leg_share": "0.5"}]`, "TOP", 0,
			"rank 1: GV 1,475 of 1,550: leg A counts 775 of its 1,000"},
		{"cap_own", `"ranks": [{"rank": 1, "gv": "200", "max_leg_share": "0.4", "cap_own": true}]`, "A2", 0,
			"rank 1: GV 80 of 200: own volume counts 80 of its 500"},
		{"ogv with a cap", `"ranks": [{"rank": 1, "ogv": "1000", "max_leg_share": "0.5"}]`, "TOP", 1, ""},
		{"legs holding a rank deep in the leg", `"ranks": [{"rank": 1, "pv": "400"}, {"rank": 2, "legs": [{"count": 2, "rank": 1}]}]`,
			"TOP", 2, ""},
		{"legs short: an inactive rank holder still counts, a rank below does not", `"ranks": [{"rank": 1, "pv": "400"}, {"rank": 2, "legs": [{"count": 3, "rank": 1}]}]`,
			"TOP", 0, "rank 1: PV 100 of 400"},
		{"enrolled counts active members only", `"ranks": [{"rank": 1, "enrolled": 1}]`, "B", 0,
			"rank 1: personally enrolled active members 0 of 1"},
		{"active", `"ranks": [{"rank": 1, "active": true}]`, "B1", 0, "rank 1: not active in the period"},
		{"active_pv", `"active_pv": "160", "ranks": [{"rank": 1, "active": true}]`, "B", 0, "rank 1: not active in the period"},
		{"walk down past a capped rank", `"ranks": [{"rank": 1, "gv": "1000"}, {"rank": 2, "gv": "1700", "max_leg_share": "0.3"}]`, "TOP", 1,
			"rank 2: GV 1,170 of 1,700: leg A counts 510 of its 1,000, leg B counts 510 of its 550"},
		{"placement tree", `"tree": "placement", "ranks": [{"rank": 1, "gv": "1050"}]`, "A", 1, ""},
		{"breakaway: a leg at the rank adds nothing to GV", `"breakaway_rank": 2, "ranks": [{"rank": 1, "pv": "200"}, {"rank": 2, "gv": "1000"}, {"rank": 3, "gv": "1500"}]`,
			"TOP", 0, "rank 1: PV 100 of 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := mustPlan(t, `{"id": "req", "version": 1, "effective_from": "2025-01-01T00:00:00Z", "rules": [],
			  "period": {"length": "month", `+tc.period+`}}`)
			e, err := commission.New(catalog(t), requirementWorld(t), plan)
			if err != nil {
				t.Fatal(err)
			}
			per, _, _ := e.Period("2026-03")
			c, err := e.ClosePeriod(&commission.PeriodInput{Period: per, Known: per.To, Volumes: vols})
			if err != nil {
				t.Fatal(err)
			}
			r, ok := c.Report(tc.member)
			if !ok {
				t.Fatalf("no report for %s", tc.member)
			}
			next := ""
			if r.Next != nil {
				next = r.Next.String()
			}
			if r.Ranks.PaidAs != tc.rank || next != tc.next {
				t.Errorf("%s: rank %d, next %q; want %d, %q", tc.member, r.Ranks.PaidAs, next, tc.rank, tc.next)
			}
		})
	}
}

func TestCloseWithoutRanksKeepsTheGenealogysRanks(t *testing.T) {
	g := requirementWorld(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := g.SetRank("A", hierarchy.Ranks{PaidAs: 2, Highest: 3}, at, at); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, `{"id": "req", "version": 1, "effective_from": "2025-01-01T00:00:00Z", "rules": [], "period": {"length": "month"}}`)
	e, err := commission.New(catalog(t), g, plan)
	if err != nil {
		t.Fatal(err)
	}
	per, _, _ := e.Period("2026-03")
	c, err := e.ClosePeriod(&commission.PeriodInput{Period: per, Known: per.To})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := c.Report("A")
	if len(c.RankChanges) != 0 || r.Ranks != (hierarchy.Ranks{PaidAs: 2, Highest: 3}) {
		t.Fatalf("rank changes %v, A's ranks %+v; want none and 2/3", c.RankChanges, r.Ranks)
	}
	if _, err := e.ClosePeriod(&commission.PeriodInput{Period: per, Known: per.To, Volumes: []commission.PersonalVolume{vol("NOBODY", "1")}}); !errors.Is(err, commission.ErrInvalid) {
		t.Fatalf("volume of an unknown member: err = %v, want ErrInvalid", err)
	}
}

// TestEnginePeriodAt: the period an instant falls in, under the plan
// version Period would choose for its id — version 2 (New York months)
// from March 2026, version 1 (UTC months) before, and version 1, the
// oldest with a period, before either takes effect.
func TestEnginePeriodAt(t *testing.T) {
	v1 := mustPlan(t, `{"id": "p", "version": 1, "effective_from": "2026-01-01T00:00:00Z", "rules": [], "period": {"length": "month"}}`)
	v2 := mustPlan(t, `{"id": "p", "version": 2, "effective_from": "2026-03-01T05:00:00Z", "rules": [],
		"period": {"length": "month", "time_zone": "America/New_York"}}`)
	e, err := commission.New(catalog(t), requirementWorld(t), v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct {
		at, id, from, to string
		version          int
	}{
		{"2026-02-15T00:00:00Z", "2026-02", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", 1},
		{"2026-03-15T00:00:00Z", "2026-03", "2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z", 2},
		{"2025-12-15T00:00:00Z", "2025-12", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z", 1},
	} {
		per, plan, err := e.PeriodAt(utc(tc.at))
		want := commission.Period{ID: tc.id, From: utc(tc.from), To: utc(tc.to)}
		if err != nil {
			t.Fatalf("PeriodAt(%s): %v", tc.at, err)
		}
		if per != want || plan.Version != tc.version {
			t.Errorf("PeriodAt(%s) = %+v, version %d; want %+v, version %d", tc.at, per, plan.Version, want, tc.version)
			continue
		}
		if q, qplan, err := e.Period(tc.id); err != nil || q != per || qplan != plan {
			t.Errorf("Period(%s) = %+v, %v; PeriodAt gave %+v", tc.id, q, err, per)
		}
	}
	none, err := commission.New(catalog(t), requirementWorld(t), mustPlan(t, `{"id": "q", "version": 1, "effective_from": "2026-01-01T00:00:00Z", "rules": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := none.PeriodAt(utc("2026-02-15T00:00:00Z")); !errors.Is(err, commission.ErrPeriod) ||
		err.Error() != `commission: period: plan "q" declares no period` {
		t.Errorf("without a period: %v", err)
	}
}

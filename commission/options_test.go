package commission_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/testworld"
)

// TestRankDifferentialIncludeSelf is Amway's performance bonus at order
// time: a member earns its own bonus percentage on its own volume
// ("level 0"), and each upline earns only the difference between its
// percentage and the highest one already paid below it. Published plan:
// the Amway Sales & Marketing Plan's performance bonus schedule
// (3% at 200 PV, 6% at 600 PV, 9% at 1,200 PV, … 21% at 10,000 PV;
// https://amway-estonia.com/en/business-opportunity/amway-sales-marketing-plan/understanding-the-plan),
// and how the differential nets out: "the performance bonus equals 12
// percent of business volume … this amount must be reduced by the dollar
// amount of bonuses owed to downline distributors" (Lopez v.
// Commissioner, T.C. Memo 2003, describing Amway's schedule;
// https://law.onecle.com/tax/2003/lopez8.tcm.wpd04.html). Paid-as ranks
// 1, 2, 3 stand for the 3%, 6% and 9% steps.
//
// E (rank 1) buys 39.00 of VIT-C-90 (the gift card earns nothing). With
// include_self E earns 3% of its own 39.00 = 1.17 at level 0; D (rank 1)
// and B (rank 1) have nothing above 3% to earn; C is inactive; A (rank
// 2) earns 6% − 3% = 1.17 and ROOT (rank 3) 9% − 6% = 1.17: 9% of 39.00
// in all. Without it the same 9% goes to D, A and ROOT.
func TestRankDifferentialIncludeSelf(t *testing.T) {
	const rates = `"rates_by_rank":{"1":"0.03","2":"0.06","3":"0.09"}`
	tests := []struct {
		name, rule string
		want       []string
	}{
		{"level 0: own rate on own purchase, differences above",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `,"include_self":true}`,
			[]string{"1 pb E L0 P0 39x0.03=1.17", "1 pb A L4 P1 39x0.03=1.17", "1 pb ROOT L5 P2 39x0.03=1.17"}},
		{"without it the sponsor earns the first step",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `}`,
			[]string{"1 pb D L1 P1 39x0.03=1.17", "1 pb A L4 P2 39x0.03=1.17", "1 pb ROOT L5 P3 39x0.03=1.17"}},
		{"an unqualified member earns nothing on its own purchase; the differential starts above it",
			`{"type":"rank_differential","name":"pb","basis":"net",` + rates + `,"include_self":true,"qualify":{"statuses":["active"],"min_rank":2}}`,
			[]string{"1 pb A L4 P1 39x0.06=2.34", "1 pb ROOT L5 P2 39x0.03=1.17"}},
	}
	g, cat := tree(t), catalog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := commission.New(cat, g, mustPlan(t, planWith("", tt.rule)))
			if err != nil {
				t.Fatal(err)
			}
			o := mustOrder(t, withRefs(`"distributor_ref":"E",`))
			calc, err := e.Calculate(&o, commission.Lock{Known: known})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, eventLines(calc.Events)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// pvOrder is an order by buyer of units × VIT-C-90 at 20.00: 25 PV each.
func pvOrder(buyer string, units int) string {
	return `{"platform":"shopify","store":"s","platform_order_id":"1","order_ts":"2025-08-28T08:11:04Z",
	 "status":"paid","currency":"USD","distributor_ref":"` + buyer + `",
	 "items":[{"line_id":"1","platform_sku":"VIT-C-90","qty":` + itoa(units) + `,"unit_price":"20.00"}],
	 "total":"` + itoa(20*units) + `.00"}`
}

// calcIn calculates order in a genealogy of members under plan and
// returns its events and breakage, rendered.
func calcIn(t *testing.T, members []testworld.Member, plan, order string) (events, breakage []string) {
	t.Helper()
	e, err := testworld.Engine(members, plan)
	if err != nil {
		t.Fatal(err)
	}
	o := mustOrder(t, order)
	calc, err := e.Calculate(&o, commission.Lock{Known: known})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range calc.Breakage {
		breakage = append(breakage, b.LineID+" "+b.Rule+" "+b.Member+" L"+itoa(b.Level)+" "+b.Amount().StringFixed(2))
	}
	return eventLines(calc.Events), breakage
}

// TestRankDifferentialStartLevelDeduct is Be Infinity's Unilevel Bonus, a
// rank differential on "Product Volume of the purchase from your Users in
// Level 2 and deeper" (level 1 is paid by its Direct Sales Bonus):
// "you will receive the difference between your Unilevel Compensationbase
// and the highest Unilevel Compensationbase of any Affiliate on the
// Sponsor Line that meets the Payout Qualification". Published plan:
// https://docs.be-infinity.com/compensation-plan/business-logic/bonus/unilevel-bonus,
// worked numbers from its "UB - Example 3"
// (https://docs.be-infinity.com/compensation-plan/business-logic/bonus/unilevel-bonus/ub-example-3):
// User is a Saphire (Unilevel Compensationbase 12%), User4 Unranked (4%),
// User6 an Ambassador (10%);
//
//   - "Commission from User5: The User with the highest Compensation Base
//     in the Sponsor Line Between User 5 and User is User4. User4 has 4%
//     Compensation Base. The differential Rate will be 12% - 4% = 8% 1200
//     Volumen * 8% = $96" — User4 is User5's sponsor, so User5 is on
//     User4's level 1, where the Unilevel Bonus pays User4 nothing, and
//     yet its 4% is deducted above it: "below_start": "deduct".
//   - "Commission from User6: There is no User that meets the Payout
//     Qualification in the Sponsor Line Between User 6 and User. The
//     differential Rate will be 12% - 0% = 12% 4800 Volumen * 12% = $576"
//     — User6's own 10% does not count on its own purchase.
//
// Ranks 0, 1, 2 stand for Unranked, Ambassador, Saphire; the volume is PV
// (25 a unit). The member between User6 and User is inactive, which is
// how it fails the payout qualification here.
func TestRankDifferentialStartLevelDeduct(t *testing.T) {
	members := []testworld.Member{
		{ID: "User", PaidAs: 2},
		{ID: "User4", Sponsor: "User"},
		{ID: "User5", Sponsor: "User4"},
		{ID: "X", Sponsor: "User", PaidAs: 1, Status: hierarchy.Inactive},
		{ID: "User6", Sponsor: "X", PaidAs: 1},
	}
	rule := func(below string) string {
		return planWith("", `{"type":"rank_differential","name":"ub","basis":"pv",
		 "rates_by_rank":{"0":"0.04","1":"0.10","2":"0.12"},"start_level":2`+below+`}`)
	}
	tests := []struct {
		name, plan, order string
		want              []string
	}{
		{"User5's 1200 volume: 12% - 4% = 8%, $96", rule(`,"below_start":"deduct"`), pvOrder("User5", 48),
			[]string{"1 ub User L2 P1 1200x0.08=96.00"}},
		{"User6's 4800 volume: no qualified member between, 12%, $576", rule(`,"below_start":"deduct"`), pvOrder("User6", 192),
			[]string{"1 ub User L2 P1 4800x0.12=576.00"}},
		{"User4 earns nothing on its level 1", rule(`,"below_start":"deduct"`), pvOrder("User4", 48),
			nil},
		// Not Be Infinity's rule: with "ignore" User4 is passed over and
		// User is paid its whole 12%.
		{"the same order with below_start ignore", rule(`,"below_start":"ignore"`), pvOrder("User5", 48),
			[]string{"1 ub User L2 P1 1200x0.12=144.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := calcIn(t, members, tt.plan, tt.order)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// upline is a genealogy of a buyer, BUYER, and the members above it, from
// its sponsor (level 1) up, at the given paid-as ranks.
func upline(ranks ...hierarchy.Rank) []testworld.Member {
	ms := make([]testworld.Member, len(ranks)+1)
	for i := range ranks {
		lv := len(ranks) - i // the top first
		ms[i] = testworld.Member{ID: "L" + itoa(lv), PaidAs: ranks[lv-1]}
		if i > 0 {
			ms[i].Sponsor = ms[i-1].ID
		}
	}
	ms[len(ranks)] = testworld.Member{ID: "BUYER", Sponsor: "L1"}
	return ms
}

// TestRankDifferentialStartLevelIgnore is Purium's Infinity Bonus, as its
// support site publishes it
// (https://support.mypurium.com/support/solutions/articles/6000031734-infinity-bonus):
// "a bonus that can be earned by Green Diamonds and above. This is a 2%
// commission based on BV that can potentially be paid on all orders past
// level 8 … the Infinity Bonus will stop when it hits another Green
// Diamond or more highly ranked Member in your Downline. If there is a
// Green Diamond in your group, you will be paid the Infinity Bonus only
// down to their Level 9, at which point it terminates." Blue Diamonds earn
// a second 2%: "if there is no Green Diamond down to Level 10 … both
// Infinity Bonuses are earned, resulting in 4% earned until a Green
// Diamond is encountered, at which point it goes back to 2%. Once a Blue
// Diamond or higher is encountered, the 2% commission will be paid until
// it reaches their Level 10".
//
// That is two differentials with one rate each, the first qualifying
// member from the start level up taking it: 2% for Green Diamonds and
// above from level 9, and 2% for Blue Diamonds and above from level 10
// (our reading of "their Level 10"). A Green Diamond lower in the line
// than level 9 of an order is not paid on it and does not stop the bonus
// above it: "below_start": "ignore". Ranks 1 and 2 stand for Green and
// Blue Diamond; each order is 100 BV (PV here, 25 a unit).
func TestRankDifferentialStartLevelIgnore(t *testing.T) {
	plan := planWith("", `{"type":"rank_differential","name":"infinity_gd","basis":"pv",
	  "rates_by_rank":{"1":"0.02"},"start_level":9,"below_start":"ignore"},
	 {"type":"rank_differential","name":"infinity_bd","basis":"pv",
	  "rates_by_rank":{"2":"0.02"},"start_level":10,"below_start":"ignore"}`)
	const gd, bd = 1, 2
	tests := []struct {
		name    string
		members []testworld.Member
		want    []string
	}{
		{"a Green Diamond on level 9: 2%",
			upline(0, 0, 0, 0, 0, 0, 0, 0, gd),
			[]string{"1 infinity_gd L9 L9 P1 100x0.02=2.00"}},
		{"a Green Diamond on level 8: not past level 8, nothing",
			upline(0, 0, 0, 0, 0, 0, 0, gd),
			nil},
		{"a Blue Diamond on level 12 with no Green Diamond below: 4%",
			upline(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, bd),
			[]string{"1 infinity_gd L12 L12 P1 100x0.02=2.00", "1 infinity_bd L12 L12 P1 100x0.02=2.00"}},
		{"a Green Diamond on level 9 below it: the Blue Diamond goes back to 2%",
			upline(0, 0, 0, 0, 0, 0, 0, 0, gd, 0, 0, bd),
			[]string{"1 infinity_gd L9 L9 P1 100x0.02=2.00", "1 infinity_bd L12 L12 P1 100x0.02=2.00"}},
		{"a Green Diamond on level 5, this order above its level 9: 4% to the Blue Diamond",
			upline(0, 0, 0, 0, gd, 0, 0, 0, 0, 0, 0, bd),
			[]string{"1 infinity_gd L12 L12 P1 100x0.02=2.00", "1 infinity_bd L12 L12 P1 100x0.02=2.00"}},
		{"a Blue Diamond on level 9: the Green Diamond 2% only",
			upline(0, 0, 0, 0, 0, 0, 0, 0, bd),
			[]string{"1 infinity_gd L9 L9 P1 100x0.02=2.00"}},
		{"a Blue Diamond on level 10 stops the one on level 12",
			upline(0, 0, 0, 0, 0, 0, 0, 0, 0, bd, 0, bd),
			[]string{"1 infinity_gd L10 L10 P1 100x0.02=2.00", "1 infinity_bd L10 L10 P1 100x0.02=2.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := calcIn(t, tt.members, plan, pvOrder("BUYER", 4))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFastStartRatesByRank is Unicity's Fast Start Bonus, whose rate
// depends on the rank of the member who earns it. Published plan: the
// Unicity Compensation Plan Profile (US, 2012-08), page 3, as hosted at
// https://issuu.com/dr_genious/docs/2012_08_comp_plan_profile_us/4: "The
// Fast Start Bonus is paid on the Personal Volume (PV) of a new Franchise
// Partner in his or her first month … The level at which you are eligible
// to receive the Fast Start Bonus is based upon your Rank … The Enroller
// Fast Start Bonus is paid to the Enroller at the applicable Fast Start
// Bonus Level, the Enroller's Sponsor Fast Start Bonus is paid to the
// Enroller's Sponsor at his or her applicable Fast Start Bonus Level",
// with the table: Jr. Manager — Enroller 15%, Enroller's Sponsor 3%;
// Manager — Enroller 30%, Enroller's Sponsor 5%.
//
// Ranks 1 and 2 stand for Jr. Manager and Manager; a member of rank 0 has
// no Fast Start Bonus level. NEW enrolled on 2025-08-20 and orders 100 PV
// (4 units) on 2025-08-28, within its first 30 days (the plan's "first
// month" as the rule's days). Not modelled: the six further shares of 3%
// to Senior Directors and above, and that Unicity reads the rank when the
// new partner enrolls where upline reads the paid-as rank at the order.
func TestFastStartRatesByRank(t *testing.T) {
	plan := planWith("", `{"type":"fast_start","name":"fsb","basis":"pv","days":30,
	 "rates_by_rank":{"1":["0.15","0.03"],"2":["0.30","0.05"]}}`)
	world := func(enroller, sponsor testworld.Member) []testworld.Member {
		sponsor.ID, enroller.ID, enroller.Sponsor = "SPONSOR", "ENROLLER", "SPONSOR"
		return []testworld.Member{sponsor, enroller,
			{ID: "NEW", Sponsor: "ENROLLER", At: time.Date(2025, 8, 20, 0, 0, 0, 0, time.UTC)}}
	}
	tests := []struct {
		name           string
		members        []testworld.Member
		want, breakage []string
	}{
		{"a Jr. Manager enroller, a Manager above: 15% and 5%",
			world(testworld.Member{PaidAs: 1}, testworld.Member{PaidAs: 2}),
			[]string{"1 fsb ENROLLER L1 P1 100x0.15=15.00", "1 fsb SPONSOR L2 P2 100x0.05=5.00"}, nil},
		{"a Manager enroller, a Jr. Manager above: 30% and 3%",
			world(testworld.Member{PaidAs: 2}, testworld.Member{PaidAs: 1}),
			[]string{"1 fsb ENROLLER L1 P1 100x0.3=30.00", "1 fsb SPONSOR L2 P2 100x0.03=3.00"}, nil},
		{"an enroller with no Fast Start Bonus level earns nothing, and it is no breakage",
			world(testworld.Member{}, testworld.Member{PaidAs: 2}),
			[]string{"1 fsb SPONSOR L2 P2 100x0.05=5.00"}, nil},
		{"an inactive Manager enroller: its 30% is breakage",
			world(testworld.Member{PaidAs: 2, Status: hierarchy.Inactive}, testworld.Member{PaidAs: 2}),
			[]string{"1 fsb SPONSOR L2 P2 100x0.05=5.00"}, []string{"1 fsb ENROLLER L1 30.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, br := calcIn(t, tt.members, plan, pvOrder("NEW", 4))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.breakage, br, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("breakage (-want +got):\n%s", diff)
			}
		})
	}
}

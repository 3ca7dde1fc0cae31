package commission

import "testing"

func TestPeriodMatching(t *testing.T) {
	tests := []periodCase{
		// Global MLM Software's matching example
		// (testdata/scenarios/period-matching/README.md): A enrolled B,
		// B enrolled C; B earned 1,000, C 1,200.
		{"published: 10% of B's 1,000 and 7% of C's 1,200 is 184", `{"type": "matching", "name": "match", "rates": ["0.10", "0.07"]}`,
			[]pm{
				{id: "A", active: true},
				{id: "B", up: "A", active: true, earned: "1000"},
				{id: "C", up: "B", active: true, earned: "1200"},
			}, "", []string{
				"B<-C 1/1 1200 x 0.1 = 120.00",
				"A<-C 2/2 1200 x 0.07 = 84.00",
				"A<-B 1/1 1000 x 0.1 = 100.00"}},
		// Connect's example: an Ambassador C4 matches 20% of its
		// personally enrolled leader's 5,000.
		{"published: 20% of 5,000 by rank", `{"type": "matching", "name": "match", "rates": [], "rates_by_rank": {"4": ["0.20"]}}`,
			[]pm{{id: "YOU", active: true, rank: 4}, {id: "X", up: "YOU", active: true, rank: 4, earned: "5000"}}, "", []string{
				"YOU<-X 1/1 5000 x 0.2 = 1000.00"}},
		{"levels: an unqualified sponsor's level is unpaid", `{"type": "matching", "name": "match", "rates": ["0.10", "0.05"]}`,
			[]pm{{id: "A", active: true}, {id: "B", up: "A"}, {id: "C", up: "B", active: true, earned: "100.01"}}, "", []string{
				"A<-C 2/2 100.01 x 0.05 = 5.00"}},
		{"generations: an unqualified sponsor is compressed away", `{"type": "matching", "name": "match", "rates": ["0.10", "0.05"], "compression": true}`,
			[]pm{{id: "A", active: true}, {id: "B", up: "A"}, {id: "C", up: "B", active: true, earned: "100.05"}}, "", []string{
				"A<-C 2/1 100.05 x 0.1 = 10.01"}},
		{"matching follows the sponsor, not the group tree", `{"type": "matching", "name": "match", "rates": ["0.10"]}`,
			[]pm{{id: "S", active: true}, {id: "P", up: "S", active: true}, {id: "C", up: "P", sponsor: "S", active: true, earned: "50"}}, "", []string{
				"S<-C 1/1 50 x 0.1 = 5.00"}},
	}
	runPeriodCases(t, tests)
}

func TestPeriodMatchingDoesNotMatchItself(t *testing.T) {
	tc := newTestClose(t, []pm{{id: "A", active: true}, {id: "B", up: "A", active: true}, {id: "C", up: "B", active: true, earned: "100"}})
	got := tc.apply(t, loadPeriodRule(t, `{"type": "matching", "name": "match", "rates": ["0.50", "0.50"]}`))
	// B's 50 from C is this rule's own award: A matches C (level 2) only.
	checkAwards(t, got, []string{"B<-C 1/1 100 x 0.5 = 50.00", "A<-C 2/2 100 x 0.5 = 50.00"})
}

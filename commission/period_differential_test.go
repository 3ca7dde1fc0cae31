package commission

import "testing"

func TestPeriodDifferential(t *testing.T) {
	const diff = `{"type": "differential", "name": "diff", "basis": "pv", "include_self": true,
		"rates_by_rank": {"1": "0.24", "2": "0.28"}}`
	const breakaway = `{"type": "differential", "name": "diff", "basis": "pv", "include_self": true,
		"rates_by_rank": {"2": "0.36", "3": "0.40"},
		"breakaway": {"min_rank": 3, "generations": ["0.01", "0.01"]}}`
	// The second worked example of "Examples of bonus calculation"
	// (testdata/scenarios/period-differential/README.md): A at 28 %, B and
	// C at 24 %.
	example2 := []pm{
		{id: "A", active: true, rank: 2, vol: "50"},
		{id: "B", up: "A", active: true, rank: 1, vol: "1500"},
		{id: "C", up: "A", active: true, rank: 1, vol: "4000"},
	}
	// Its third: A, B and B1 at the top rate 40 % (B1 below B: two
	// generations of breakaways), C and E at 36 %, D new.
	example3 := []pm{
		{id: "A", active: true, rank: 3, vol: "200"},
		{id: "B", up: "A", active: true, rank: 3, vol: "50000"},
		{id: "B1", up: "B", active: true, rank: 3, vol: "50000"},
		{id: "C", up: "A", active: true, rank: 2, vol: "40000"},
		{id: "D", up: "A", active: true, vol: "300"},
		{id: "E", up: "A", active: true, rank: 2, vol: "40000"},
	}
	tests := []periodCase{
		{"published example 2: 14 direct + 220 indirect", diff, example2, "A", []string{
			"A<-B 1/2 1500 x 0.04 = 60.00",
			"A<-C 1/2 4000 x 0.04 = 160.00",
			"A<-A 0/0 50 x 0.28 = 14.00"}},
		{"example 2: each member's own rate on its own volume", diff, example2, "B", []string{"B<-B 0/0 1500 x 0.24 = 360.00"}},
		{"published example 3: 200 direct, 3,200 differential, 500 + 500 generations", breakaway, example3, "A", []string{
			"A<-C 1/2 40000 x 0.04 = 1600.00",
			"A<-D 1/1 300 x 0.4 = 120.00",
			"A<-E 1/2 40000 x 0.04 = 1600.00",
			"A<-A 0/0 200 x 0.4 = 80.00",
			"A<-B 1/1 50000 x 0.01 = 500.00",
			"A<-B1 2/2 50000 x 0.01 = 500.00"}},
		{"example 3: B earns the first generation on B1", breakaway, example3, "B", []string{
			"B<-B 0/0 50000 x 0.4 = 20000.00",
			"B<-B1 1/1 50000 x 0.01 = 500.00"}},
		{"without include_self the first upline earns its whole rate", `{"type": "differential", "name": "diff", "basis": "pv",
			"rates_by_rank": {"1": "0.05", "2": "0.08"}}`,
			[]pm{{id: "T", active: true, rank: 2}, {id: "M", up: "T", active: true, rank: 1}, {id: "X", up: "M", active: true, rank: 2, vol: "100"}}, "", []string{
				"M<-X 1/1 100 x 0.05 = 5.00",
				"T<-X 2/2 100 x 0.03 = 3.00"}},
		{"an inactive member earns nothing and blocks nothing", diff,
			[]pm{{id: "A", active: true, rank: 2}, {id: "B", up: "A", rank: 1}, {id: "C", up: "B", active: true, vol: "100"}}, "", []string{
				"A<-C 2/1 100 x 0.28 = 28.00"}},
		{"a breakaway's own volume pays its uplines no differential", `{"type": "differential", "name": "diff", "basis": "pv",
			"rates_by_rank": {"1": "0.10", "2": "0.20"}, "breakaway": {"min_rank": 1, "generations": ["0.02"]}}`,
			[]pm{{id: "A", active: true, rank: 2}, {id: "B", up: "A", active: true, rank: 1, vol: "100"}, {id: "C", up: "B", active: true, vol: "50"}}, "", []string{
				"B<-C 1/1 50 x 0.1 = 5.00",
				"A<-B 1/1 150 x 0.02 = 3.00"}},
	}
	runPeriodCases(t, tests)
}

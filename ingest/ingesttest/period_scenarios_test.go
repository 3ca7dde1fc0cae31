package ingesttest_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/uplinehq/upline/ingest/ingesttest"
)

// TestPeriodScenarios checks the period-bonus scenarios against the
// amounts their published examples state (each scenario's README cites
// the document), independently of the golden files: for the members the
// document speaks of, every award the closes post, and nothing else.
func TestPeriodScenarios(t *testing.T) {
	type award struct{ Period, Rule, Beneficiary, Source, Amount string }
	tests := []struct {
		dir   string
		whose []string
		want  []award
	}{
		// Sam: 12.00 + 8.00 + 3.30, compression past Kat.
		{"period-unilevel-compression", []string{"SAM"}, []award{
			{"2026-01", "unilevel", "SAM", "", "12.00"},
			{"2026-01", "unilevel", "SAM", "", "8.00"},
			{"2026-01", "unilevel", "SAM", "", "3.30"},
		}},
		// A: direct (200 + 300) × 40 %, differential 2 × 40,000 × 4 %,
		// generations 50,000 × 1 % twice: 4,400.
		{"period-differential", []string{"A"}, []award{
			{"2026-01", "performance", "A", "A", "80.00"},
			{"2026-01", "performance", "A", "B", "500.00"},
			{"2026-01", "performance", "A", "C", "1600.00"},
			{"2026-01", "performance", "A", "D", "120.00"},
			{"2026-01", "performance", "A", "E", "1600.00"},
			{"2026-01", "performance", "A", "B1", "500.00"},
		}},
		// A matches 10 % of B's 1,000 and 7 % of C's 1,200: 184.
		{"period-matching", []string{"A"}, []award{
			{"2026-01", "personal", "A", "A", "10.00"},
			{"2026-01", "matching", "A", "B", "100.00"},
			{"2026-01", "matching", "A", "C", "84.00"},
		}},
		// 2 % of 5,000,000 over 17 points; the document's 17,646 for a
		// Diamond is wrong: 17,647.06.
		{"period-pool", []string{"PLATINUM1", "EMERALD1", "DIAMOND1", "DIAMOND2", "COMPANY"}, []award{
			{"2026-01", "global", "DIAMOND1", "", "17647.06"},
			{"2026-01", "global", "DIAMOND2", "", "17647.06"},
			{"2026-01", "global", "EMERALD1", "", "11764.71"},
			{"2026-01", "global", "PLATINUM1", "", "5882.35"},
		}},
		// 8 % of the weaker leg: 8,000, then the carried 60,000: 4,800.
		{"period-binary", []string{"YOU"}, []award{
			{"2026-01", "binary", "YOU", "", "8000.00"},
			{"2026-02", "binary", "YOU", "", "4800.00"},
		}},
		// Nine cycles of 200 at $20 a cycle: 180.
		{"period-binary-cycles", []string{"USER"}, []award{
			{"2026-01", "binary", "USER", "", "180.00"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			steps, err := ingesttest.Play(filepath.Join(scenarios, tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			var got []award
			for _, s := range steps {
				for _, a := range s.Awards {
					for _, w := range tt.whose {
						if a.Beneficiary == w {
							got = append(got, award{a.Period, a.Rule, a.Beneficiary, a.Source, a.Amount().StringFixed(2)})
						}
					}
				}
			}
			order := func(a, b award) int {
				return strings.Compare(a.Period+a.Rule+a.Beneficiary+"\x00"+a.Source, b.Period+b.Rule+b.Beneficiary+"\x00"+b.Source)
			}
			slices.SortStableFunc(got, order)
			slices.SortStableFunc(tt.want, order)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("awards differ from the published example (-want +got):\n%s", d)
			}
		})
	}
}

package ingesttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/ledger"
)

// Previewed: a preview step computed a close and posted nothing.
const Previewed Outcome = "previewed"

// periodStep is the body of a close or preview step.
type periodStep struct {
	// Period is the period's id, such as "2026-01".
	Period string `json:"period"`
	// At is the instant of the close (RFC 3339): the genealogy's
	// knowledge instant, and when its rank changes are recorded.
	At string `json:"at"`
}

// periodStepAt closes or previews a period as the step file name says. A
// close records its rank changes in the scenario's genealogy, so the
// orders and closes after it see them; it returns the close's instant.
func (s *Scenario) periodStepAt(l *ledger.Ledger, name string, preview bool) (Step, time.Time, error) {
	body, err := os.ReadFile(filepath.Join(s.Dir, "steps", name))
	if err != nil {
		return Step{}, time.Time{}, err
	}
	var ps periodStep
	if err := strictjson.Decode(body, &ps); err != nil {
		return Step{}, time.Time{}, err
	}
	if ps.Period == "" {
		return Step{}, time.Time{}, fmt.Errorf("no \"period\"")
	}
	at, err := time.Parse(time.RFC3339Nano, ps.At)
	if err != nil {
		return Step{}, time.Time{}, fmt.Errorf("at: %w", err)
	}
	ctx := context.Background()
	step := Step{File: name, Period: ps.Period, Revision: at.UTC(), Outcome: Previewed}
	if preview {
		step.Closing, err = l.Preview(ctx, ps.Period, at)
		return step, at, err
	}
	res, err := l.Close(ctx, ps.Period, at)
	if err != nil {
		return step, at, err
	}
	step.Closing, step.Revision, step.Outcome = res.Closing, res.Revision, Unchanged
	for _, e := range res.Entries {
		if e.Award != nil {
			step.Awards = append(step.Awards, *e.Award)
		}
	}
	if res.Outcome == ledger.Posted {
		step.Outcome = Posted
	}
	for _, c := range res.RankChanges {
		if err := s.tree.Apply(c); err != nil {
			return step, at, fmt.Errorf("recording rank change of %s: %w", c.Member, err)
		}
	}
	return step, at, nil
}

// stepJSON is what a step adds to expected.jsonl: its events, then its
// awards.
func stepJSON(s *Step) []byte {
	return append(commission.MarshalEvents(s.Events), commission.MarshalAwards(s.Awards)...)
}

// closeTable renders a close or preview step: the awards posted (for a
// preview, those it would post), the carries, the rank changes and one
// report line per member.
func closeTable(b *strings.Builder, s *Step, add func(member, currency, rule string, a *commission.Award)) {
	fmt.Fprintf(b, "== %s  period %s  at %s  %s", s.File, s.Period, instant(s.Revision), s.Outcome)
	if len(s.Awards) > 0 {
		fmt.Fprintf(b, " %d", len(s.Awards))
	}
	b.WriteString("\n")
	c := s.Closing
	if c == nil {
		return
	}
	awards := s.Awards
	if s.Outcome == Previewed {
		awards = c.Awards
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for i := range awards {
		a := &awards[i]
		from := ""
		if a.Source != "" {
			from = "from " + a.Source
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\tL%d P%d\t%s × %s\t= %s %s", a.Kind, a.Rule, a.Beneficiary, from, a.Level, a.PaidLevel,
			a.Basis(), a.Rate(), a.Amount().StringFixed(digits(a.Currency)), a.Currency)
		if a.Kind == commission.KindCorrection {
			fmt.Fprintf(tw, "\tcorrects %s", a.Corrects)
		}
		for _, f := range a.Figures {
			fmt.Fprintf(tw, "\t%s %s", f.Name, f.Value)
		}
		fmt.Fprintln(tw)
		if s.Outcome != Previewed {
			add(a.Beneficiary, a.Currency, a.Rule, a)
		}
	}
	tw.Flush()
	for _, cy := range c.Carry {
		fmt.Fprintf(b, "  carry %s %s leg %d %s\n", cy.Rule, cy.Member, cy.Leg, cy.Volume)
	}
	for _, rc := range c.RankChanges {
		fmt.Fprintf(b, "  rank %s paid-as %d highest %d from %s\n", rc.Member, rc.PaidAs, rc.Highest, instant(rc.Effective))
	}
	members := c.Members()
	slices.Sort(members)
	tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, m := range members {
		r, _ := c.Report(m)
		v := &r.Volumes
		fmt.Fprintf(tw, "  report %s\tPV %s\tGV %s\tOGV %s\trank %s", m, v.PV, v.GV, v.OGV, rankLabel(r.Ranks.PaidAs, r.RankName))
		if r.Ranks.Highest != r.Ranks.PaidAs {
			fmt.Fprintf(tw, ", highest %d", r.Ranks.Highest)
		}
		if r.Next != nil {
			fmt.Fprintf(tw, "\tnext %s", r.Next)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

func rankLabel(r hierarchy.Rank, name string) string {
	if name == "" {
		return fmt.Sprint(r)
	}
	return fmt.Sprintf("%d (%s)", r, name)
}

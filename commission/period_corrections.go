package commission

import (
	"slices"
	"time"
)

// Corrections returns what to post so that a period's posted awards
// (every award and correction already posted for it) pay what the close
// desires: for each slot whose posted amounts do not
// sum to the desired amount, the desired award itself when the slot was
// never posted, else a correction of the difference, effective at revision
// (the re-close's instant) and pointing at the slot's first award. A slot
// no longer desired is brought to zero. Nothing changed: nothing to post.
// The same posted, desired and revision give the same corrections, ids
// included. On a first close (nothing posted) they may be cl.Awards
// themselves: do not modify them.
func (cl *Closing) Corrections(posted []Award, revision time.Time) []Award {
	desired := cl.Awards
	if len(posted) == 0 && cl.pc != nil {
		// A first close computed by an Engine: it holds one award per
		// slot (closing refuses two) and none of zero (pay drops
		// them), so every award is what to post, as it is.
		return slices.Clip(desired)
	}
	revision = revision.UTC()
	diffs := diffSlots[AwardSlot](posted, desired)
	out := make([]Award, 0, len(diffs))
	for _, s := range diffs {
		if s.original < 0 {
			out = append(out, desired[s.desired])
			continue
		}
		orig := &posted[s.original]
		var c Award
		if s.desired >= 0 {
			c = desired[s.desired]
		} else {
			c = *orig
			c.basisV, c.basisScale, c.Figures, c.report = 0, 0, nil, nil
			if m, ok := cl.pc.Lookup(c.Beneficiary); ok {
				c.report = &reportRef{pc: cl.pc, m: int32(m)}
			}
		}
		c.Kind = KindCorrection
		c.amount = s.diff
		c.Effective = revision
		c.Corrects = orig.ID
		h := hashOrder(periodKey(c.Plan, c.Period))
		c.ID = awardID(&h, uint64(max(revision.UnixMilli(), 0)), &c, revision.UnixNano(), true)
		out = append(out, c)
	}
	return out
}

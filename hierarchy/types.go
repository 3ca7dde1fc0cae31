package hierarchy

import (
	"math"
	"strconv"
	"time"
)

// Member is a member's dense index inside one Genealogy: 0 for the first
// member enrolled, 1 for the next, in the order the enrollments were
// recorded. It is only meaningful for the Genealogy that issued it; the
// durable identity is the string id (Genealogy.ID, Genealogy.Lookup).
type Member int32

// None stands for "no member": the sponsor of a root, the placement parent
// of an unplaced member.
const None Member = -1

// Kind says whether a member is a distributor or a retail customer. It is
// fixed at enrollment.
type Kind uint8

const (
	// Distributor can sponsor and be a placement parent.
	Distributor Kind = 1
	// Retail is a retail customer: its sponsor is the distributor who owns
	// it (and earns its retail profit); it never sponsors or places anyone.
	Retail Kind = 2
)

// Status is a member's standing at an instant.
type Status uint8

const (
	Active     Status = 1
	Inactive   Status = 2
	Suspended  Status = 3
	Terminated Status = 4
)

// Leg is the position a member occupies under its placement parent: in a
// binary plan Left (1) or Right (2), in a matrix the position 1..width. 0
// means "placed, no particular leg" (a unilevel placement) or, with no
// parent, "not placed".
type Leg uint16

const (
	Left  Leg = 1
	Right Leg = 2
)

// Rank is a rank id as the compensation plan defines it; 0 is the plan's
// lowest rank.
type Rank uint16

// Ranks is a member's paid-as rank (for the current period) and highest
// rank (ever achieved; it never goes down).
type Ranks struct {
	PaidAs  Rank
	Highest Rank
}

// Op is the kind of a Change.
type Op uint8

const (
	OpEnroll  Op = 1 // a member joins: Kind, Sponsor, optional Parent/Leg, Status, PaidAs/Highest
	OpSponsor Op = 2 // the sponsor (enroller) changes: Sponsor
	OpPlace   Op = 3 // the placement changes: Parent ("" = taken out of the placement tree), Leg
	OpStatus  Op = 4 // the status changes: Status
	OpRank    Op = 5 // the ranks change: PaidAs, Highest
	OpCode    Op = 6 // a referral code is added: Code
)

var (
	opNames     = [...]string{OpEnroll: "enroll", OpSponsor: "sponsor", OpPlace: "place", OpStatus: "status", OpRank: "rank", OpCode: "code"}
	kindNames   = [...]string{Distributor: "distributor", Retail: "retail"}
	statusNames = [...]string{Active: "active", Inactive: "inactive", Suspended: "suspended", Terminated: "terminated"}
)

func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

func (s Status) String() string {
	if int(s) < len(statusNames) && statusNames[s] != "" {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

func parseName(names []string, s string) (uint8, bool) {
	for i, n := range names {
		if n != "" && n == s {
			return uint8(i), true
		}
	}
	return 0, false
}

// Change is one entry of the change log, the source of truth a Genealogy
// is built from. Effective is when the change takes effect; Recorded is
// when it became known. Recorded instants never decrease along a log.
// Fields an Op does not use must be zero.
type Change struct {
	Op        Op
	Member    string
	Kind      Kind   // OpEnroll
	Sponsor   string // OpEnroll ("" = a root distributor), OpSponsor
	Parent    string // OpEnroll (optional), OpPlace ("" = not placed)
	Leg       Leg    // OpEnroll, OpPlace (only with a Parent)
	Status    Status // OpEnroll (0 = Active), OpStatus
	PaidAs    Rank   // OpEnroll, OpRank
	Highest   Rank   // OpEnroll, OpRank
	Code      string // OpCode
	Effective time.Time
	Recorded  time.Time
}

// Instants are kept as int64 Unix nanoseconds (UTC), which covers
// 1677-09-21 to 2262-04-11; instants outside are refused.
var (
	minInstant = time.Unix(0, math.MinInt64)
	maxInstant = time.Unix(0, math.MaxInt64)
)

func instant(t time.Time) (int64, bool) {
	if t.Before(minInstant) || t.After(maxInstant) {
		return 0, false
	}
	return t.UnixNano(), true
}

// Whole Unix seconds strictly inside the range: an instant in one of them
// is representable, whatever its nanoseconds.
const (
	minInnerSec = -9223372036 // minInstant is 0.854775808 s into second -9223372037
	maxInnerSec = 9223372035  // maxInstant is 0.854775807 s into second 9223372036
)

// clampInstant is instant for queries: an instant beyond the range asks
// about the end (or start) of the representable time. Every Snapshot
// calls it, so the usual instant takes one comparison of seconds.
func clampInstant(t time.Time) int64 {
	if s := t.Unix(); minInnerSec <= s && s <= maxInnerSec {
		return t.UnixNano()
	}
	if t.Before(minInstant) {
		return math.MinInt64
	}
	if t.After(maxInstant) {
		return math.MaxInt64
	}
	return t.UnixNano()
}

func toTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// Package hierarchy is the genealogy upline computes commissions against:
// who sponsored (enrolled) whom, who is placed under whom on which leg,
// each member's status and ranks, and referral codes — every one of them a
// history of changes, each with the instant it takes effect and the
// instant it was recorded.
//
// Start with a Genealogy (the zero value is empty), apply changes in the
// order they are recorded, and ask a Snapshot:
//
//	var g hierarchy.Genealogy
//	err := g.Enroll("A", hierarchy.Distributor, "", joined, now)
//	err = g.Enroll("B", hierarchy.Distributor, "A", joined, now)
//	snap := g.Snapshot(order.CreatedAt)
//	b, _ := snap.Lookup("B")
//	up, _ := snap.Upline(b)
//	for a, ok := up.Next(); ok; a, ok = up.Next() {
//		// a.Member, a.Level, a.Status, a.Ranks as at the order's instant
//	}
//
// # Time
//
// A Change carries Effective (when it takes effect) and Recorded (when it
// became known; the caller supplies it, the package reads no clock).
// Recorded instants never decrease along the log: the log is append-only,
// and "as known at recording instant K" is a prefix of it. A correction
// ("B's sponsor was C as of last month") is a new change recorded now with
// an earlier Effective. The value of an attribute at instant t is that of
// the change with the latest Effective at or before t; of changes with the
// same Effective, the one recorded last wins.
//
// Genealogy.Snapshot(t) sees every change applied so far;
// SnapshotAsOf(t, known) sees only those recorded at or before known. A
// Snapshot remembers the log position it was taken at, so changes applied
// afterwards never alter its answers: an order computed against it can be
// recomputed identically, and recalculating with newer knowledge is the
// deliberate act of taking a new Snapshot. Inside, instants are int64 Unix
// nanoseconds (UTC); instants outside 1677-09-21..2262-04-11 are refused.
//
// # Rules
//
// Apply checks each change against every instant, given every change
// already recorded (including ones recorded earlier but effective later),
// and refuses with an *Error that wraps one of the Err* kinds and names
// the change, the members, the instant and why: a sponsor or placement
// that would make a cycle at any instant (ErrCycle), sponsoring or placing
// oneself (ErrSelfSponsor), a change effective before the member's
// enrollment or naming a sponsor not yet enrolled then
// (ErrBeforeEnrollment), unknown members (ErrUnknownMember), a second
// enrollment (ErrDuplicateMember), a code already used (ErrDuplicateCode;
// codes are never reused), a recording instant before the log's last
// (ErrOutOfOrder), a highest rank that would go down over time
// (ErrRankDown), a retail customer that would sponsor or be a placement
// parent, or would have no sponsor (ErrNotDistributor), and malformed
// fields (ErrInvalid). A refused change leaves the Genealogy unchanged.
//
// Members are distributors or retail customers (Kind, fixed at
// enrollment). A retail customer's sponsor is the distributor who owns it.
// A distributor enrolled without a sponsor is a root. Enrollment itself
// (its instant, kind and initial values) cannot be changed afterwards;
// later values come from later changes. Ids and codes are non-empty
// printable UTF-8 and compared byte for byte. Statuses may change in any
// direction, including back from Terminated. Ranks are plan-defined ids
// (Rank); paid-as may not exceed highest. Legs are positions under the
// placement parent (Left = 1, Right = 2 in a binary plan); two members on
// the same leg of the same parent are not refused.
//
// # Representation
//
// Members are dense int32 indexes (Member) in enrollment order; Lookup and
// ID convert from and to the external string ids. Everything is held in
// flat, pointer-free slices, so the garbage collector never scans the tree
// whatever its size. What an upline walk reads per step is one 12-byte
// node: the enrollment sponsor (the chain the walk follows) and the state
// (status, paid-as and highest ranks, kind), so a step usually touches one
// cache line. A member whose sponsor changes after enrollment has its
// sponsor word flagged (a value below -1 that still encodes the enrollment
// sponsor), one whose status or ranks change has a flag bit in its state;
// only those members are looked up in their histories. Everything else is
// in parallel slices a walk does not touch, and one shared array of change
// records in which a member with later changes owns a span per attribute,
// sorted by effective instant. Upline walks allocate nothing. The whole
// genealogy takes about 149 bytes per member.
//
// Ids and codes live in one byte buffer each, with an open-addressing
// table whose slots hold the entry and 32 bits of the string's hash, so a
// lookup compares the bytes of the one string it finds and no other. A
// code's member and instants sit in one 16-byte record.
//
// The layout is internal/tree's (the table internal/strtab's), shared
// with commission, whose CalculateEach reads ahead in a large genealogy
// for the orders it calculates next; this package exports nothing for it.
// BenchmarkWalkUpline10Hot, BenchmarkWalkUpline10, BenchmarkLookup and
// BenchmarkResolve measure the paths above; the README's Performance
// section lists what they measured.
//
// Queries may run concurrently with each other, not with Apply.
//
// # Persistence
//
// The change log is the source of truth: a Store appends and loads it
// (Memory is the default; every Store passes hierarchytest.Run), Open
// rebuilds a Genealogy from it (as it is read, from a Streamer such as
// the PostgreSQL adapter's), and Genealogy.Record checks a change,
// appends it to the Store and applies it. EncodeCSV/DecodeCSV and
// EncodeJSON/DecodeJSON read and write the log; LoadCSV and LoadJSON also
// build it, naming the CSV line or JSON path of a refused change.
//
// CSV: a header row
//
//	op,member,kind,sponsor,parent,leg,status,paid_as,highest,code,effective,recorded
//
// then one change per row: op is enroll, sponsor, place, status, rank or
// code; kind is distributor or retail; status is active, inactive,
// suspended or terminated; leg, paid_as and highest are integers; instants
// are RFC 3339 with up to nanoseconds, written in UTC; zero fields are
// empty. JSON: an array of objects with the same field names, zero fields
// omitted, one change per line.
package hierarchy

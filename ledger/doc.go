// Package ledger is where commission events become money owed: an
// append-only record that posts each order's corrections exactly once,
// however often, however late and however concurrently its webhooks
// arrive, and that proves it with a reconciliation report.
//
// Start with New over a Store (NewMemory, the in-memory default, or your
// own that passes ledgertest.Run) and a commission engine, then Post every
// order revision a webhook brings:
//
//	l := ledger.New(ledger.NewMemory(), engine)
//	res, err := l.Post(ctx, &order, receivedAt) // res.Outcome: Posted, Duplicate or Stale
//	var held *ledger.HeldError                  // unknown SKU, unattributed: nothing posted
//	if errors.As(err, &held) { ... }
//	bal, _ := l.Balance(ctx, "B", "USD", now)
//	run, _ := l.Payout(ctx, ledger.Run{ID: "2025-08", Period: ledger.Month(2025, time.August), At: now})
//	rec, _ := l.Reconcile(ctx, ledger.Month(2025, time.August), platformOrders, now)
//	rec.WriteTable(os.Stdout)                    // delta share "0" when every cent is where it belongs
//
// The package reads no clock: every instant (the posting instant, a payout
// run's instant) is an argument. Money is decimal.Decimal and is never
// rounded here: amounts are the events' own, and sums are exact.
//
// # Posting an order
//
// Post reads the order's stream, calculates the revision's desired events
// and appends only commission.Corrections against what is posted:
//
//   - The first post fixes the order's commission.Lock (the genealogy as
//     known at the posting instant, and the plan version in force); it is
//     recorded on every entry of the order and reused for every later
//     revision, so later moves in the genealogy never change what an order
//     paid.
//   - Each entry records the revision (normalize.Order.Version) that posted
//     it. A revision older than the newest posted is Stale; the newest
//     again is a Duplicate; neither appends anything. A newer revision that
//     changes nothing appends a TypeRevision entry, so that an older
//     revision arriving after it is still recognized as stale.
//   - A revision already posted that now calculates differently (two bodies
//     with one updated-at) is refused with a *ConflictError rather than
//     letting whichever arrived last win.
//   - An order that cannot be calculated is refused with a *HeldError and
//     nothing of it is posted; Reconcile lists it as held.
//   - Appends are optimistic: each order is a stream with a version, and an
//     append at a stale version fails with ErrVersionConflict; Post then
//     reads again and decides again (Options.Attempts times at most). Two
//     posts of one order racing can therefore never both append.
//
// PostEvents posts events calculated elsewhere, idempotently per event id:
// the same event again is reported in EventsResult.AlreadyPosted, the same
// id with different content is a *ConflictError naming the first differing
// field of the event's JSON form ("amount", "beneficiary", ...).
//
// # Entries and streams
//
// An Entry is a posted commission or correction event, a revision marker, a
// payout, a hold, a payout run, or an adjustment, with a member, currency,
// signed amount (positive is owed to the member), the instant it is
// effective and the instant it was posted. Nothing is updated or deleted.
// Entry ids are unique in a store: an event's ULID; "revision <stream>
// <version>"; "run <id>", "payout <run> <member> <currency>", "hold <run>
// <member> <currency>" (quoted); "adjustment <id>". Streams are
// OrderStream(key) per order, PayoutStream for every payout run, and
// AdjustmentStream(id) per adjustment. A SQL store keeps one row per entry
// (the event as its JSON form) and a version per stream.
//
// # Balances, statements, payouts, totals
//
// Balance and Balances sum entries effective at or before an instant.
// Statement gives a period's opening, earnings by rule, clawbacks,
// adjustments, payouts and closing. Payout pays, per member and currency,
// what became effective before the period's end less everything paid
// before, above a minimum and unless held; a run id is idempotent, runs are
// serialized in PayoutStream so two runs never pay one balance, and a
// balance a clawback drove negative after a payout is carried and reported
// (PayoutResult.Negative) until later earnings cover it or an operator
// posts an Adjustment. Totals gives each member's yearly figures, zero
// earners included, for an income disclosure statement.
//
// # Reconciliation
//
// Reconcile recalculates the platform's orders at their recorded locks and
// compares, per slot (order, line, component, rule, beneficiary, level),
// what is desired with what is posted: orders missing, extra (commissions
// in the period for orders the platform did not list) and differing, and
// per currency the delta share Σ|posted − desired| / Σ|desired|, reported
// to ShareDigits places ("0" exactly when every slot matches). It writes
// itself as JSON (MarshalJSON) and as a table (WriteTable).
package ledger

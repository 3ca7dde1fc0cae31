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
//	// A refund delivered on its own: apply it to the order the ledger holds.
//	newest, _, err := l.Order(ctx, normalize.Key{Platform: r.Platform, Store: r.Store, OrderID: r.OrderID})
//	refunded, err := newest.ApplyRefund(r)
//	res, err = l.Post(ctx, &refunded, receivedAt)
//	var held *ledger.HeldError // unknown SKU, unattributed, refunds that do not fit: nothing posted
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
// Post takes one delivery: an order body as a decoder returned it, or an
// order with a refund delivered on its own applied to it
// (normalize.Order.ApplyRefund, woocommerce.Decoder.ApplyRefund). Apply
// such a refund to the order the ledger holds (Ledger.Order), not to a body
// kept elsewhere, which may be older.
//
// Every successful post appends a revision record: a TypeRevision entry
// whose Memo is the canonical JSON (normalize.Order.MarshalJSON) of the
// merged order it calculated. The last record is the order's newest
// revision; call its Version N. Post of a delivery o then:
//
//  1. Merges. New refunds are refunds with lines in o that the newest
//     revision does not record with lines. The base is o when the order
//     was never posted, when o.Version > N, or when o.Version = N and o
//     brings no new refund; otherwise (an older delivery, or a refund at
//     the newest revision's own instant) the newest revision. Every refund
//     with lines of the newest revision and of o is applied to the base
//     with ApplyRefund, which appends a missing refund, replaces an
//     amount-only summary (as WooCommerce order bodies list refunds; Magento
//     bodies carry none) by the refund with its lines, and ignores a refund
//     already there. So a refund delivered on its own is never lost to a
//     later body that leaves out its lines. If the refunds do not fit the
//     base (they take back more than a line sold, as when an edit removed a
//     refunded line, or a refund was decoded against an older body), the
//     delivery is held: a *HeldError wrapping normalize.ErrRefundExceeds,
//     nothing appended.
//  2. Decides. o.Version < N without new refunds is Stale; o.Version = N
//     without new refunds is a Duplicate when the merged order calculates
//     as posted, otherwise a *ConflictError (two bodies with one
//     updated-at). Anything else posts: a newer body, or a new refund —
//     even one whose instant is N (WooCommerce sets date_modified to the
//     refund's instant) or before it (a refund arriving after an unrelated
//     update).
//  3. Calculates the merged order with the order's commission.Lock (fixed
//     by the first post: the genealogy as known at its posting instant, and
//     the plan version in force; later moves in the genealogy never change
//     what an order paid) and appends, atomically, commission.Corrections
//     against everything posted for the order, and the revision record.
//
// Each entry records in Revision the ledger's revision instant: the merged
// order's Version, or, when that is not later than the order's previous
// revision instant, one nanosecond after it. Revision instants strictly
// increase per order because a correction's id derives from its slot and
// the revision instant (a refund posted at the body's own version would
// otherwise reuse the id of a correction posted with the body) and because
// Corrections ignores a revision older than a correction already posted.
// Corrections are effective at the revision instant.
//
// # Replacements
//
// An order with ReplacesOrderID (a Magento edit: the original is cancelled
// and a new order with a new entity id replaces it) is a replacement, not a
// second sale. Its first post, in two appends:
//
//  1. brings the original's stream to zero — corrections reversing every
//     slot posted for it — and appends a record marking it replaced
//     (id "replaced <stream>", Memo the replacement's stream), even when
//     the original was never posted, so that a late delivery of it is not
//     paid beside the replacement;
//  2. posts the replacement calculated with the original's lock and at the
//     original's OrderTS (the genealogy instant: the sale was made then;
//     the replacement's own OrderTS is the instant of the edit). Its
//     revision records keep that OrderTS, so its later revisions are read
//     at the same instant. An original never posted leaves the
//     replacement its own lock and OrderTS.
//
// Every delivery of a replaced original is Stale afterwards
// (Result.ReplacedBy names the replacement), its cancellation included,
// and Reconcile desires it at zero. Each append is atomic: should the
// process stop between the two, the next delivery of the replacement finds
// the original already zero and marked, and posts only the replacement.
//
// # Failures and races
//
// An order that cannot be calculated is refused with a *HeldError and
// nothing of it is posted; Reconcile lists it as held. Appends are
// optimistic: each order is a stream with a version, and an append at a
// stale version fails with ErrVersionConflict; Post then reads again and
// decides again (Options.Attempts times at most). Two posts of one order
// racing can therefore never both append.
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
// <revision instant>" (RFC 3339 with nanoseconds); "replaced <stream>";
// "run <id>", "payout <run> <member> <currency>", "hold <run>
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
// Reconcile recalculates the platform's orders as Post would (merged with
// the refunds recorded, at their recorded locks; a replaced order at zero)
// and compares, per slot (order, line, component, rule, beneficiary, level),
// what is desired with what is posted: orders missing, extra (commissions
// in the period for orders the platform did not list) and differing, and
// per currency the delta share Σ|posted − desired| / Σ|desired|, reported
// to ShareDigits places ("0" exactly when every slot matches). It writes
// itself as JSON (MarshalJSON) and as a table (WriteTable).
package ledger

// Package ledger is where commission events become money owed: an
// append-only record that posts each order's corrections exactly once,
// however often, however late, in whatever order and however concurrently
// its webhooks arrive, and that proves it with a reconciliation report.
//
// Start with New over a Store (NewMemory, the in-memory default, or your
// own that passes ledgertest.Run) and a commission engine. Deliveries
// usually reach it through package ingest, which verifies and decodes
// them; called directly, post every order body and every refund delivered
// on its own:
//
//	l := ledger.New(ledger.NewMemory(), engine)
//	res, err := l.Post(ctx, &order, receivedAt)        // Posted, Duplicate or Stale
//	res, err = l.PostRefund(ctx, refund, receivedAt)   // Posted, Duplicate, Stale, or Waiting for its order
//	var held *ledger.HeldError // unknown SKU, unattributed, refunds that do not fit, ambiguous: nothing posted
//	if errors.As(err, &held) { ... }
//	bal, _ := l.Balance(ctx, "B", "USD", now)
//	run, _ := l.Payout(ctx, ledger.Run{ID: "2025-08", Period: ledger.Month(2025, time.August), At: now})
//	rec, _ := l.Reconcile(ctx, ledger.Month(2025, time.August), platformOrders, now)
//	rec.WriteTable(os.Stdout)                          // delta share "0" when every cent is where it belongs
//
// The package reads no clock: every instant (the posting instant, a payout
// run's instant) is an argument. Money is decimal.Decimal and is never
// rounded here: amounts are the events' own, and sums are exact.
//
// # The record
//
// An Entry is a fixed record whose Type says which of its typed fields are
// set; nothing is read out of an id or a free-text field:
//
//	TypeCommission, TypeCorrection  Event: a commission event, or a correction of its slot
//	TypeVolume                      Volume: a line's PV, QV, CV and net for the credited member, or a correction
//	TypeRevision                    Body: an order body as delivered; Placed: the instant the genealogy is read at
//	TypeRefund                      Refund: a refund delivered on its own
//	TypeReplaced                    ReplacedBy: the order that replaced this one
//	TypeFrozen                      Reason: an order frozen by a currency change
//	TypePayout, TypeHold, TypeRun   Run, Withheld, Reason, RunParams: a payout run and what it paid or held
//	TypeAdjustment                  Reason: an operator's adjustment
//	TypeAward                       Award: a period award, or a correction of its slot (money)
//	TypeCarry                       Carry: what a period rule carries forward to the next period
//	TypeClose                       Close: a close of a period
//
// Entries are grouped into streams: OrderStream(key) per order,
// PayoutStream for every payout run, AdjustmentStream(id) per adjustment,
// PeriodStream(plan, period) per closed period.
// Each entry also gets a Position in the whole store, strictly increasing
// in the order appends commit, so a follower (an event-bus publisher, a
// read model, an export) reads what is new with Store.After.
//
// # Queries on a large ledger
//
// Balance and Statement read one member's entries, and Balances and a
// payout run's earnings are sums per member and currency. A Store that is
// also a Summer (as io.WriterTo extends io.Writer) returns those sums
// itself — a SQL aggregate — and the ledger adds up Scan's entries only
// for a store that is not. Memory is a Summer and keeps each member's
// entries in a list of their own, so one member's balance costs the same
// at 10k entries as at 1M (BenchmarkBalance).
//
// A payout run reads PayoutStream's version, an earlier run with its id
// (Filter.Run, which both stores serve from an index) and two sums —
// what was earned, and every payout — never the runs before it entry by
// entry. A Store that is also a Tailer reads a stream's version, or what
// was appended after a version the caller holds, without the entries
// before it (StreamAfter); the ledger reads the whole stream with Stream
// on a store that is not. Memory is a Tailer (BenchmarkPayout).
//
// A close sums its period's volume entries per member. A Store that is
// also a Volumer returns those sums itself (Volumes); the ledger adds up
// Scan's entries for a store that is not. Memory is a Volumer: it keeps
// volume entries apart, by day, with their volumes as integers, so a
// close visits its period's lines only, however long the ledger's
// history, and builds no Entry (BenchmarkCloseLines); the PostgreSQL
// store sums them in one query.
//
// # Posting many orders
//
// PostAll posts a slice of orders as Post would, one after the other; on a
// store that is also a Batcher it reads their streams together and
// appends many orders' entries in one atomic batch, so an import or a
// replay pays one commit per batch, not per order. Memory is a Batcher.
//
// # Posting an order
//
// An order's stream holds its bodies (TypeRevision) and its refunds
// (TypeRefund) apart: a body is a revision of what the platform says of the
// order, a refund is money returned, and the version of one never makes the
// other stale. What the ledger calculates is the newest body — the one
// with the greatest Version — with every refund recorded for the order
// applied (normalize.Order.ApplyRefund: a refund with lines replaces a
// summary of it without lines, a refund already there is ignored): the
// refunds delivered on their own and those with lines any body brought.
//
// Post of a body o:
//
//  1. Checks it: normalize.Validate and normalize.Reconcile, or a
//     *HeldError and nothing appended.
//  2. Decides. Older than the newest body and bringing no refund the order
//     lacks: Stale. The newest body again, or one that says the same but
//     for its Version and OrderTS (a timestamp-less form received again,
//     such as the referral webhook): Duplicate. The same Version as the
//     newest but different: calculated, and a *ConflictError unless it
//     pays the same. An older body that brings a new refund: the refund
//     is recorded, the body is not.
//  3. Calculates the merged order on the order's basis — the
//     commission.Lock and the instant the genealogy is read at, both fixed
//     by the order's first post (the OrderTS of its first body; later moves
//     in the genealogy never change what an order paid) — and appends,
//     atomically, the corrections of every commission and volume slot
//     against what is posted, and the body's revision record.
//
// PostRefund of a refund r records it (TypeRefund) and calculates the
// order again, as Post does; for an order whose body has not arrived it
// records r alone (Waiting), and the body's first post applies it. A
// refund recorded with its lines already is a Duplicate.
//
// Each entry records in Revision the ledger's revision instant: the merged
// order's Version (a refund's instant moves it up), or, when that is not
// later than the order's newest revision instant, one nanosecond after it.
// Revision instants strictly increase per order because a correction's id
// derives from its slot and the revision instant. A commission is
// effective at the order's OrderTS, a correction at its revision instant;
// volumes likewise.
//
// Held, with nothing posted: a body or refund that is invalid, an order
// that cannot be calculated (unknown SKU, nobody credited), refunds that
// take back more than a body sold, a second replacement of one order
// (ErrAmbiguousReplacement). A body in another currency than the order was
// posted in freezes the order: its slots are brought to zero, a TypeFrozen
// record is appended, and this and every later delivery of the order is
// held with ErrCurrencyChanged — the ledger cannot tell which currency is
// right, so it pays neither.
//
// # Explanations, and what a store keeps of them
//
// Every commission and correction carries the calc_snapshot of the
// calculation that made it (commission.CalcSnapshot): the plan id and
// version, the genealogy's knowledge instant, the instant it was read at,
// the order version, the credited member, the upline chain as far as the
// rules read it with statuses and ranks, every line's SKU version and
// class, and the cap. It is the calculation's, not the event's: all the
// events of one calculation share one snapshot (one pointer), and Memory
// keeps it once. A store that serializes entries should do the same —
// keep each distinct snapshot once (keyed by its content, say) with the
// events referring to it, and write an event's own JSON without it — so an
// order's stored size grows with its events plus its lines, not with
// events × lines.
//
// # Replacements
//
// An order with ReplacesOrderID (a Magento edit: the original is cancelled
// and a new order replaces it; a chain of edits names each direct parent)
// is a replacement, not a second sale. Its first post first brings the
// original's stream to zero and marks it replaced (TypeReplaced, appended
// even to an original never posted, so that its late delivery is stale),
// then posts the replacement on the original's basis (the sale was made
// when the original was placed). Every delivery of a replaced order is
// Stale afterwards (Result.ReplacedBy names the replacement), and
// Reconcile desires it at zero.
//
// Edits may arrive in any order. When a replacement arrives before the
// order it replaces, it is posted on its own basis; when that order (or a
// link of the chain between) arrives late, the chain's last order is
// calculated again on the basis the chain starts from. So every order of
// delivery ends where the edits in the order they were made end. Until the
// missing link arrives, an original posted before its late link is paid
// beside the replacement; reconciliation shows it. Each append is atomic,
// and the original is zeroed before its replacement is posted: should the
// process stop between the two, the sale pays nothing — never twice —
// until the replacement is delivered again (the ledger needs its body). A
// re-basing that stopped midway is finished by the next delivery of any
// order of the chain. The zeroing of an original is effective when the
// replacement's commissions are (the original's sale instant), so that
// the two cancel in every period.
//
// # Failures and races
//
// Appends are optimistic: each stream has a version, and an append at a
// stale version fails with ErrVersionConflict; Post then reads again and
// decides again (Options.Attempts times at most). Two posts of one order
// racing can therefore never both append.
//
// PostEvents posts events calculated elsewhere, idempotently per event id:
// the same event again is reported in EventsResult.AlreadyPosted, the same
// id with different content is a *ConflictError naming the first differing
// field of the event's JSON form ("amount", "beneficiary", ...).
//
// # Balances, statements, payouts, totals
//
// Balance and Balances sum the money entries effective at or before an
// instant. Statement gives a period's opening, earnings by rule,
// clawbacks, adjustments, payouts and closing. Payout pays, per member and
// currency, what became effective before the period's end less everything
// paid before, above a minimum and unless held; a run id is idempotent,
// runs are serialized in PayoutStream so two runs never pay one balance,
// and a balance a clawback drove negative after a payout is carried and
// reported (PayoutResult.Negative) until later earnings cover it or an
// operator posts an Adjustment. Totals gives each member's yearly figures,
// zero earners included, for an income disclosure statement.
//
// # Period close
//
// Close closes a period of the plan — summing its volume entries (by the
// order's period or the refund's, as the plan says), computing volumes,
// ranks and period rules with the Calculator (a Closer: the engine) over
// the genealogy as known at the close — and appends its awards, carries
// and a close record to the period's stream, exactly once: the same close
// again appends nothing, a close after late refunds or genealogy
// corrections appends only corrections. It returns the rank changes for
// the caller to record in the genealogy. Preview computes the same and
// posts nothing. See the README's "Period close".
//
// # Reconciliation
//
// Reconcile recalculates the platform's orders as Post would (the newer of
// the platform's body and the ledger's, with every refund recorded, on the
// order's basis; a replaced order at zero) and compares, per slot (order,
// line, component, rule, beneficiary, level), what is desired with what is
// posted: orders missing, extra (commissions in the period for orders the
// platform did not list) and differing, and per currency the delta share
// Σ|posted − desired| / Σ|desired|, reported to ShareDigits places ("0"
// exactly when every slot matches). It writes itself as JSON (MarshalJSON)
// and as a table (WriteTable).
//
// # What-if
//
// WhatIf runs a candidate — an engine built with another plan, or another
// catalog, over the same genealogy — over the orders placed in a period,
// as Post would calculate them now, and posts nothing. Its Comparison
// sets what the candidate pays beside what the ledger posted, per
// currency, rule and member, with each as a share of the period's
// commissionable volume; like a Reconciliation it writes itself as JSON
// and as a table. With the ledger's own engine as the candidate nothing
// differs.
//
// A candidate that closes periods (an engine whose plan declares a
// period) is run over exactly one of its periods, and the comparison
// gains that period's bonuses (Comparison.Bonuses): the candidate's close
// computed as Preview computes one, over the ledger's volumes as of the
// live close, beside the awards the live close posted, net of
// corrections — or, when the live period is not closed, the candidate's
// alone, the live side marked not closed (PeriodBonuses.LiveClosed), not
// zero. Other bounds, a live period with other bounds, or bonuses in
// another currency are refused (ErrPeriodMismatch, ErrCurrencyMismatch).
package ledger

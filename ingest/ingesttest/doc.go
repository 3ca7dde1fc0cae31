// Package ingesttest golden-tests a compensation plan: it plays a scenario
// directory — a plan, a genealogy, a catalog and a sequence of order and
// refund deliveries — through the one delivery path an application uses
// (ingest.Service over a ledger.Ledger), and compares every event posted
// with a golden file, byte for byte.
//
// Start with Run (or RunAll for a folder of scenarios) from a test:
//
//	func TestPlan(t *testing.T) {
//		ingesttest.RunAll(t, "testdata/scenarios")
//	}
//
// The first run fails for want of golden files; run the test with -update
// to write them (if your test binary defines an -update flag), or pass
// Update(true), then read them: expected.txt is the same events as a table,
// with each step's breakage and cap and each beneficiary's totals, made for
// checking the amounts by hand. On a mismatch Run names the first step whose
// events differ and prints a diff of both files.
//
// Play runs a scenario without comparing, for tests that assert amounts of
// their own; Scenario.PlayOn plays it into a ledger the caller keeps, and
// Scenario.Candidate builds an engine over the scenario's genealogy with
// other plan versions or another catalog, to run a what-if
// (ledger.Ledger.WhatIf) over the scenario's history.
//
// # Scenario directory
//
//	plan.json          one plan version (commission.LoadPlan's JSON), or
//	plans/*.json       several versions of one plan, read in name order
//	genealogy.csv      the hierarchy change log (hierarchy.LoadCSV), or
//	genealogy.json     the same as JSON (hierarchy.LoadJSON)
//	catalog.json       the catalog (sku.LoadJSON), or
//	skus.csv, keys.csv the same as CSV (sku.LoadCSV)
//	scenario.json      options (optional, see Options)
//	steps/             the deliveries, in file-name order
//	expected.jsonl     the golden: every event posted, in order
//	expected.txt       the same events as a table
//	README.md          what the scenario shows and why the numbers are right
//
// A step's file name says what it holds:
//
//	<seq>-[<platform>-]<kind>[-<note>].json
//
// where platform is shopify, woocommerce or magento (absent: the canonical
// JSON form of package normalize) and kind is order, refund or, for Magento,
// creditmemo. Examples: 01-order.json (normalize.DecodeJSON),
// 02-shopify-refund.json (a refunds/create body), 03-woocommerce-order.json,
// 04-magento-creditmemo.json, 05-order-cancelled.json. The note is free text.
// Steps are sorted by name, so give the sequence a fixed width (01, 02, ...).
//
// # What a step does
//
// The player delivers every step, in name order, with ingest.Service.Deliver
// to a ledger.Ledger over ledger.NewMemory(), at the scenario's knowledge
// instant, so a scenario is played by exactly the rules an application
// follows (packages ingest and ledger document them). The step's name picks
// its source (ingest.Shopify, ingest.WooCommerce, ingest.Magento, or
// ingest.Canonical for the canonical form, all as a trusted channel: the
// files carry no signatures) and, for a refund, its topic (refunds/create,
// a WooCommerce refund object, a Magento credit memo, a canonical refund).
//
//   - An order body is a revision of its order. The ledger calculates it
//     merged with every refund recorded for the order, with the order's
//     commission.Lock (on its first delivery a lock at the knowledge
//     instant) and the genealogy as it stood at the order's first OrderTS,
//     and posts only the corrections (Posted), or nothing: an older body
//     (Stale), the same body again or one that changes no payout
//     (Unchanged). An order replacing another (a Magento edit) brings the
//     original to zero and is calculated as the original was.
//
//   - A refund is recorded apart from the order's bodies and applies to all
//     of them. A refund for an order no step has delivered yet waits
//     (Waiting) and is applied when the order arrives.
//
//   - A step the ledger holds — an unknown SKU, no distributor, refunds that
//     do not fit, two bodies with one version that calculate differently,
//     an ambiguous replacement — fails the scenario with its cause.
//
//   - A period step, <seq>-close[-<note>].json or <seq>-preview[-<note>].json,
//     holds {"period": "2026-01", "at": "2026-02-05T00:00:00Z"}: it closes
//     the period with ledger.Ledger.Close at that instant (the genealogy's
//     knowledge instant, no earlier than the period's end plus the plan's
//     grace), or previews it with ledger.Ledger.Preview. A close records its
//     rank changes in the scenario's genealogy, and the orders delivered
//     after it are first calculated knowing them. Its outcome is Posted when
//     it appended anything (its first close, or corrections), Unchanged
//     otherwise; a preview is Previewed and posts nothing.
//
// expected.jsonl is commission.MarshalEvents of each step's events, one after
// the other, and after a close step commission.MarshalAwards of the awards
// and corrections it posted: what the ledger holds at the end. expected.txt
// shows a period step as its awards (a preview's, as it would post them),
// carries, rank changes and one report line per member: volumes, the rank
// reached and what the next rank lacks.
//
// # Options
//
// scenario.json may set the knowledge instant (by default the latest
// Recorded instant of the genealogy log) and the platform decoders' options:
//
//	{"known": "2025-08-28T09:00:00Z",
//	 "shopify": {"store": "acme.myshopify.com", "ref_keys": ["ref"], "taxes_included": false},
//	 "woocommerce": {"store": "shop.example.com", "ref_from_coupon": true, "shop_currency": "USD",
//	                 "statuses": {"awaiting-shipment": "paid"}},
//	 "magento": {"store": "https://magento.example.com"}}
//
// Unknown fields are refused.
//
// # The -update flag
//
// ingesttest registers no flag, so it never collides with a flag of
// your own. Update(on) decides; without it Run follows a boolean flag named
// "update" when the test binary has one (yours, or upline's internal golden
// package's in upline's own tests), and otherwise compares.
package ingesttest

// Package commissiontest golden-tests a compensation plan: it plays a
// scenario directory — a plan, a genealogy, a catalog and a sequence of order
// and refund deliveries — through the commission engine the way an
// append-only ledger posts them, and compares every event posted with a
// golden file, byte for byte.
//
// Start with Run (or RunAll for a folder of scenarios) from a test:
//
//	func TestPlan(t *testing.T) {
//		commissiontest.RunAll(t, "testdata/scenarios")
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
// their own.
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
// The player posts every step to a ledger.Ledger over ledger.NewMemory(),
// at the scenario's knowledge instant, so a scenario is played by exactly
// the rules an application's ledger follows (package ledger documents them):
//
//   - An order delivery (any form) is posted as it is. The ledger merges it
//     with the order's newest revision, keeping the refunds delivered
//     before that it does not list with their lines (a refund webhook
//     followed by an order update that does not repeat it must not undo
//     it). A revision older than the newest that brings no new refund is
//     Stale and posts nothing. An order replacing another
//     (normalize.Order.ReplacesOrderID, a Magento edit) brings the original
//     to zero and is calculated as the original was.
//   - A refund delivery (normalize.DecodeRefundJSON, a Shopify refunds/create
//     body, a Magento credit memo) is applied with
//     normalize.Order.ApplyRefund to the order the ledger holds for the key
//     it names (ledger.Ledger.Order); a WooCommerce refund object with
//     woocommerce.Decoder.ApplyRefund to the WooCommerce order it names, or
//     to the only one delivered. A refund for an order no earlier step
//     delivered fails the scenario.
//   - The ledger calculates the merged revision with the order's
//     commission.Lock — on its first delivery a lock at the scenario's
//     knowledge instant — and posts commission.Corrections against
//     everything posted for the order: new commissions and corrections. A
//     duplicate delivery, or a revision that changes no payout, posts
//     nothing (Unchanged).
//   - A revision with the same version as the newest that calculates
//     differently fails the scenario: two bodies with one updated-at must
//     not silently disagree. An order the ledger holds (an unknown SKU, no
//     distributor, refunds that do not fit) fails it with the cause.
//
// expected.jsonl is commission.MarshalEvents of each step's events, one after
// the other: what the ledger holds at the end.
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
// commissiontest registers no flag, so it never collides with a flag of
// your own. Update(on) decides; without it Run follows a boolean flag named
// "update" when the test binary has one (yours, or upline's internal golden
// package's in upline's own tests), and otherwise compares.
package commissiontest

// Package webhook is upline's HTTP front door: an http.Handler that takes
// Shopify, WooCommerce, Magento / Adobe Commerce and referral webhooks to
// an ingest.Service, and an Inbox that keeps every authentic delivery
// before it is acknowledged, so that none is lost and a held one can be
// delivered again once its cause is mended. It is a thin wrapper: every
// decision about a body (is it authentic, which store, what it posts) is
// ingest.Service.Deliver's.
//
// Start with New over a service and an inbox, and serve it; serve Admin
// where only operators reach it:
//
//	inbox, err := webhook.OpenFile("webhooks.jsonl")
//	h := webhook.New(svc, inbox, webhook.Options{Logger: logger})
//	go http.ListenAndServe("127.0.0.1:9090", h.Admin())
//	http.ListenAndServe(":8080", h)
//
// # Routes
//
//	POST /shopify          topic X-Shopify-Topic, delivery id X-Shopify-Webhook-Id
//	POST /woocommerce      topic X-WC-Webhook-Topic, delivery id X-WC-Webhook-Delivery-ID
//	POST /magento/{topic}  Adobe Commerce names no event in its requests: the URL of each subscription does
//	POST /referral         the referral webhook, which has no signature: authenticate it before the handler
//
// # One delivery
//
// The handler reads the body (at most Options.MaxBody bytes), hands it to
// Deliver at the instant received, and records in the inbox — fsynced,
// for the File inbox — the body, the headers that matter (KeptHeaders),
// the instant, and what delivering did, before it answers. Deliver comes
// first because it is what tells an authentic body from a forgery: a
// forgery is never written anywhere. A crash before the record is written
// loses nothing acknowledged: the platform, answered nothing, delivers
// again, and the ledger recognises what it posted.
//
// A delivery is recognised again by its inbox id (RecordID: the platform's
// delivery id, the topic and the body): the very bytes under the very
// signature of a delivery done already are answered "duplicate" without
// delivering them again. The same body under a new delivery id (a resend
// from the platform's admin) is delivered and recorded anew, and the
// ledger, which recognises a body by its content, posts nothing.
//
// # Status codes
//
//	200 posted        the ledger posted it
//	200 duplicate     the ledger (or the inbox) had it already
//	200 stale         a newer body of the order was posted already
//	200 waiting       a refund before its order: recorded, applied when the order arrives
//	200 held          authentic but not postable (unknown SKU, nobody credited, malformed JSON,
//	                  refunds that do not fit, ...): kept in the inbox with its reason for an
//	                  operator. Not an error: the platform retrying cannot mend a catalog, and
//	                  retrying for hours ends with it disabling the webhook.
//	200 acknowledged  WooCommerce's ping (unsigned and empty: not recorded)
//	202 failed        the ledger's store failed: kept in the inbox, held as store_failed, and
//	                  re-driven from there (RedriveHeld), so the platform need not retry
//	401 unauthentic   no configured secret or key verifies the signature, or there is none:
//	                  nothing recorded
//	404               no such route, or no source configured for the platform
//	405               not a POST
//	413 too_large     the body is over Options.MaxBody: nothing recorded
//	400 unreadable    the body could not be read (the client hung up)
//	503 inbox_failed  the inbox could not record it (Retry-After): not acknowledged, so the
//	                  platform delivers it again; whatever the ledger posted it recognises
//
// Every answer is a JSON Answer: the inbox id, the outcome, the order, and
// a held delivery's reason.
//
// # Held deliveries
//
// A held delivery stays in the inbox with its reason (Reason constants).
// Operators list them by reason (Inbox.Held, GET /held?reason=), mend the
// cause — a catalog that knows the SKU, a genealogy with the member —
// swap in a service calculating with it (SetService: a new engine and
// ledger over the same ledger store), and re-drive (Redrive, RedriveHeld,
// POST /held/{id}/redrive). A re-drive delivers the recorded body at the
// instant it was first received, verifying its signature again (keep a
// rotated secret configured until what it signed is re-driven), and posts
// at most once: the ledger recognises a delivery however often it comes.
//
// Replay re-drives the whole inbox in the order received: it rebuilds a
// ledger kept in memory, which died with its process, from the file inbox
// that did not.
package webhook

// Package ingest is the one path from a webhook delivery to the ledger:
// verify it, decode it, post it — an order body with Ledger.Post, a refund
// delivered on its own with Ledger.PostRefund — and say what happened.
// Every way a delivery reaches upline (an HTTP handler, an event-bus
// consumer, a replay of stored bodies, a golden scenario) wraps this one
// sequence, so they all decide alike.
//
// Start with New over a ledger and one Source per platform and store, then
// hand each delivery to Deliver with the instant it was received:
//
//	svc := ingest.New(l,
//		ingest.Shopify{Decoder: shopify.Decoder{Store: "acme.myshopify.com"}, Secret: shopSecret},
//		ingest.WooCommerce{Decoder: woocommerce.Decoder{Store: "shop.example.com"}, Secret: wooSecret},
//	)
//	res, err := svc.Deliver(ctx, ingest.Delivery{Source: "shopify", Header: r.Header, Body: body}, receivedAt)
//	switch {
//	case errors.Is(err, normalize.ErrSignature): // not authentic: nothing recorded (401)
//	case err != nil:                             // the ledger's store failed: nothing posted, try again (5xx)
//	case res.Outcome == ingest.Held:             // authentic, not postable: keep it, res.Reason says why
//	}
//
// # Sources
//
// A Source verifies and decodes one platform's deliveries for one store:
// Shopify (X-Shopify-Hmac-Sha256 with the shop's secret), WooCommerce
// (X-WC-Webhook-Signature; the unsigned webhook_id=N ping is Acknowledged),
// Magento (x-adobe-commerce-webhook-signature with the installation's
// public key), Referral and Canonical (no signature scheme: trusted
// channels only). Several sources may share a name, one per store, each
// with its own secret: a delivery is read by the first whose signature it
// carries, so which store a body belongs to comes from the secret that
// verified it, never from an unsigned header. A source with nothing to
// verify with refuses every delivery unless it is Trusted (a body fetched
// from the platform's API, or a replay of bodies verified on arrival).
//
// # Outcomes
//
//	Posted        the ledger appended the delivery's corrections and record
//	Duplicate     the ledger had it already (same body or refund, however delivered)
//	Stale         a newer body was posted, or the order was replaced
//	Waiting       a refund for an order not seen yet: recorded, applied when the order arrives
//	Held          authentic but not postable: undecodable, unknown SKU, nobody credited,
//	              refunds that do not fit, two bodies with one version that disagree,
//	              an ambiguous replacement, a currency change; nothing posted
//	Acknowledged  a ping
//
// A delivery no source verifies, or naming no configured source, is an
// error and nothing of it is recorded. Any other error is the ledger's
// store failing: nothing was posted, and delivering again is safe — the
// ledger posts every body and refund exactly once however often, however
// late and in whatever order they arrive (package ledger).
//
// A Held delivery is not kept here: keep its body (an adapter's inbox
// does) and deliver it again once its cause is mended — the catalog gains
// the SKU, the genealogy the member.
package ingest

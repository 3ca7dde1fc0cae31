package ingest

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/magento"
	"github.com/uplinehq/upline/normalize/referral"
	"github.com/uplinehq/upline/normalize/shopify"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

// The sources' names, as Delivery.Source gives them.
const (
	NameShopify     = "shopify"
	NameWooCommerce = "woocommerce"
	NameMagento     = "magento"
	NameReferral    = "referral"
	NameCanonical   = "canonical"
)

// unverified is the error of a source that has nothing to verify with.
func unverified(name string) error {
	return fmt.Errorf("%w: the %s source has no secret and is not Trusted", normalize.ErrSignature, name)
}

// topic returns d's topic: Topic, else the header's.
func topic(d *Delivery, header string) string {
	if d.Topic != "" || d.Header == nil {
		return d.Topic
	}
	return d.Header.Get(header)
}

// Shopify reads one shop's order webhooks (orders/create, orders/paid,
// orders/updated, orders/cancelled, or an Admin REST order) and refunds
// (refunds/create), verified with the shop's webhook secret against
// X-Shopify-Hmac-Sha256. The topic is Delivery.Topic, else X-Shopify-Topic;
// refunds/create is a refund, anything else an order.
type Shopify struct {
	Decoder shopify.Decoder
	// Secret is the shop's webhook secret.
	Secret string
	// Trusted reads deliveries without a signature (a body fetched from
	// the Admin API, or a replay of bodies verified when they arrived);
	// otherwise a source without Secret refuses every delivery.
	Trusted bool
}

// Name implements Source.
func (Shopify) Name() string { return NameShopify }

// Open implements Source.
func (s Shopify) Open(d *Delivery, _ time.Time) (Payload, error) {
	if !s.Trusted {
		if s.Secret == "" {
			return Payload{}, unverified(NameShopify)
		}
		if err := shopify.Verify(d.Body, d.Header.Get(shopify.SignatureHeader), s.Secret); err != nil {
			return Payload{}, err
		}
	}
	if topic(d, "X-Shopify-Topic") == "refunds/create" {
		r, err := s.Decoder.DecodeRefund(d.Body)
		return Payload{Kind: KindRefund, Refund: r}, err
	}
	o, err := s.Decoder.DecodeOrder(d.Body)
	return Payload{Kind: KindOrder, Order: o}, err
}

// WooCommerce reads one site's order webhooks (order.created,
// order.updated, or a REST v3 order) and refund objects (a topic that
// starts with "refund", or Delivery.Topic "refund" for a REST refund
// object), verified with the webhook's secret against
// X-WC-Webhook-Signature. The unsigned webhook_id=N ping WooCommerce sends
// when a webhook is saved is Acknowledged. A refund object names no
// currency: it is read in its order's, or, before its order arrives, in
// the Decoder's ShopCurrency (without one it is held). The ledger fits it
// to its order's lines whenever it applies it (normalize.Refund.CapToLine).
type WooCommerce struct {
	Decoder woocommerce.Decoder
	Secret  string
	// Trusted reads deliveries without a signature; see Shopify.Trusted.
	Trusted bool
}

// Name implements Source.
func (WooCommerce) Name() string { return NameWooCommerce }

// Open implements Source.
func (s WooCommerce) Open(d *Delivery, _ time.Time) (Payload, error) {
	if _, ok := woocommerce.IsPing(d.Header.Get("Content-Type"), d.Body); ok {
		return Payload{Kind: KindPing}, nil
	}
	if !s.Trusted {
		if s.Secret == "" {
			return Payload{}, unverified(NameWooCommerce)
		}
		if err := woocommerce.Verify(d.Body, d.Header.Get(woocommerce.SignatureHeader), s.Secret); err != nil {
			return Payload{}, err
		}
	}
	if !strings.HasPrefix(topic(d, "X-WC-Webhook-Topic"), "refund") {
		o, err := s.Decoder.DecodeOrder(d.Body)
		return Payload{Kind: KindOrder, Order: o}, err
	}
	dec := s.Decoder
	if dec.Currency == "" {
		dec.Currency = dec.ShopCurrency
	}
	r, err := dec.DecodeRefund(d.Body)
	var ne *normalize.Error
	if errors.As(err, &ne) && ne.Path == "currency" && errors.Is(err, normalize.ErrMissing) && ne.OrderID != "" {
		// Refund objects name no currency: their order's is taken when the
		// ledger holds it. One that arrives before its order waits only
		// when the source knows the shop's currency.
		r, err = normalize.Refund{OrderID: ne.OrderID}, nil
	}
	if err != nil {
		return Payload{Kind: KindRefund}, err
	}
	r.Platform = normalize.WooCommerce
	if r.Store == "" {
		r.Store = s.Decoder.Store
	}
	body := d.Body
	inCurrency := func(currency string) (normalize.Refund, error) {
		dec := dec
		dec.Currency = currency
		return dec.DecodeRefund(body)
	}
	return Payload{Kind: KindRefund, Refund: r, InCurrency: inCurrency}, nil
}

// Magento reads one installation's orders (REST order entities and Adobe
// Commerce webhook order bodies) and credit memos, verified against
// x-adobe-commerce-webhook-signature with the installation's public key.
// Adobe Commerce names no event in its requests (each subscription has
// its own URL), so Delivery.Topic says it: one that names a credit memo
// (such as "observer.sales_order_creditmemo_save_after", or "creditmemo")
// is a refund, anything else an order.
type Magento struct {
	Decoder magento.Decoder
	// PublicKey verifies Adobe Commerce webhook signatures.
	PublicKey *rsa.PublicKey
	// Trusted reads deliveries without a signature (REST bodies fetched
	// from the installation, or a replay); see Shopify.Trusted.
	Trusted bool
}

// Name implements Source.
func (Magento) Name() string { return NameMagento }

// Open implements Source.
func (s Magento) Open(d *Delivery, _ time.Time) (Payload, error) {
	if !s.Trusted {
		if s.PublicKey == nil {
			return Payload{}, unverified(NameMagento)
		}
		if err := magento.VerifyKey(d.Body, d.Header.Get(magento.SignatureHeader), s.PublicKey); err != nil {
			return Payload{}, err
		}
	}
	if strings.Contains(d.Topic, "creditmemo") {
		r, err := s.Decoder.DecodeRefund(d.Body)
		// A credit memo names its order's entity id, not the installation.
		r.Platform, r.Store = normalize.Magento, s.Decoder.Store
		return Payload{Kind: KindRefund, Refund: r}, err
	}
	o, err := s.Decoder.DecodeOrder(d.Body)
	return Payload{Kind: KindOrder, Order: o}, err
}

// Referral reads the simple referral webhook. The form has no signature
// scheme of its own, so the source reads only from a channel you
// authenticate yourself (Trusted), and no instant: the order is placed
// when it was received (Deliver's at), and the ledger recognises the same
// body received again as a duplicate.
type Referral struct {
	Decoder referral.Decoder
	Trusted bool
}

// Name implements Source.
func (Referral) Name() string { return NameReferral }

// Open implements Source.
func (s Referral) Open(d *Delivery, at time.Time) (Payload, error) {
	if !s.Trusted {
		return Payload{}, unverified(NameReferral)
	}
	o, err := s.Decoder.DecodeOrder(d.Body, at)
	return Payload{Kind: KindOrder, Order: o}, err
}

// Canonical reads upline's own canonical JSON: an order
// (normalize.DecodeJSON), or a refund (normalize.DecodeRefundJSON) when
// the topic is "refund". It has no signature: use it for trusted
// channels only (Trusted), such as a replay or your own backend.
type Canonical struct {
	Trusted bool
}

// Name implements Source.
func (Canonical) Name() string { return NameCanonical }

// Open implements Source.
func (s Canonical) Open(d *Delivery, _ time.Time) (Payload, error) {
	if !s.Trusted {
		return Payload{}, unverified(NameCanonical)
	}
	if d.Topic == "refund" {
		r, err := normalize.DecodeRefundJSON(d.Body)
		return Payload{Kind: KindRefund, Refund: r}, err
	}
	o, err := normalize.DecodeJSON(d.Body)
	return Payload{Kind: KindOrder, Order: o}, err
}

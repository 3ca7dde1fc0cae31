package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/uplinehq/upline/normalize"
)

// The headers WooCommerce sends with every webhook delivery.
const (
	// SignatureHeader carries base64(HMAC-SHA256(secret, raw body)).
	SignatureHeader = "X-WC-Webhook-Signature"
	// TopicHeader names the event, such as "order.updated".
	TopicHeader = "X-WC-Webhook-Topic"
	// DeliveryIDHeader identifies one delivery, for de-duplication.
	DeliveryIDHeader = "X-WC-Webhook-Delivery-ID"
	// WebhookIDHeader identifies the webhook configured in the shop.
	WebhookIDHeader = "X-WC-Webhook-ID"
)

// Verify checks a delivery's X-WC-Webhook-Signature header value against
// the raw body and the webhook's secret (the same argument order as
// shopify.Verify), in constant time. Errors wrap
// normalize.ErrSignature and say what is wrong: no secret, a missing
// header, a value that is not base64, a digest of the wrong length, or a
// signature that does not match. Verify the raw bytes as received, before
// any decoding. The webhook_id=N ping is not signed; see IsPing.
func Verify(body []byte, header, secret string) error {
	bad := func(format string, args ...any) error {
		return &normalize.Error{Platform: normalize.WooCommerce, Path: SignatureHeader, Offset: -1,
			Err: fmt.Errorf("%w: "+format, append([]any{normalize.ErrSignature}, args...)...)}
	}
	if len(secret) == 0 {
		return bad("no webhook secret configured")
	}
	signature := strings.TrimSpace(header)
	if signature == "" {
		return bad("missing %s header", SignatureHeader)
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return bad("header is not base64: %v", err)
	}
	if len(got) != sha256.Size {
		return bad("header decodes to %d bytes, an HMAC-SHA256 is %d", len(got), sha256.Size)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return bad("signature does not match the body (wrong secret, or the body was changed)")
	}
	return nil
}

// IsPing reports whether a delivery is the form-encoded webhook_id=N ping
// WooCommerce sends, unsigned, when a webhook is created or activated, and
// returns N. The ping must be answered with 200 (else WooCommerce will not
// save the webhook) and carries no order. contentType is the request's
// Content-Type header; an empty one is accepted.
func IsPing(contentType string, body []byte) (webhookID string, ok bool) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return "", false
		}
	}
	if len(body) > 64 {
		return "", false
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil || len(v) != 1 || len(v["webhook_id"]) != 1 {
		return "", false
	}
	id := v["webhook_id"][0]
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", false
	}
	return id, true
}

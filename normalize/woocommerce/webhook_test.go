package woocommerce_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/woocommerce"
)

func sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestVerify(t *testing.T) {
	secret := []byte("wc-webhook-secret-3f9a")
	body := ordertest.Fixture(t, "order-coupon-tax-exclusive.json")
	good := sign(secret, body)
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] ^= 1
	tests := []struct {
		name      string
		secret    []byte
		body      []byte
		signature string
		want      string // "" for valid
	}{
		{"valid", secret, body, good, ""},
		{"valid with surrounding space", secret, body, " " + good + "\n", ""},
		{"tampered body", secret, tampered, good, "signature does not match the body"},
		{"wrong secret", []byte("another-secret"), body, good, "signature does not match the body"},
		{"missing header", secret, body, "", "missing X-WC-Webhook-Signature header"},
		{"not base64", secret, body, "not*base64!", "header is not base64"},
		{"wrong length", secret, body, base64.StdEncoding.EncodeToString([]byte("short")), "header decodes to 5 bytes, an HMAC-SHA256 is 32"},
		{"hex instead of base64", secret, body, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "header decodes to 48 bytes"},
		{"no secret", nil, body, good, "no webhook secret configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := woocommerce.Verify(tt.body, tt.signature, string(tt.secret))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantErr(t, err, normalize.ErrSignature, "", "", woocommerce.SignatureHeader, tt.want)
		})
	}
}

func TestIsPing(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		id                      string
		ok                      bool
	}{
		{"ping", "application/x-www-form-urlencoded", "webhook_id=17", "17", true},
		{"ping with charset", "application/x-www-form-urlencoded; charset=UTF-8", "webhook_id=17", "17", true},
		{"ping, content type unknown", "", "webhook_id=17\n", "17", true},
		{"json body", "application/json", `{"webhook_id":17}`, "", false},
		{"form but json content type", "application/json", "webhook_id=17", "", false},
		{"other fields too", "application/x-www-form-urlencoded", "webhook_id=17&x=1", "", false},
		{"non-numeric id", "application/x-www-form-urlencoded", "webhook_id=abc", "", false},
		{"empty id", "application/x-www-form-urlencoded", "webhook_id=", "", false},
		{"two ids", "application/x-www-form-urlencoded", "webhook_id=1&webhook_id=2", "", false},
		{"bad content type", "application/x-www-form-urlencoded; =", "webhook_id=17", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ok := woocommerce.IsPing(tt.contentType, []byte(tt.body))
			if id != tt.id || ok != tt.ok {
				t.Errorf("IsPing = %q, %v; want %q, %v", id, ok, tt.id, tt.ok)
			}
		})
	}
}

func TestDecodeOrderPing(t *testing.T) {
	_, err := woocommerce.Decoder{}.DecodeOrder([]byte("webhook_id=17"))
	if !errors.Is(err, normalize.ErrUnsupported) {
		t.Fatalf("DecodeOrder(ping) = %v, want ErrUnsupported", err)
	}
	if got, want := err.Error(), "woocommerce: normalize: unsupported payload: the webhook_id=17 ping WooCommerce sends when a webhook is created; answer it with 200 and decode nothing"; got != want {
		t.Errorf("message\n got %q\nwant %q", got, want)
	}
}

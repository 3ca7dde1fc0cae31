package shopify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/shopify"
)

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	const secret = "shpss_0123456789abcdef"
	body := ordertest.Fixture(t, "order_discounts_tax_exclusive.json")
	good := sign(body, secret)
	tampered := append([]byte{}, body...)
	tampered[len(tampered)-3] ^= 1
	for _, tc := range []struct {
		name   string
		body   []byte
		header string
		secret string
		msg    string
	}{
		{"valid", body, good, secret, ""},
		{"valid with surrounding space", body, " " + good + "\n", secret, ""},
		{"tampered body", tampered, good, secret, "X-Shopify-Hmac-Sha256 does not match the body"},
		{"wrong secret", body, sign(body, "another"), secret, "does not match the body"},
		{"missing header", body, "", secret, "missing X-Shopify-Hmac-Sha256 header"},
		{"not base64", body, "not*base64!", secret, "X-Shopify-Hmac-Sha256 is not base64"},
		{"hex instead of base64", body, strings.Repeat("ab", 32), secret, "decodes to 48 bytes, want 32"},
		{"truncated", body, good[:20], secret, "decodes to 15 bytes, want 32"},
		{"truncated mid-quantum", body, good[:22], secret, "is not base64"},
		{"short digest", body, base64.StdEncoding.EncodeToString([]byte("short")), secret, "decodes to 5 bytes, want 32"},
		{"no secret", body, good, "", "no secret to verify X-Shopify-Hmac-Sha256 with"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := shopify.Verify(tc.body, tc.header, tc.secret)
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, normalize.ErrSignature) {
				t.Fatalf("error %v, want ErrSignature", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

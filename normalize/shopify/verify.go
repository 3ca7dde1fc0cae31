package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/uplinehq/upline/normalize"
)

// SignatureHeader is the HTTP header Shopify signs webhook bodies in.
const SignatureHeader = "X-Shopify-Hmac-Sha256"

// Verify checks a webhook's X-Shopify-Hmac-Sha256 header: the base64 of
// the HMAC-SHA256 of the raw body under the app's client secret, compared
// in constant time. Verify the raw bytes as received, before any decoding.
// Errors wrap normalize.ErrSignature and say what is wrong.
func Verify(body []byte, header, secret string) error {
	bad := func(format string, args ...any) error {
		return &normalize.Error{Platform: normalize.Shopify, Offset: -1,
			Err: fmt.Errorf("%w: "+format, append([]any{normalize.ErrSignature}, args...)...)}
	}
	if secret == "" {
		return bad("no secret to verify %s with", SignatureHeader)
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return bad("missing %s header", SignatureHeader)
	}
	got, err := base64.StdEncoding.Strict().DecodeString(header)
	if err != nil {
		return bad("%s is not base64", SignatureHeader)
	}
	if len(got) != sha256.Size {
		return bad("%s decodes to %d bytes, want %d", SignatureHeader, len(got), sha256.Size)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return bad("%s does not match the body", SignatureHeader)
	}
	return nil
}

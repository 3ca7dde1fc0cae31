package magento

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/uplinehq/upline/normalize"
)

// SignatureHeader is the HTTP header that carries an Adobe Commerce webhook
// signature when the merchant enables webhook signing.
const SignatureHeader = "x-adobe-commerce-webhook-signature"

// minKeyBits refuses keys too small to trust; Adobe Commerce generates
// 2048-bit keys.
const minKeyBits = 2048

// Verify checks an Adobe Commerce webhook signature: header is the value of
// SignatureHeader, the base64 RSA PKCS #1 v1.5 signature of SHA-256 over the
// raw body, and publicKeyPEM is the public key the merchant's Commerce
// instance publishes for its webhooks ("PUBLIC KEY" or "RSA PUBLIC KEY"
// PEM). Errors wrap normalize.ErrSignature and say what is wrong.
func Verify(body []byte, header string, publicKeyPEM []byte) error {
	key, err := ParsePublicKey(publicKeyPEM)
	if err != nil {
		return err
	}
	return VerifyKey(body, header, key)
}

// ParsePublicKey reads an RSA public key from PEM, for VerifyKey: parse the
// key once and verify many bodies with it.
func ParsePublicKey(publicKeyPEM []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(publicKeyPEM)
	if block == nil {
		return nil, sigError("public key is not PEM")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, sigError(fmt.Sprintf("public key PEM block is %q, want \"PUBLIC KEY\"", block.Type))
	}
	if err != nil {
		return nil, sigError(fmt.Sprintf("public key: %v", err))
	}
	key, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, sigError(fmt.Sprintf("public key is %T, want RSA", pub))
	}
	if key.N.BitLen() < minKeyBits {
		return nil, sigError(fmt.Sprintf("public key has %d bits, want at least %d", key.N.BitLen(), minKeyBits))
	}
	return key, nil
}

// VerifyKey is Verify with a parsed key. The signature check itself is
// crypto/rsa's, which compares in constant time.
func VerifyKey(body []byte, header string, key *rsa.PublicKey) error {
	if key == nil {
		return sigError("no public key")
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return sigError("missing " + SignatureHeader + " header")
	}
	sig, err := base64.StdEncoding.DecodeString(header)
	if err != nil {
		return sigError(SignatureHeader + " header is not base64")
	}
	if len(sig) != key.Size() {
		return sigError(fmt.Sprintf("signature is %d bytes, want %d for the key", len(sig), key.Size()))
	}
	sum := sha256.Sum256(body)
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) != nil {
		return sigError("signature does not match the body")
	}
	return nil
}

func sigError(why string) error {
	return &normalize.Error{Platform: normalize.Magento, Offset: -1, Err: fmt.Errorf("%w: %s", normalize.ErrSignature, why)}
}

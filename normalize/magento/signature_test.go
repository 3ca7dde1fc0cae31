package magento_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/uplinehq/upline/normalize"
	"github.com/uplinehq/upline/normalize/internal/ordertest"
	"github.com/uplinehq/upline/normalize/magento"
)

// testKey is the test-only key under testdata; never a merchant's.
func testKey(t testing.TB) (*rsa.PrivateKey, []byte) {
	t.Helper()
	block, _ := pem.Decode(ordertest.Fixture(t, "test_key.pem"))
	if block == nil {
		t.Fatal("testdata/test_key.pem is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey), ordertest.Fixture(t, "test_key.pub.pem")
}

func sign(t testing.TB, key *rsa.PrivateKey, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func TestVerify(t *testing.T) {
	priv, pub := testKey(t)
	body := ordertest.Fixture(t, "order-tax-exclusive-coupon.json")
	good := sign(t, priv, body)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherPub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&other.PublicKey)})
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	smallPub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: smallDER})
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)/2] ^= 1

	for _, c := range []struct {
		name   string
		body   []byte
		header string
		key    []byte
		msg    string // "" for valid
	}{
		{"valid", body, good, pub, ""},
		{"valid with surrounding space", body, " " + good + "\n", pub, ""},
		{"tampered body", tampered, good, pub, "signature does not match the body"},
		{"signed by another key", body, sign(t, other, body), pub, "signature does not match the body"},
		{"verified with another key", body, good, otherPub, "signature does not match the body"},
		{"missing header", body, "", pub, "missing x-adobe-commerce-webhook-signature header"},
		{"not base64", body, "not*base64!", pub, "header is not base64"},
		{"wrong length", body, base64.StdEncoding.EncodeToString([]byte("short")), pub, "signature is 5 bytes, want 256"},
		{"hex instead of base64 of the right size", body, strings.Repeat("ab", 256), pub, "signature is 384 bytes, want 256"},
		{"key not PEM", body, good, []byte("secret"), "public key is not PEM"},
		{"private key given", body, good, ordertest.Fixture(t, "test_key.pem"), `public key PEM block is "PRIVATE KEY"`},
		{"key too small", body, good, smallPub, "public key has 1024 bits, want at least 2048"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := magento.Verify(c.body, c.header, c.key)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, normalize.ErrSignature) {
				t.Fatalf("error %v, want ErrSignature", err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q does not contain %q", err, c.msg)
			}
		})
	}
}

func TestVerifyKey(t *testing.T) {
	priv, pub := testKey(t)
	key, err := magento.ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"eventName":"sales_order_place_before"}`)
	if err := magento.VerifyKey(body, sign(t, priv, body), key); err != nil {
		t.Errorf("VerifyKey: %v", err)
	}
	if err := magento.VerifyKey(body, sign(t, priv, body), nil); !errors.Is(err, normalize.ErrSignature) {
		t.Errorf("VerifyKey with no key: %v, want ErrSignature", err)
	}
}

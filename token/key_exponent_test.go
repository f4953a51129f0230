package token

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
)

// TestKeyExponent: an RSA public key whose exponent is below 65537 (1 and 3, the reported
// ones, and others of our own) or even is refused by ParsePublicKey in every form it reads and
// by NewVerifier; 65537 and larger odd exponents are accepted.
func TestKeyExponent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		e  int
		ok bool
	}{{1, false}, {3, false}, {5, false}, {17, false}, {257, false}, {65535, false}, {65536, false},
		{65537, true}, {65538, false}, {65539, true}, {1<<31 - 1, true}} {
		pub := &rsa.PublicKey{N: modulus(2048), E: c.e}
		pkix, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		pkcs1 := x509.MarshalPKCS1PublicKey(pub)
		for form, s := range map[string]string{
			"PKIX PEM":    string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})),
			"PKCS #1 PEM": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})),
			"PKIX DER":    base64.StdEncoding.EncodeToString(pkix),
			"PKCS #1 DER": base64.RawStdEncoding.EncodeToString(pkcs1),
		} {
			_, err := ParsePublicKey(s)
			if c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("e=%d, %s: ParsePublicKey error %v", c.e, form, err)
			}
		}
		if _, err := NewVerifier(pub, "p"); c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("e=%d: NewVerifier error %v", c.e, err)
		}
	}
}

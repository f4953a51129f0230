package token

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
)

// modulus returns an odd number of exactly bits bits: parsing and the size check need no real
// key, and generating a 65536-bit one would take minutes.
func modulus(bits int) *big.Int {
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	return n.Or(n, big.NewInt(0xfffff1))
}

// TestKeySizeBounds: a public key above MaxKeyBits (whose every check costs hundreds of
// milliseconds) is refused by ParsePublicKey and NewVerifier, in PEM (PKIX and PKCS #1) and
// base64 DER; MaxKeyBits itself is accepted.
func TestKeySizeBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		bits int
		ok   bool
	}{{MinKeyBits - 1, false}, {MinKeyBits, true}, {4096, true}, {MaxKeyBits, true}, {MaxKeyBits + 1, false}, {16384, false}, {65536, false}} {
		pub := &rsa.PublicKey{N: modulus(c.bits), E: 65537}
		pkix, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})),
			string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})),
			base64.StdEncoding.EncodeToString(pkix),
		} {
			_, err := ParsePublicKey(s)
			if c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrInvalidKey) {
				t.Errorf("%d bits: ParsePublicKey error %v", c.bits, err)
			}
		}
		if _, err := NewVerifier(pub, "p"); c.ok != (err == nil) || !c.ok && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%d bits: NewVerifier error %v", c.bits, err)
		}
	}
}

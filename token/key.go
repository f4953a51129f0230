package token

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// MinKeyBits is the smallest RSA modulus accepted for the product's public key.
const MinKeyBits = 2048

// MaxKeyBits is the largest RSA modulus accepted. The server signs with 2048 bits; a larger key
// only makes each check slower (a 65536-bit key costs about 277 ms per verification), so a key
// above this bound is refused rather than allowed to stall every start-up.
const MaxKeyBits = 8192

// MinExponent is the smallest RSA public exponent accepted: 65537, what every RSA key
// generator uses by default (Go's, OpenSSL's) and so every product key. A small exponent (3, or
// 1, with which "signing" is the identity) is what signature forgeries against lax PKCS #1 v1.5
// checks need; no genuine key has one, so it is refused when the key is read.
const MinExponent = 65537

// ErrInvalidKey is wrapped by [ParsePublicKey] for any key it refuses.
var ErrInvalidKey = errors.New("token: invalid public key")

// ParsePublicKey reads the product's RSA public key as the dashboard shows it: PEM with a
// "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS #1) block, or the base64 of either DER form.
// Keys of fewer than [MinKeyBits] or more than [MaxKeyBits] bits are refused, as are keys
// whose exponent is below [MinExponent] or even.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	var der []byte
	if strings.HasPrefix(s, "-----BEGIN") {
		block, rest := pem.Decode([]byte(s))
		if block == nil {
			return nil, fmt.Errorf("%w: malformed PEM", ErrInvalidKey)
		}
		if strings.TrimSpace(string(rest)) != "" {
			return nil, fmt.Errorf("%w: data after the PEM block", ErrInvalidKey)
		}
		if block.Type != "PUBLIC KEY" && block.Type != "RSA PUBLIC KEY" {
			return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrInvalidKey, block.Type)
		}
		der = block.Bytes
	} else {
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, s)
		var err error
		der, err = base64.StdEncoding.DecodeString(clean)
		if err != nil {
			if der, err = base64.RawStdEncoding.DecodeString(clean); err != nil {
				return nil, fmt.Errorf("%w: neither PEM nor base64 DER", ErrInvalidKey)
			}
		}
	}
	key, err := parseDER(der)
	if err != nil {
		return nil, err
	}
	if err := checkKeySize(key); err != nil {
		return nil, err
	}
	return key, nil
}

func parseDER(der []byte) (*rsa.PublicKey, error) {
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		key, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: %T is not an RSA key", ErrInvalidKey, pub)
		}
		return key, nil
	}
	key, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: not a PKIX or PKCS #1 RSA public key", ErrInvalidKey)
	}
	return key, nil
}

// checkKeySize refuses a modulus outside [MinKeyBits, MaxKeyBits] and an exponent below
// [MinExponent] or even.
func checkKeySize(key *rsa.PublicKey) error {
	switch n := key.N.BitLen(); {
	case key.E < MinExponent:
		return fmt.Errorf("%w: RSA exponent %d, %d or more required", ErrInvalidKey, key.E, MinExponent)
	case key.E%2 == 0:
		return fmt.Errorf("%w: even RSA exponent %d", ErrInvalidKey, key.E)
	case n < MinKeyBits:
		return fmt.Errorf("%w: %d-bit RSA key, %d bits or more required", ErrInvalidKey, n, MinKeyBits)
	case n > MaxKeyBits:
		return fmt.Errorf("%w: %d-bit RSA key, at most %d bits accepted", ErrInvalidKey, n, MaxKeyBits)
	}
	return nil
}

package token

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testProduct = "prod-1"
	testKey     = "LICENSE-KEY-1234"
	testFP      = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
)

var (
	keysOnce          sync.Once
	signKey, otherKey *rsa.PrivateKey
)

func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if signKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return signKey, otherKey
}

var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// baseClaims are a valid token's claims at testNow.
func baseClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"aid": "act-1", "pid": testProduct, "lid": "lic-1", "key": testKey, "fp": testFP, "fms": "exact",
		"os": "linux", "iat": testNow.Add(-time.Minute).Unix(), "eat": testNow.Add(30 * 24 * time.Hour).Unix(),
		"leat": 0, "ssgpeat": 0, "ld": 0, "ls": "", "fc": 0, "ssi": 3600, "aco": 300, "orv": 0,
		"suspended": false, "type": "node-locked", "name": "Ada", "email": "ada@example.com", "company": "ACME",
		"pmd": []map[string]string{{"key": "Tier", "value": "pro"}},
		"lmd": []map[string]string{{"key": "seats", "value": "5"}},
		"umd": []map[string]string{}, "amd": nil,
		"lma":    []map[string]any{{"name": "exports", "allowedUses": 100, "totalUses": 7}},
		"ama":    []map[string]any{{"name": "exports", "uses": 3}},
		"future": map[string]any{"x": 1},
	}
}

func sign(t testing.TB, claims jwt.MapClaims, method jwt.SigningMethod, key any) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func with(mod func(jwt.MapClaims)) jwt.MapClaims {
	c := baseClaims()
	mod(c)
	return c
}

func verifier(t testing.TB) *Verifier {
	t.Helper()
	k, _ := keys(t)
	v, err := NewVerifier(&k.PublicKey, testProduct)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func pubPEM(t testing.TB, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// rawToken builds a token from explicit header and payload JSON and a signature, for forgeries.
func rawToken(header, payload string, sig []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sig)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

package token

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

var bind = Binding{LicenseKey: testKey, Fingerprint: testFP}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	k, _ := keys(t)
	v := verifier(t)
	for _, m := range []jwt.SigningMethod{jwt.SigningMethodRS256, jwt.SigningMethodRS384, jwt.SigningMethodRS512} {
		c, err := v.Verify(sign(t, baseClaims(), m, k), bind)
		if err != nil {
			t.Fatalf("%s: %v", m.Alg(), err)
		}
		if c.ActivationID != "act-1" || c.LicenseID != "lic-1" || c.Type != "node-locked" || c.Name != "Ada" ||
			c.IssuedAt.Unix() != testNow.Add(-time.Minute).Unix() || !c.LeaseExpiresAt.IsZero() ||
			c.ServerSyncInterval != time.Hour || c.AllowedClockOffset != 5*time.Minute || c.FingerprintStrategy != "exact" {
			t.Fatalf("claims %+v", c)
		}
		if v, ok := c.ProductMetadata.Get("TIER"); !ok || v != "pro" {
			t.Errorf("case-insensitive metadata lookup: %q %v", v, ok)
		}
		if m, ok := c.Meter("EXPORTS"); !ok || m.AllowedUses != 100 || m.TotalUses != 7 {
			t.Errorf("meter %+v", m)
		}
		if u, ok := c.ActivationUses("exports"); !ok || u != 3 {
			t.Errorf("activation uses %d", u)
		}
		if extra := c.Extra(); len(extra) != 1 || string(extra["future"]) != `{"x":1}` {
			t.Errorf("unknown claims: %v", extra)
		}
		if raw, ok := c.Raw("aid"); !ok || string(raw) != `"act-1"` {
			t.Errorf("Raw(aid) = %s", raw)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	k, other := keys(t)
	v := verifier(t)
	good := sign(t, baseClaims(), jwt.SigningMethodRS256, k)
	parts := strings.Split(good, ".")
	pemBytes := []byte(pubPEM(t, k))
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	swapped := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(mustJSON(with(func(c jwt.MapClaims) { c["eat"] = 0 })))) + "." + parts[2]

	for _, tc := range []struct {
		name string
		tok  string
		b    Binding
		want error
	}{
		{"wrong key", sign(t, baseClaims(), jwt.SigningMethodRS256, other), bind, errs.ErrTokenInvalid},
		{"swapped payload", swapped, bind, errs.ErrTokenInvalid},
		{"alg none", sign(t, baseClaims(), jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType), bind, errs.ErrTokenInvalid},
		{"alg none, no signature", rawToken(`{"alg":"none","typ":"JWT"}`, mustJSON(baseClaims()), nil), bind, errs.ErrTokenInvalid},
		{"HS256 keyed with the PEM public key", sign(t, baseClaims(), jwt.SigningMethodHS256, pemBytes), bind, errs.ErrTokenInvalid},
		{"HS256 keyed with the DER public key", sign(t, baseClaims(), jwt.SigningMethodHS256, der), bind, errs.ErrTokenInvalid},
		{"PS256 is not on the list", sign(t, baseClaims(), jwt.SigningMethodPS256, k), bind, errs.ErrTokenInvalid},
		{"another product", sign(t, with(func(c jwt.MapClaims) { c["pid"] = "prod-2" }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"another license key", good, Binding{LicenseKey: "OTHER", Fingerprint: testFP}, errs.ErrTokenInvalid},
		{"empty license key", good, Binding{Fingerprint: testFP}, errs.ErrTokenInvalid},
		{"another fingerprint", good, Binding{LicenseKey: testKey, Fingerprint: strings.Repeat("cd", 32)}, errs.ErrFingerprintMismatch},
		{"no aid", sign(t, with(func(c jwt.MapClaims) { delete(c, "aid") }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"no iat", sign(t, with(func(c jwt.MapClaims) { delete(c, "iat") }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"iat a string", sign(t, with(func(c jwt.MapClaims) { c["iat"] = "yesterday" }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"eat negative", sign(t, with(func(c jwt.MapClaims) { c["eat"] = -5 }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"suspended a string", sign(t, with(func(c jwt.MapClaims) { c["suspended"] = "no" }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"metadata not a list", sign(t, with(func(c jwt.MapClaims) { c["pmd"] = "x" }), jwt.SigningMethodRS256, k), bind, errs.ErrTokenInvalid},
		{"empty", "", bind, errs.ErrTokenInvalid},
		{"two parts", parts[0] + "." + parts[1], bind, errs.ErrTokenInvalid},
		{"garbage", "not.a.jwt", bind, errs.ErrTokenInvalid},
		{"oversized", strings.Repeat("a", MaxTokenSize+1), bind, errs.ErrTokenInvalid},
		{"truncated signature", good[:len(good)-10], bind, errs.ErrTokenInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(tc.tok, tc.b)
			if !errors.Is(err, tc.want) || c != nil {
				t.Fatalf("want %v, got %v (claims %v)", tc.want, err, c)
			}
			if strings.Contains(err.Error(), testKey) || (len(tc.tok) > 20 && strings.Contains(err.Error(), tc.tok[:20])) {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestPublicKeyForms(t *testing.T) {
	t.Parallel()
	k, _ := keys(t)
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	pkcs1 := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	for name, s := range map[string]string{
		"PEM PUBLIC KEY":     string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})),
		"PEM RSA PUBLIC KEY": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1})),
		"base64 PKIX DER":    base64.StdEncoding.EncodeToString(pkix),
		"base64 PKCS1 DER":   base64.StdEncoding.EncodeToString(pkcs1),
		"wrapped base64":     "  " + base64.StdEncoding.EncodeToString(pkix)[:40] + "\n" + base64.StdEncoding.EncodeToString(pkix)[40:] + "\n",
	} {
		got, err := ParsePublicKey(s)
		if err != nil || !got.Equal(&k.PublicKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallDER, _ := x509.MarshalPKIXPublicKey(&small.PublicKey)
	for name, s := range map[string]string{
		"1024-bit":    base64.StdEncoding.EncodeToString(smallDER),
		"private key": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		"empty":       "",
		"garbage":     "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----",
		"not base64":  "@@@@",
	} {
		if _, err := ParsePublicKey(s); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	if _, err := NewVerifier(&small.PublicKey, "p"); err == nil {
		t.Error("NewVerifier accepted a 1024-bit key")
	}
}

func TestDecodeClaimsSyntax(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	for _, bad := range []string{`{"aid":"a" "pid":"b"}`, `{"aid":"a",}`, `{"aid":01}`, `{"aid":"a"} x`, `{"x":[1,]}`,
		`{"x":tru}`, `{"x":"\q"}`, "{\"x\":\"\x01\"}", `{"x":-}`, `{"x":1.}`, `{"x":1e}`, `{"x":` + deep + `}`, `{`, ``} {
		var c Claims
		if err := decodeClaims([]byte(bad), &c); err == nil {
			t.Errorf("accepted %.40q", bad)
		}
	}
	var c Claims
	if err := decodeClaims([]byte(` {"aid" : "a\u00e9" , "x":[{"y":[1,2.5e-3,true,null]}], "iat": 5 } `), &c); err != nil || c.ActivationID != "aé" {
		t.Fatalf("%v %q", err, c.ActivationID)
	}
}

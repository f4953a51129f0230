package token

import (
	"errors"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// trialClaims are a trial token's claims as the fake server issues them: no license key.
func trialClaims(mod func(jwt.MapClaims)) jwt.MapClaims {
	c := jwt.MapClaims{"aid": "trial-1", "pid": testProduct, "fp": testFP, "os": "linux",
		"iat": testNow.Unix(), "eat": testNow.Unix() + 3600, "aco": 300, "type": "trial"}
	if mod != nil {
		mod(c)
	}
	return c
}

func TestVerifyTrial(t *testing.T) {
	t.Parallel()
	k, other := keys(t)
	v := verifier(t)
	c, err := v.VerifyTrial(sign(t, trialClaims(nil), jwt.SigningMethodRS256, k), testFP)
	if err != nil || c.ActivationID != "trial-1" || c.ExpiresAt.Unix() != testNow.Unix()+3600 || !c.Key.IsZero() {
		t.Fatalf("genuine trial token: %+v, %v", c, err)
	}
	// A trial token is no license token: Verify wants a key it does not carry.
	if _, err := v.Verify(sign(t, trialClaims(nil), jwt.SigningMethodRS256, k), Binding{LicenseKey: testKey, Fingerprint: testFP}); !errors.Is(err, errs.ErrTokenInvalid) {
		t.Fatalf("trial token as a license token: %v", err)
	}
	for _, tc := range []struct {
		name string
		tok  string
		fp   string
		want error
	}{
		{"another key", sign(t, trialClaims(nil), jwt.SigningMethodRS256, other), testFP, errs.ErrTokenInvalid},
		{"HS256 keyed with nothing", sign(t, trialClaims(nil), jwt.SigningMethodHS256, []byte("secret")), testFP, errs.ErrTokenInvalid},
		{"another product", sign(t, trialClaims(func(c jwt.MapClaims) { c["pid"] = "other" }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
		{"another machine", sign(t, trialClaims(nil), jwt.SigningMethodRS256, k), testFP[:62] + "ff", errs.ErrFingerprintMismatch},
		{"no fingerprint to bind", sign(t, trialClaims(nil), jwt.SigningMethodRS256, k), "", errs.ErrFingerprintMismatch},
		{"no end", sign(t, trialClaims(func(c jwt.MapClaims) { delete(c, "eat") }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
		{"end 0", sign(t, trialClaims(func(c jwt.MapClaims) { c["eat"] = 0 }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
		{"no aid", sign(t, trialClaims(func(c jwt.MapClaims) { delete(c, "aid") }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
		{"no iat", sign(t, trialClaims(func(c jwt.MapClaims) { delete(c, "iat") }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
		{"eat of the wrong type", sign(t, trialClaims(func(c jwt.MapClaims) { c["eat"] = "soon" }), jwt.SigningMethodRS256, k), testFP, errs.ErrTokenInvalid},
	} {
		if _, err := v.VerifyTrial(tc.tok, tc.fp); !errors.Is(err, tc.want) {
			t.Errorf("%s: want %v, got %v", tc.name, tc.want, err)
		}
	}
}

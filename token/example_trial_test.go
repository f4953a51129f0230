package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/token"
)

// exampleToken signs claims as the server would, with a fresh key, and returns a Verifier for it.
func exampleToken(claims jwt.MapClaims) (*token.Verifier, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	raw, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		panic(err)
	}
	v, err := token.NewVerifier(&key.PublicKey, "prod-1")
	if err != nil {
		panic(err)
	}
	return v, raw
}

var exampleFP = strings.Repeat("5e", 32)

func ExampleVerifier_VerifyTrial() {
	v, raw := exampleToken(jwt.MapClaims{"aid": "trial-1", "pid": "prod-1", "fp": exampleFP,
		"iat": int64(1893488400), "eat": int64(1894698000)})

	c, err := v.VerifyTrial(raw, exampleFP)
	if err != nil {
		panic(err)
	}
	fmt.Println("trial", c.ActivationID, "ends", c.ExpiresAt.UTC().Format(time.DateOnly))

	_, err = v.VerifyTrial(raw, strings.Repeat("00", 32))
	fmt.Println(err)
	// Output:
	// trial trial-1 ends 2030-01-15
	// licensing: fingerprint mismatch: the token is bound to another machine
}

func ExampleClaims_OrganizationName() {
	v, raw := exampleToken(jwt.MapClaims{"aid": "act-1", "pid": "prod-1", "key": "KEY-1", "fp": exampleFP, "iat": int64(1893488400),
		// Claims named only in the API's changelog, in two of the shapes the accessors accept.
		"on":   "ACME Ltd",
		"oa":   map[string]any{"addressLine1": "1 Main St", "city": "Springfield", "country": "US"},
		"lcat": int64(1861920000),
		"laat": "2029-12-31T23:00:00Z",
	})
	c, err := v.Verify(raw, token.Binding{LicenseKey: "KEY-1", Fingerprint: exampleFP})
	if err != nil {
		panic(err)
	}
	name, _ := c.OrganizationName()
	addr, _ := c.OrganizationAddress()
	created, _ := c.LicenseCreatedAt()
	activated, _ := c.LicenseActivatedAt()
	fmt.Println(name, "|", addr)
	fmt.Println(created.UTC().Format(time.DateOnly), activated.UTC().Format(time.RFC3339))
	// Output:
	// ACME Ltd | 1 Main St, Springfield, US
	// 2029-01-01 2029-12-31T23:00:00Z
}

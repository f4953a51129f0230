package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/token"
)

var (
	exampleKeyOnce sync.Once
	exampleKey     *rsa.PrivateKey
)

// exampleToken signs claims as the server would and returns a Verifier for them.
func exampleToken(claims jwt.MapClaims) (*token.Verifier, string) {
	exampleKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		exampleKey = k
	})
	key := exampleKey
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

// exampleClaims verifies a license token that carries the changelog's claims with the given values.
func exampleClaims(extra jwt.MapClaims) *token.Claims {
	claims := jwt.MapClaims{"aid": "act-1", "pid": "prod-1", "key": "KEY-1", "fp": exampleFP, "iat": int64(1893488400)}
	for k, v := range extra {
		claims[k] = v
	}
	v, raw := exampleToken(claims)
	c, err := v.Verify(raw, token.Binding{LicenseKey: "KEY-1", Fingerprint: exampleFP})
	if err != nil {
		panic(err)
	}
	return c
}

func ExampleClaims_OrganizationAddress() {
	for _, oa := range []any{
		"1 Main St, Springfield",
		map[string]any{"addressLine1": "1 Main St", "postalCode": "12345", "country": "US"},
		42, // no address
	} {
		addr, ok := exampleClaims(jwt.MapClaims{"oa": oa}).OrganizationAddress()
		fmt.Printf("%v %q\n", ok, addr)
	}
	// Output:
	// true "1 Main St, Springfield"
	// true "1 Main St, 12345, US"
	// false ""
}

func ExampleClaims_LicenseCreatedAt() {
	for _, lcat := range []any{int64(1861920000), "1861920000", "2029-01-01T00:00:00Z", 0} {
		t, ok := exampleClaims(jwt.MapClaims{"lcat": lcat}).LicenseCreatedAt()
		fmt.Println(ok, t.UTC().Format(time.DateOnly))
	}
	// Output:
	// true 2029-01-01
	// true 2029-01-01
	// true 2029-01-01
	// false 0001-01-01
}

func ExampleClaims_LicenseActivatedAt() {
	c := exampleClaims(jwt.MapClaims{"laat": 1.8619200e9})
	if t, ok := c.LicenseActivatedAt(); ok {
		fmt.Println("first activated", t.UTC().Format(time.DateOnly))
	}
	if _, ok := exampleClaims(nil).LicenseActivatedAt(); !ok {
		fmt.Println("a token without laat: not set")
	}
	// Output:
	// first activated 2029-01-01
	// a token without laat: not set
}

func ExampleAddress_String() {
	fmt.Println(token.Address{AddressLine1: "1 Main St", City: "Springfield", State: "IL", Country: "US"})
	// Output:
	// 1 Main St, Springfield, IL, US
}

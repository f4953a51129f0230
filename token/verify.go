package token

import (
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// MaxTokenSize bounds the tokens Verify reads; a token with metadata is a few KiB.
const MaxTokenSize = 256 << 10

// Algorithms are the JWT algorithms accepted: RSA PKCS #1 v1.5 with SHA-256, -384 and -512.
// The server signs with RS256; the longer hashes cost nothing to allow and keep a key rotation
// to them from breaking clients. "none", HMAC and every other algorithm are refused, which
// stops alg-confusion attacks such as HS256 keyed with the public key.
var Algorithms = []string{"RS256", "RS384", "RS512"}

// Verifier checks activation tokens offline against a product's public key. It is safe for
// concurrent use.
type Verifier struct {
	key       *rsa.PublicKey
	productID string
	parser    *jwt.Parser
}

// NewVerifier returns a Verifier for productID's tokens signed with key.
func NewVerifier(key *rsa.PublicKey, productID string) (*Verifier, error) {
	if key == nil || key.N == nil || key.N.BitLen() < MinKeyBits {
		return nil, fmt.Errorf("%w: RSA key of %d bits or more required", ErrInvalidKey, MinKeyBits)
	}
	if productID == "" {
		return nil, errors.New("token: product id is required")
	}
	return &Verifier{
		key:       key,
		productID: productID,
		// Time claims are the server's own (eat, leat, ...), checked by CheckTime in the
		// reference order, so the library's exp/nbf/iat validation is off.
		parser: jwt.NewParser(jwt.WithValidMethods(Algorithms), jwt.WithoutClaimsValidation()),
	}, nil
}

// Binding is what a token must be bound to besides the product.
type Binding struct {
	LicenseKey  string // the key claim must equal it
	Fingerprint string // the fp claim must equal it
}

// Verify checks raw's algorithm and signature, decodes its claims, and checks that pid is the
// product, key the license key and fp the fingerprint. A failure of the first kinds wraps
// ErrTokenInvalid; a token for another machine wraps ErrFingerprintMismatch. Errors never
// contain the token or the key. Time is not checked here: see [CheckTime].
func (v *Verifier) Verify(raw string, b Binding) (*Claims, error) {
	if len(raw) > MaxTokenSize {
		return nil, fmt.Errorf("%w: token over %d bytes", errs.ErrTokenInvalid, MaxTokenSize)
	}
	var w wireClaims
	tok, err := v.parser.ParseWithClaims(raw, &w, func(*jwt.Token) (any, error) { return v.key, nil })
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errs.ErrTokenInvalid, reason(err))
	}
	if !tok.Valid {
		return nil, fmt.Errorf("%w: not valid", errs.ErrTokenInvalid)
	}
	switch {
	case w.AID == "":
		return nil, fmt.Errorf("%w: no activation id (aid)", errs.ErrTokenInvalid)
	case w.IAT == nil || w.IAT.t.IsZero():
		return nil, fmt.Errorf("%w: no issue time (iat)", errs.ErrTokenInvalid)
	case w.PID != v.productID:
		return nil, fmt.Errorf("%w: issued for another product", errs.ErrTokenInvalid)
	case subtle.ConstantTimeCompare([]byte(w.Key), []byte(b.LicenseKey)) != 1 || b.LicenseKey == "":
		return nil, fmt.Errorf("%w: issued for another license key", errs.ErrTokenInvalid)
	case w.FP != b.Fingerprint || b.Fingerprint == "":
		return nil, fmt.Errorf("%w: the token is bound to another machine", errs.ErrFingerprintMismatch)
	}
	_, rest, _ := strings.Cut(raw, ".")
	payload, _, _ := strings.Cut(rest, ".")
	return w.claims(payload), nil
}

// reason names what was wrong without echoing any part of the token.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "algorithm not allowed"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	}
	return "refused"
}

// These let jwt.Parser use wireClaims; validation is off, so they are never consulted.
func (*wireClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (*wireClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (*wireClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (*wireClaims) GetIssuer() (string, error)                   { return "", nil }
func (*wireClaims) GetSubject() (string, error)                  { return "", nil }
func (*wireClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

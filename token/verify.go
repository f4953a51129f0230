package token

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/secret"
)

// MaxTokenSize bounds the tokens Verify reads; a token with metadata is a few KiB.
const MaxTokenSize = 256 << 10

// Algorithms are the JWT algorithms accepted: RSA PKCS #1 v1.5 with SHA-256, -384 and -512.
// The server signs with RS256; the longer hashes cost nothing to allow and keep a key rotation
// to them from breaking clients. "none", HMAC and every other algorithm are refused, which
// stops alg-confusion attacks such as HS256 keyed with the public key.
var Algorithms = []string{"RS256", "RS384", "RS512"}

// ErrBadSignature is wrapped, beside the invalid-token category, by a token whose signature
// does not verify under the Verifier's public key: a token of another product's key, a forged
// one, or a public key that is not the product's.
var ErrBadSignature = errors.New("bad signature")

// Verifier checks activation tokens offline against a product's public key. It is safe for
// concurrent use.
type Verifier struct {
	key       *rsa.PublicKey
	productID string
	methods   map[string]jwt.SigningMethod
}

// NewVerifier returns a Verifier for productID's tokens signed with key.
func NewVerifier(key *rsa.PublicKey, productID string) (*Verifier, error) {
	if key == nil || key.N == nil {
		return nil, fmt.Errorf("%w: no RSA key", ErrInvalidKey)
	}
	if err := checkKeySize(key); err != nil {
		return nil, err
	}
	if productID == "" {
		return nil, errors.New("token: product id is required")
	}
	v := &Verifier{key: key, productID: productID, methods: map[string]jwt.SigningMethod{}}
	for _, alg := range Algorithms {
		v.methods[alg] = jwt.GetSigningMethod(alg)
	}
	return v, nil
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
//
// The order is: shape, the header's alg against [Algorithms], the signature (golang-jwt's
// RSA methods over the exact signing input), and only then the claims, so that no unsigned
// byte is ever interpreted beyond the header.
func (v *Verifier) Verify(raw string, b Binding) (*Claims, error) { return v.verify(raw, b, false) }

// verify is Verify, or VerifyTrial when trial is set: no license key to bind, and eat required.
func (v *Verifier) verify(raw string, b Binding, trial bool) (*Claims, error) {
	if len(raw) > MaxTokenSize {
		return nil, fmt.Errorf("%w: token over %d bytes", errs.ErrTokenInvalid, MaxTokenSize)
	}
	hdr, rest, ok1 := strings.Cut(raw, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") {
		return nil, fmt.Errorf("%w: malformed", errs.ErrTokenInvalid)
	}
	hb, err := decodeSegment(hdr)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed", errs.ErrTokenInvalid)
	}
	alg, err := decodeHeader(hb)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed header", errs.ErrTokenInvalid)
	}
	method, ok := v.methods[alg]
	if !ok {
		return nil, fmt.Errorf("%w: algorithm not allowed", errs.ErrTokenInvalid)
	}
	sb, err := decodeSegment(sig)
	if err != nil || len(sb) == 0 {
		return nil, fmt.Errorf("%w: malformed signature", errs.ErrTokenInvalid)
	}
	if err := method.Verify(raw[:len(hdr)+1+len(payload)], sb, v.key); err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrTokenInvalid, ErrBadSignature)
	}
	pb, err := decodeSegment(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed payload", errs.ErrTokenInvalid)
	}
	c := &Claims{payload: secret.New(payload)}
	err = decodeClaims(pb, c)
	switch {
	case errors.Is(err, errDuplicate):
		return nil, fmt.Errorf("%w: a claim given more than once", errs.ErrTokenInvalid)
	case err != nil:
		return nil, fmt.Errorf("%w: malformed claims", errs.ErrTokenInvalid)
	case c.ActivationID == "":
		return nil, fmt.Errorf("%w: no activation id (aid)", errs.ErrTokenInvalid)
	case c.IssuedAt.IsZero():
		return nil, fmt.Errorf("%w: no issue time (iat)", errs.ErrTokenInvalid)
	case c.ProductID != v.productID:
		return nil, fmt.Errorf("%w: issued for another product", errs.ErrTokenInvalid)
	case !trial && (b.LicenseKey == "" || !c.Key.Equal(b.LicenseKey)):
		return nil, fmt.Errorf("%w: issued for another license key", errs.ErrTokenInvalid)
	case trial && c.ExpiresAt.IsZero():
		return nil, fmt.Errorf("%w: a trial token with no end (eat)", errs.ErrTokenInvalid)
	case b.Fingerprint == "" || c.Fingerprint != b.Fingerprint:
		return nil, fmt.Errorf("%w: the token is bound to another machine", errs.ErrFingerprintMismatch)
	}
	return c, nil
}

package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/secret"
)

// Claims and the JOSE header are read by encoding/json into the typed structs below. Each
// scalar claim has a small UnmarshalJSON that refuses a value of the wrong type and a claim
// given twice. The list claims are read straight into their types when the payload cannot give
// one twice (nearly always: see listNamesOnce), else each through an UnmarshalJSON that refuses
// a second one (see decodeClaims).
//
// Duplicates: RFC 7519 §4 lets a parser either reject a claims set with a duplicate claim name
// or keep the last member. Keeping the last lets two parsers read one signed token two ways
// ("suspended": true, "suspended": null), so a known claim given twice, in any spelling that
// encoding/json matches to it ("eat", "EAT", "ſuspended" for "suspended"), makes the token
// invalid. Duplicates of claims this package does not know are left to [Claims.Extra], which
// keeps the last, as encoding/json does.
//
// null: a claim whose value is null is read as absent (the zero value: "not set"), as
// encoding/json leaves a field it meets null for. Since a claim cannot also appear a second time,
// null can never undo an earlier value.

var (
	errClaimType = errors.New("claim of the wrong type")
	errDuplicate = errors.New("claim given more than once")
	errTooLarge  = errors.New("number out of range")
)

// maxUnix is the last second of the year 9999.
const maxUnix = 253402300799

// once refuses a second member for the same field.
type once bool

func (o *once) mark() error {
	if *o {
		return errDuplicate
	}
	*o = true
	return nil
}

func isNull(b []byte) bool { return string(b) == "null" }

// isNumber reports whether the JSON value b (already valid, as encoding/json hands it over) is a
// number.
func isNumber(b []byte) bool { return len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') }

// claimString is a string claim.
type claimString struct {
	v   string
	set once
}

func (s *claimString) UnmarshalJSON(b []byte) error {
	if err := s.set.mark(); err != nil || isNull(b) {
		return err
	}
	if len(b) < 2 || b[0] != '"' {
		return errClaimType
	}
	if in := b[1 : len(b)-1]; bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		s.v = string(in)
		return nil
	}
	return json.Unmarshal(b, &s.v) // escapes and invalid UTF-8, exactly as encoding/json reads them
}

// claimBool is a boolean claim: true or false, nothing else.
type claimBool struct {
	v   bool
	set once
}

func (f *claimBool) UnmarshalJSON(b []byte) error {
	if err := f.set.mark(); err != nil || isNull(b) {
		return err
	}
	switch string(b) {
	case "true":
		f.v = true
	case "false":
		f.v = false
	default:
		return errClaimType
	}
	return nil
}

// claimInt is an integer claim, read as encoding/json reads an int64: no fraction, no exponent.
type claimInt struct {
	v   int64
	set once
}

func (n *claimInt) UnmarshalJSON(b []byte) error {
	if err := n.set.mark(); err != nil || isNull(b) {
		return err
	}
	if !isNumber(b) {
		return errClaimType
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errClaimType
	}
	n.v = v
	return nil
}

// numericDate is a NumericDate (RFC 7519 §2): seconds since 1970-01-01T00:00:00Z UTC, which
// may have a fraction. It is read exactly, to the nanosecond (digits beyond are dropped), in
// every form JSON allows (1795694340, 1795694340.5, 1.7956943405e9). 0 and null mean "not set";
// a negative time or one after the year 9999 is refused.
type numericDate struct {
	v   time.Time
	set once
}

func (d *numericDate) UnmarshalJSON(b []byte) error {
	if err := d.set.mark(); err != nil || isNull(b) {
		return err
	}
	sec, nsec, err := parseSeconds(b)
	if err != nil || sec > maxUnix {
		return errClaimType
	}
	d.v = time.Time{}
	if sec != 0 || nsec != 0 {
		d.v = time.Unix(sec, nsec)
	}
	return nil
}

// claimSeconds is a duration in seconds (ld, ssi, aco), fraction allowed; a negative one is
// refused and one beyond what time.Duration holds saturates.
type claimSeconds struct {
	v   time.Duration
	set once
}

const maxDurationSeconds = int64(1<<63-1) / int64(time.Second)

func (s *claimSeconds) UnmarshalJSON(b []byte) error {
	if err := s.set.mark(); err != nil || isNull(b) {
		return err
	}
	sec, nsec, err := parseSeconds(b)
	switch {
	case errors.Is(err, errTooLarge) || err == nil && sec >= maxDurationSeconds:
		s.v = time.Duration(1<<63 - 1)
	case err != nil:
		return errClaimType
	default:
		s.v = time.Duration(sec)*time.Second + time.Duration(nsec)
	}
	return nil
}

// parseSeconds reads a non-negative JSON number exactly as whole seconds and nanoseconds,
// truncating below the nanosecond. b must be a valid JSON value, as encoding/json hands it to
// UnmarshalJSON; anything but a number is errClaimType, a negative number too, and one of
// 10^15 seconds or more errTooLarge. The work is bounded by len(b), whatever the exponent.
func parseSeconds(b []byte) (sec, nsec int64, err error) {
	if !isNumber(b) {
		return 0, 0, errClaimType
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	mant, exp := b, int64(0)
	if i := bytes.IndexAny(b, "eE"); i >= 0 {
		mant = b[:i]
		e := b[i+1:]
		eneg := len(e) > 0 && e[0] == '-'
		if len(e) > 0 && (e[0] == '-' || e[0] == '+') {
			e = e[1:]
		}
		for _, c := range e {
			if exp < 1e6 { // beyond this only zero or "too large" can come out
				exp = exp*10 + int64(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	intPart, frac, _ := bytes.Cut(mant, []byte{'.'})
	// The digits of intPart and frac, read in place (no copy, whatever their length): the value
	// is 0.DIGITS × 10^point once the leading zeros are skipped.
	total := len(intPart) + len(frac)
	digit := func(i int) int64 {
		switch {
		case i < 0 || i >= total:
			return 0
		case i < len(intPart):
			return int64(intPart[i] - '0')
		}
		return int64(frac[i-len(intPart)] - '0')
	}
	lead := 0
	for lead < total && digit(lead) == 0 {
		lead++
	}
	if lead == total {
		return 0, 0, nil // 0, -0, 0.0e5
	}
	if neg {
		return 0, 0, errClaimType
	}
	point := int64(len(intPart)-lead) + exp
	if point > 15 {
		return 0, 0, errTooLarge
	}
	// Digit k of the value after its leading zeros is digit(lead+k), for negative k too (the
	// zeros skipped, or none): digits before point are seconds, the nine after nanoseconds.
	for k := int64(0); k < point; k++ {
		sec = sec*10 + digit(lead+int(k))
	}
	for k := point; k < point+9; k++ {
		nsec = nsec*10 + digit(lead+int(k))
	}
	return sec, nsec, nil
}

// claimList is a list claim (metadata, meter attributes) as the careful path reads it: a JSON
// array of objects, or null. UnmarshalJSON checks that it is an array given once and keeps its
// bytes, a slice of the payload that decodeClaimsCareful reads while it runs: it then decodes
// every list of the payload with one json.Unmarshal, rather than one call (one more scan, one
// more decoder) per list.
type claimList struct {
	raw []byte
	set once
}

func (l *claimList) UnmarshalJSON(b []byte) error {
	if err := l.set.mark(); err != nil || isNull(b) {
		return err
	}
	if b[0] != '[' {
		return errClaimType
	}
	l.raw = b
	return nil
}

// wirePayload is the payload of an activation token as encoding/json reads it: the scalar claims,
// and the list claims as M (metadata) and LM, AM (the license's and the activation's meters).
// It is one flat struct rather than the scalars embedded in two, because encoding/json pays a
// reflect lookup per member for a field promoted from an embedded struct.
type wirePayload[M, LM, AM any] struct {
	ActivationID        claimString  `json:"aid"`
	ProductID           claimString  `json:"pid"`
	LicenseID           claimString  `json:"lid"`
	Key                 claimString  `json:"key"`
	Fingerprint         claimString  `json:"fp"`
	FingerprintStrategy claimString  `json:"fms"`
	OS                  claimString  `json:"os"`
	IssuedAt            numericDate  `json:"iat"`
	ExpiresAt           numericDate  `json:"eat"`
	LeaseExpiresAt      numericDate  `json:"leat"`
	GracePeriodExpires  numericDate  `json:"ssgpeat"`
	LeaseDuration       claimSeconds `json:"ld"`
	LeasingStrategy     claimString  `json:"ls"`
	FloatingClients     claimInt     `json:"fc"`
	ServerSyncInterval  claimSeconds `json:"ssi"`
	AllowedClockOffset  claimSeconds `json:"aco"`
	OfflineResponse     claimInt     `json:"orv"`
	Suspended           claimBool    `json:"suspended"`
	Type                claimString  `json:"type"`
	Name                claimString  `json:"name"`
	Email               claimString  `json:"email"`
	Company             claimString  `json:"company"`

	ProductMetadata    M  `json:"pmd"`
	LicenseMetadata    M  `json:"lmd"`
	UserMetadata       M  `json:"umd"`
	ActivationMetadata M  `json:"amd"`
	LicenseMeters      LM `json:"lma"`
	ActivationMeters   AM `json:"ama"`
}

// wireClaims is the payload as the careful path reads it: each list claim checked to be given
// once and kept as bytes, for decodeLists.
type wireClaims = wirePayload[claimList, claimList, claimList]

// wireClaimsOnce is the payload as the direct path reads it, the lists straight into their
// types, for a payload that cannot give a list twice (see listNamesOnce).
type wireClaimsOnce = wirePayload[Metadata, []LicenseMeter, []ActivationMeter]

// isObject reports whether the valid JSON value p is an object, not the null that
// encoding/json reads into a struct as nothing.
func isObject(p []byte) bool { return bytes.HasPrefix(bytes.TrimLeft(p, " \t\r\n"), []byte{'{'}) }

// decodeClaims fills c from the payload JSON, keeping c.payload.
//
// A payload that cannot give a list claim twice (nearly every one: see listNamesOnce) is read
// by one json.Unmarshal, the lists straight into their types. Any other takes the careful path,
// which checks that each list is given once and then reads them all with a second
// json.Unmarshal; a list given twice must be refused rather than read by encoding/json, which
// would decode the second into the first's elements, mixing the two. Both paths give the same
// claims for every payload (FuzzDecodeClaims, TestDecodeClaimsPathsAgree).
func decodeClaims(p []byte, c *Claims) error {
	if listNamesOnce(p) {
		return decodeClaimsOnce(p, c)
	}
	return decodeClaimsCareful(p, c)
}

// decodeClaimsOnce is decodeClaims for a payload for which listNamesOnce holds.
func decodeClaimsOnce(p []byte, c *Claims) error {
	var w wireClaimsOnce
	if err := decodePayload(p, c, &w); err != nil {
		return err
	}
	c.ProductMetadata, c.LicenseMetadata = w.ProductMetadata, w.LicenseMetadata
	c.UserMetadata, c.ActivationMetadata = w.UserMetadata, w.ActivationMetadata
	c.LicenseMeterAttributes, c.ActivationMeterAttributes = w.LicenseMeters, w.ActivationMeters
	return nil
}

// decodeClaimsCareful is decodeClaims for any payload.
func decodeClaimsCareful(p []byte, c *Claims) error {
	var w wireClaims
	if err := decodePayload(p, c, &w); err != nil {
		return err
	}
	return decodeLists(c, [...]*claimList{&w.ProductMetadata, &w.LicenseMetadata, &w.UserMetadata,
		&w.ActivationMetadata, &w.LicenseMeters, &w.ActivationMeters})
}

// decodePayload reads the payload p into w and sets c to its scalar claims, keeping c.payload;
// the lists are left to the caller.
func decodePayload[M, LM, AM any](p []byte, c *Claims, w *wirePayload[M, LM, AM]) error {
	if err := json.Unmarshal(p, w); err != nil {
		return err
	}
	if !isObject(p) {
		return errClaimType
	}
	*c = Claims{
		ActivationID: w.ActivationID.v, ProductID: w.ProductID.v, LicenseID: w.LicenseID.v, Key: secret.New(w.Key.v),
		Fingerprint: w.Fingerprint.v, FingerprintStrategy: w.FingerprintStrategy.v, OS: w.OS.v,
		IssuedAt: w.IssuedAt.v, ExpiresAt: w.ExpiresAt.v, LeaseExpiresAt: w.LeaseExpiresAt.v,
		GracePeriodExpiresAt: w.GracePeriodExpires.v, LeaseDuration: w.LeaseDuration.v,
		LeasingStrategy: w.LeasingStrategy.v, FloatingClients: w.FloatingClients.v,
		ServerSyncInterval: w.ServerSyncInterval.v, AllowedClockOffset: w.AllowedClockOffset.v,
		OfflineResponseValidity: w.OfflineResponse.v, Suspended: w.Suspended.v, Type: w.Type.v,
		Name: w.Name.v, Email: w.Email.v, Company: w.Company.v,
		payload: c.payload,
	}
	return nil
}

// listNamesOnce reports whether the payload p certainly names each list claim at most once.
// It holds when p has no backslash, so that the bytes between two quotes are a string's text
// exactly, and no three-letter string equal to a list claim's name in any letter case (all
// encoding/json matches to the field: no letter of these names has a fold outside ASCII) occurs
// twice, wherever it is: a key inside a list, or a value, spelled like one only sends the payload
// down the careful path. p need not be valid JSON: json.Unmarshal refuses what is not.
func listNamesOnce(p []byte) bool {
	if bytes.IndexByte(p, '\\') >= 0 {
		return false
	}
	var seen uint8
	for i := 0; ; {
		j := bytes.IndexByte(p[i:], '"')
		if j < 0 {
			return true
		}
		i += j + 1
		if i+3 < len(p) && p[i+3] == '"' {
			if k := listClaim(p[i], p[i+1], p[i+2]); k >= 0 {
				if seen&(1<<k) != 0 {
					return false
				}
				seen |= 1 << k
			}
		}
	}
}

// listClaim returns the index of the list claim (pmd lmd umd amd lma ama) that the three bytes
// spell in any letter case, or -1.
func listClaim(a, m, b byte) int {
	if m|0x20 != 'm' {
		return -1
	}
	switch a, b := a|0x20, b|0x20; {
	case a == 'p' && b == 'd':
		return 0
	case a == 'l' && b == 'd':
		return 1
	case a == 'u' && b == 'd':
		return 2
	case a == 'a' && b == 'd':
		return 3
	case a == 'l' && b == 'a':
		return 4
	case a == 'a' && b == 'a':
		return 5
	}
	return -1
}

// decodeLists reads the list claims kept by the first pass into c with one json.Unmarshal of
// the JSON array [pmd,lmd,umd,amd,lma,ama] (null for a list that is absent), each element
// decoded by encoding/json into its field of c exactly as a json.Unmarshal of that list alone
// would: an absent or null list stays nil, [] is an empty list, an element of the wrong shape
// refuses the claims.
func decodeLists(c *Claims, lists [6]*claimList) error {
	n := 0
	for _, l := range lists {
		n += len(l.raw) + len("null,")
	}
	if n == 6*len("null,") {
		return nil // no list claims
	}
	buf := make([]byte, 0, n+1)
	buf = append(buf, '[')
	for i, l := range lists {
		if i > 0 {
			buf = append(buf, ',')
		}
		if l.raw == nil {
			buf = append(buf, "null"...)
		} else {
			buf = append(buf, l.raw...)
		}
	}
	buf = append(buf, ']')
	into := [...]any{&c.ProductMetadata, &c.LicenseMetadata, &c.UserMetadata, &c.ActivationMetadata,
		&c.LicenseMeterAttributes, &c.ActivationMeterAttributes}
	return json.Unmarshal(buf, &into)
}

// critical is set when the header has a "crit" member, whatever its value.
type critical bool

func (c *critical) UnmarshalJSON([]byte) error { *c = true; return nil }

// wireHeader is the JOSE header as encoding/json reads it.
type wireHeader struct {
	Alg  claimString `json:"alg"`
	Crit critical    `json:"crit"`
}

// decodeHeader returns the alg of a JOSE header, refusing any "crit" extension it cannot honour.
func decodeHeader(p []byte) (alg string, err error) {
	var h wireHeader
	if err := json.Unmarshal(p, &h); err != nil {
		return "", err
	}
	switch {
	case !isObject(p):
		return "", errClaimType
	case bool(h.Crit):
		return "", errors.New("critical header extensions are not supported")
	}
	return h.Alg.v, nil
}

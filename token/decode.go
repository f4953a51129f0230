package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The claims decoder below reads the flat JSON object of a token's payload in one pass,
// checking its syntax as strictly as json.Valid. It exists for speed: offline validation is meant to
// cost little more than its one RSA verification, and encoding/json's reflection over ~30
// claims cost 40% of that. Values of types it does not expect are refused, as encoding/json
// would refuse them. FuzzDecodeClaims checks it against encoding/json.

var errMalformed = errors.New("malformed JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(p []byte, i int) int {
	for i < len(p) && isSpace(p[i]) {
		i++
	}
	return i
}

// maxDepth bounds nesting, as encoding/json does, so that no input can exhaust the stack.
const maxDepth = 512

// scanString returns the index just past the string starting at p[i] == '"', or -1 when it is
// not a valid JSON string (unterminated, a control character, a bad escape).
func scanString(p []byte, i int) int {
	for j := i + 1; j < len(p); j++ {
		switch c := p[j]; {
		case c == '"':
			return j + 1
		case c < 0x20:
			return -1
		case c == '\\':
			j++
			if j >= len(p) {
				return -1
			}
			switch p[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(p) {
					return -1
				}
				for _, h := range p[j+1 : j+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return -1
					}
				}
				j += 4
			default:
				return -1
			}
		}
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber returns the index just past the JSON number at p[i], or -1.
func scanNumber(p []byte, i int) int {
	if i < len(p) && p[i] == '-' {
		i++
	}
	switch {
	case i < len(p) && p[i] == '0':
		i++
	case i < len(p) && '1' <= p[i] && p[i] <= '9':
		for i < len(p) && isDigit(p[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(p) && p[i] == '.' {
		i++
		if i >= len(p) || !isDigit(p[i]) {
			return -1
		}
		for i < len(p) && isDigit(p[i]) {
			i++
		}
	}
	if i < len(p) && (p[i] == 'e' || p[i] == 'E') {
		i++
		if i < len(p) && (p[i] == '+' || p[i] == '-') {
			i++
		}
		if i >= len(p) || !isDigit(p[i]) {
			return -1
		}
		for i < len(p) && isDigit(p[i]) {
			i++
		}
	}
	return i
}

// scanValue returns the index just past the JSON value at p[i], or -1 when it is not valid.
func scanValue(p []byte, i, depth int) int {
	if i >= len(p) || depth > maxDepth {
		return -1
	}
	switch c := p[i]; {
	case c == '"':
		return scanString(p, i)
	case c == '{' || c == '[':
		closer, isObj := byte(']'), c == '{'
		if isObj {
			closer = '}'
		}
		i = skipSpace(p, i+1)
		if i < len(p) && p[i] == closer {
			return i + 1
		}
		for {
			if isObj {
				if i >= len(p) || p[i] != '"' {
					return -1
				}
				if i = scanString(p, i); i < 0 {
					return -1
				}
				if i = skipSpace(p, i); i >= len(p) || p[i] != ':' {
					return -1
				}
				i = skipSpace(p, i+1)
			}
			if i = scanValue(p, i, depth+1); i < 0 {
				return -1
			}
			i = skipSpace(p, i)
			switch {
			case i >= len(p):
				return -1
			case p[i] == closer:
				return i + 1
			case p[i] != ',':
				return -1
			}
			i = skipSpace(p, i+1)
		}
	case c == 't':
		return literal(p, i, "true")
	case c == 'f':
		return literal(p, i, "false")
	case c == 'n':
		return literal(p, i, "null")
	}
	return scanNumber(p, i)
}

func literal(p []byte, i int, lit string) int {
	if len(p)-i >= len(lit) && string(p[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// forEachMember calls fn with each member of the JSON object that is the whole of p, keys
// unescaped, checking the syntax as it goes: p is valid JSON when it returns nil.
func forEachMember(p []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		if end := scanValue(p, i, 0); end < 0 || skipSpace(p, end) != len(p) {
			return errMalformed
		}
		return errClaimType
	}
	i = skipSpace(p, i+1)
	if i < len(p) && p[i] == '}' {
		return trailing(p, i+1)
	}
	for {
		if i >= len(p) || p[i] != '"' {
			return errMalformed
		}
		end := scanString(p, i)
		if end < 0 {
			return errMalformed
		}
		key, err := jsonString(p[i:end])
		if err != nil {
			return errMalformed
		}
		if i = skipSpace(p, end); i >= len(p) || p[i] != ':' {
			return errMalformed
		}
		i = skipSpace(p, i+1)
		vend := scanValue(p, i, 1)
		if vend < 0 {
			return errMalformed
		}
		if err := fn(key, p[i:vend]); err != nil {
			return err
		}
		i = skipSpace(p, vend)
		switch {
		case i >= len(p):
			return errMalformed
		case p[i] == '}':
			return trailing(p, i+1)
		case p[i] != ',':
			return errMalformed
		}
		i = skipSpace(p, i+1)
	}
}

// trailing allows only white space after the top-level value.
func trailing(p []byte, i int) error {
	if skipSpace(p, i) != len(p) {
		return errMalformed
	}
	return nil
}

// jsonString decodes a JSON string literal; a plain one (no escapes, valid UTF-8) is copied
// as is, anything else goes through encoding/json.
func jsonString(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", errClaimType
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errClaimType
	}
	return s, nil
}

func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }

// stringInto sets *dst from a string; null means "" (a later duplicate member wins, null or not).
func stringInto(dst *string, v []byte) error {
	if isNull(v) {
		*dst = ""
		return nil
	}
	s, err := jsonString(v)
	if err != nil {
		return err
	}
	*dst = s
	return nil
}

// whole parses a JSON number with no fraction; null is 0.
func whole(v []byte) (float64, error) {
	if isNull(v) {
		return 0, nil
	}
	if len(v) == 0 || v[0] == '"' || v[0] == '{' || v[0] == '[' || v[0] == 't' || v[0] == 'f' {
		return 0, errClaimType
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
		return 0, errClaimType
	}
	return f, nil
}

func unixInto(dst *time.Time, v []byte) error {
	n, err := whole(v)
	if err != nil || n < 0 || n > maxUnix {
		return errClaimType
	}
	*dst = time.Time{}
	if n != 0 {
		*dst = time.Unix(int64(n), 0)
	}
	return nil
}

func secondsInto(dst *time.Duration, v []byte) error {
	n, err := whole(v)
	if err != nil || n < 0 {
		return errClaimType
	}
	if n > float64(math.MaxInt64/int64(time.Second)) {
		n = float64(math.MaxInt64 / int64(time.Second))
	}
	*dst = time.Duration(n) * time.Second
	return nil
}

func int64Into(dst *int64, v []byte) error {
	n, err := whole(v)
	if err != nil || n < math.MinInt64 || n >= math.MaxInt64 {
		return errClaimType
	}
	*dst = int64(n)
	return nil
}

func boolInto(dst *bool, v []byte) error {
	switch string(v) {
	case "true", "1":
		*dst = true
	case "false", "0", "null":
		*dst = false
	default:
		return errClaimType
	}
	return nil
}

// forEachElement calls fn with each element of the JSON array that is the whole of p.
func forEachElement(p []byte, fn func(val []byte) error) error {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '[' {
		return errClaimType
	}
	i = skipSpace(p, i+1)
	if i < len(p) && p[i] == ']' {
		return trailing(p, i+1)
	}
	for {
		end := scanValue(p, i, 1)
		if end < 0 {
			return errMalformed
		}
		if err := fn(p[i:end]); err != nil {
			return err
		}
		i = skipSpace(p, end)
		switch {
		case i >= len(p):
			return errMalformed
		case p[i] == ']':
			return trailing(p, i+1)
		case p[i] != ',':
			return errMalformed
		}
		i = skipSpace(p, i+1)
	}
}

// arrayInto decodes an array of objects, each member handed to set with the element's index;
// null leaves the slice nil.
func arrayInto[T any](dst *[]T, v []byte, set func(e *T, key string, val []byte) error) error {
	*dst = nil
	if isNull(v) {
		return nil
	}
	out := []T{}
	err := forEachElement(v, func(el []byte) error {
		var e T
		if !isNull(el) {
			if err := forEachMember(el, func(k string, val []byte) error { return set(&e, k, val) }); err != nil {
				return err
			}
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return errClaimType
	}
	*dst = out
	return nil
}

func setMetadata(e *MetadataItem, k string, v []byte) error {
	switch k {
	case "key":
		return stringInto(&e.Key, v)
	case "value":
		return stringInto(&e.Value, v)
	}
	return nil
}

func setLicenseMeter(e *LicenseMeter, k string, v []byte) error {
	switch k {
	case "name":
		return stringInto(&e.Name, v)
	case "allowedUses":
		return int64Into(&e.AllowedUses, v)
	case "totalUses":
		return int64Into(&e.TotalUses, v)
	}
	return nil
}

func setActivationMeter(e *ActivationMeter, k string, v []byte) error {
	switch k {
	case "name":
		return stringInto(&e.Name, v)
	case "uses":
		return int64Into(&e.Uses, v)
	}
	return nil
}

// decodeClaims fills c from the payload JSON, checking its syntax as it goes. It reports
// whether iat was present.
func decodeClaims(p []byte, c *Claims) (hasIAT bool, err error) {
	err = forEachMember(p, func(k string, v []byte) error {
		switch k {
		case "aid":
			return stringInto(&c.ActivationID, v)
		case "pid":
			return stringInto(&c.ProductID, v)
		case "lid":
			return stringInto(&c.LicenseID, v)
		case "key":
			return stringInto(&c.Key, v)
		case "fp":
			return stringInto(&c.Fingerprint, v)
		case "fms":
			return stringInto(&c.FingerprintStrategy, v)
		case "os":
			return stringInto(&c.OS, v)
		case "ls":
			return stringInto(&c.LeasingStrategy, v)
		case "type":
			return stringInto(&c.Type, v)
		case "name":
			return stringInto(&c.Name, v)
		case "email":
			return stringInto(&c.Email, v)
		case "company":
			return stringInto(&c.Company, v)
		case "iat":
			hasIAT = !isNull(v)
			return unixInto(&c.IssuedAt, v)
		case "eat":
			return unixInto(&c.ExpiresAt, v)
		case "leat":
			return unixInto(&c.LeaseExpiresAt, v)
		case "ssgpeat":
			return unixInto(&c.GracePeriodExpiresAt, v)
		case "ld":
			return secondsInto(&c.LeaseDuration, v)
		case "ssi":
			return secondsInto(&c.ServerSyncInterval, v)
		case "aco":
			return secondsInto(&c.AllowedClockOffset, v)
		case "fc":
			return int64Into(&c.FloatingClients, v)
		case "orv":
			return int64Into(&c.OfflineResponseValidity, v)
		case "suspended":
			return boolInto(&c.Suspended, v)
		case "pmd":
			return arrayInto((*[]MetadataItem)(&c.ProductMetadata), v, setMetadata)
		case "lmd":
			return arrayInto((*[]MetadataItem)(&c.LicenseMetadata), v, setMetadata)
		case "umd":
			return arrayInto((*[]MetadataItem)(&c.UserMetadata), v, setMetadata)
		case "amd":
			return arrayInto((*[]MetadataItem)(&c.ActivationMetadata), v, setMetadata)
		case "lma":
			return arrayInto(&c.LicenseMeterAttributes, v, setLicenseMeter)
		case "ama":
			return arrayInto(&c.ActivationMeterAttributes, v, setActivationMeter)
		}
		return nil
	})
	return hasIAT, err
}

// decodeHeader returns the alg of a JOSE header, refusing any "crit" extension it cannot honour.
func decodeHeader(p []byte) (alg string, err error) {
	err = forEachMember(p, func(k string, v []byte) error {
		switch k {
		case "alg":
			return stringInto(&alg, v)
		case "crit":
			return errors.New("critical header extensions are not supported")
		}
		return nil
	})
	return alg, err
}

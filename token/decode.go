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

// The claims decoder below reads the flat JSON object of a token's payload in one pass, after
// json.Valid has vouched for its syntax. It exists for speed: offline validation is meant to
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

// endString returns the index just past the string starting at p[i] == '"'.
func endString(p []byte, i int) int {
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(p)
}

// endValue returns the index just past the value starting at p[i] in valid JSON.
func endValue(p []byte, i int) int {
	switch p[i] {
	case '"':
		return endString(p, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(p); j++ {
			switch p[j] {
			case '"':
				j = endString(p, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(p)
	}
	j := i
	for j < len(p) && p[j] != ',' && p[j] != '}' && p[j] != ']' && !isSpace(p[j]) {
		j++
	}
	return j
}

// forEachMember calls fn with each member of the JSON object p (valid JSON), keys unescaped.
func forEachMember(p []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '{' {
		return errClaimType
	}
	i++
	for {
		i = skipSpace(p, i)
		if i >= len(p) {
			return errMalformed
		}
		switch p[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		}
		end := endString(p, i)
		key, err := jsonString(p[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(p, end)
		if i >= len(p) || p[i] != ':' {
			return errMalformed
		}
		i = skipSpace(p, i+1)
		if i >= len(p) {
			return errMalformed
		}
		vend := endValue(p, i)
		if err := fn(key, p[i:vend]); err != nil {
			return err
		}
		i = vend
	}
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

// forEachElement calls fn with each element of the JSON array p (valid JSON).
func forEachElement(p []byte, fn func(val []byte) error) error {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '[' {
		return errClaimType
	}
	i++
	for {
		i = skipSpace(p, i)
		if i >= len(p) {
			return errMalformed
		}
		switch p[i] {
		case ']':
			return nil
		case ',':
			i++
			continue
		}
		end := endValue(p, i)
		if err := fn(p[i:end]); err != nil {
			return err
		}
		i = end
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

// decodeClaims fills c from the payload JSON, whose syntax json.Valid checks first. It reports whether iat was present.
func decodeClaims(p []byte, c *Claims) (hasIAT bool, err error) {
	if !json.Valid(p) {
		return false, errMalformed
	}
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
	if !json.Valid(p) {
		return "", errMalformed
	}
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

package token

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/secret"
)

// referenceClaims reads a claims set the slow, obvious way, for FuzzDecodeClaims: the members
// one by one with json.Decoder, each known claim matched as encoding/json matches field names
// (exactly, else ignoring case), and each value by encoding/json into a plain Go value, numbers
// as exact rationals. It states the rules that decodeClaims must keep:
//
//   - the payload is a JSON object; a known claim given twice (in any matching spelling) refuses it;
//   - null is "absent"; strings, booleans, int64 integers and lists of objects as encoding/json
//     reads them, a value of any other type refused;
//   - numeric dates are non-negative numbers of seconds up to the end of 9999, read exactly and
//     truncated to the nanosecond, 0 meaning "not set"; durations likewise, saturating.
func referenceClaims(t *testing.T, p []byte) (Claims, bool) {
	var c Claims
	if !json.Valid(p) || !bytes.HasPrefix(bytes.TrimSpace(p), []byte("{")) {
		return c, false
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.Token()
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		name := ""
		for _, k := range knownClaims {
			if strings.EqualFold(tok.(string), k) {
				name = k
			}
		}
		if name == "" {
			continue
		}
		if seen[name] {
			return c, false
		}
		seen[name] = true
		if string(raw) == "null" {
			continue
		}
		if !referenceMember(t, &c, name, raw) {
			return c, false
		}
	}
	return c, true
}

func referenceMember(t *testing.T, c *Claims, name string, raw json.RawMessage) bool {
	str := map[string]*string{"aid": &c.ActivationID, "pid": &c.ProductID, "lid": &c.LicenseID,
		"fp": &c.Fingerprint, "fms": &c.FingerprintStrategy, "os": &c.OS, "ls": &c.LeasingStrategy,
		"type": &c.Type, "name": &c.Name, "email": &c.Email, "company": &c.Company}
	dates := map[string]*time.Time{"iat": &c.IssuedAt, "eat": &c.ExpiresAt, "leat": &c.LeaseExpiresAt,
		"ssgpeat": &c.GracePeriodExpiresAt}
	durs := map[string]*time.Duration{"ld": &c.LeaseDuration, "ssi": &c.ServerSyncInterval, "aco": &c.AllowedClockOffset}
	ints := map[string]*int64{"fc": &c.FloatingClients, "orv": &c.OfflineResponseValidity}
	lists := map[string]any{"pmd": &c.ProductMetadata, "lmd": &c.LicenseMetadata, "umd": &c.UserMetadata,
		"amd": &c.ActivationMetadata, "lma": &c.LicenseMeterAttributes, "ama": &c.ActivationMeterAttributes}
	switch {
	case str[name] != nil:
		return raw[0] == '"' && json.Unmarshal(raw, str[name]) == nil
	case name == "key":
		var key string
		ok := raw[0] == '"' && json.Unmarshal(raw, &key) == nil
		c.Key = secret.New(key)
		return ok
	case name == "suspended":
		var v any
		_ = json.Unmarshal(raw, &v)
		b, ok := v.(bool)
		c.Suspended = b
		return ok
	case ints[name] != nil:
		return json.Unmarshal(raw, ints[name]) == nil
	case lists[name] != nil:
		return raw[0] == '[' && json.Unmarshal(raw, lists[name]) == nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		t.Fatal("invalid member")
	}
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	if i := strings.IndexAny(string(n), "eE"); i >= 0 && len(strings.TrimLeft(string(n)[i+1:], "+-0")) > 4 {
		t.Skip("exponent too large for math/big to be quick")
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		t.Fatalf("math/big cannot read %s", n)
	}
	if r.Sign() < 0 {
		return false
	}
	ns := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e9)), r.Denom()) // floor, as r >= 0
	if d := durs[name]; d != nil {
		if ns.Cmp(big.NewInt(maxDurationSeconds*1e9)) >= 0 {
			*d = time.Duration(1<<63 - 1)
		} else {
			*d = time.Duration(ns.Int64())
		}
		return true
	}
	if ns.Cmp(new(big.Int).Mul(big.NewInt(maxUnix+1), big.NewInt(1e9))) >= 0 {
		return false
	}
	if ns.Sign() != 0 {
		sec, nsec := new(big.Int).QuoRem(ns, big.NewInt(1e9), new(big.Int))
		*dates[name] = time.Unix(sec.Int64(), nsec.Int64())
	}
	return true
}

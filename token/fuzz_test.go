package token

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// FuzzVerify: verifying any string never panics, and nothing but the one genuinely signed
// token in the seed corpus is ever accepted.
func FuzzVerify(f *testing.F) {
	k, _ := keys(f)
	good := sign(f, baseClaims(), jwt.SigningMethodRS256, k)
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(rawToken(`{"alg":"none"}`, mustJSON(baseClaims()), nil))
	f.Add(rawToken(`{"alg":"HS256"}`, mustJSON(baseClaims()), []byte("sig")))
	f.Add("..")
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.")
	v := verifier(f)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := v.Verify(raw, bind)
		if err == nil {
			if raw != good {
				t.Fatalf("accepted a token nobody signed: %q", raw)
			}
			_ = CheckTime(c, testNow)
			return
		}
		if !errors.Is(err, errs.ErrTokenInvalid) && !errors.Is(err, errs.ErrFingerprintMismatch) {
			t.Fatalf("error outside the categories: %v", err)
		}
	})
}

// FuzzDecodeRecord: any stored value decodes to a record or a clear error, never a panic, and
// only a value sealed with the key decodes.
func FuzzDecodeRecord(f *testing.F) {
	key := SealKey(testProduct, testFP)
	good := EncodeRecord(Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}, key)
	f.Add(good)
	f.Add(recordVersion + "1:x:a2V5:a.b.c")
	f.Add(recordVersion + "99999999999999999999:x:a2V5:t")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := DecodeRecord(s, key)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrRecordTampered) {
				t.Fatalf("error outside the categories: %v", err)
			}
			return
		}
		if EncodeRecord(r, key) != s && s != good {
			// A different encoding of the same sealed fields is fine; a different seal is not.
			if _, err := DecodeRecord(EncodeRecord(r, key), key); err != nil {
				t.Fatalf("re-encoding fails: %v", err)
			}
		}
	})
}

// FuzzParseEntry: any keychain item parses to a manifest or ErrCorrupt, and a manifest's
// numbers are always within bounds.
func FuzzParseEntry(f *testing.F) {
	f.Add(inlinePrefix + checksum("v") + ":v")
	f.Add(manifestPrefix + "0011223344556677:5:12000:" + checksum("x"))
	f.Add(manifestPrefix + "g:-1:-1:")
	f.Add("hunter2")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseEntry(s)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error outside the categories: %v", err)
			}
			return
		}
		if m.gen != "" && (m.chunks < 1 || m.chunks > maxChunks || m.length < 0 || len(m.sum) != 64) {
			t.Fatalf("manifest out of bounds: %+v", m)
		}
	})
}

// FuzzDecodeClaims checks the one-pass claims decoder against encoding/json: it never panics,
// refuses what is not JSON, and where it succeeds every string claim equals what encoding/json
// makes of the same member.
func FuzzDecodeClaims(f *testing.F) {
	f.Add([]byte(mustJSON(baseClaims())))
	f.Add([]byte(`{"aid":"a\u00e9\"b","aid":"second","pid":null,"iat":1e3,"pmd":[]}`))
	f.Add([]byte(`{"name":"\xff\xfe","eat":-1}`))
	f.Add([]byte(`{"suspended":1,"ssi":1.5}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"a":{"b":["}",{"c":"]"}]},"aid":"x"}`))
	f.Fuzz(func(t *testing.T, p []byte) {
		var c Claims
		_, err := decodeClaims(p, &c)
		if !json.Valid(p) {
			if err == nil {
				t.Fatal("accepted invalid JSON")
			}
			return
		}
		if err != nil {
			return
		}
		var ref map[string]json.RawMessage
		if json.Unmarshal(p, &ref) != nil {
			t.Fatal("decoded what encoding/json cannot read as an object")
		}
		for name, got := range map[string]string{"aid": c.ActivationID, "pid": c.ProductID, "lid": c.LicenseID,
			"key": c.Key, "fp": c.Fingerprint, "fms": c.FingerprintStrategy, "os": c.OS, "ls": c.LeasingStrategy,
			"type": c.Type, "name": c.Name, "email": c.Email, "company": c.Company} {
			var want string
			if raw, ok := ref[name]; ok {
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatalf("%s: accepted %s, which is not a string", name, raw)
				}
			}
			if got != want {
				t.Fatalf("%s = %q, encoding/json says %q", name, got, want)
			}
		}
	})
}

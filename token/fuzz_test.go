package token

import (
	"errors"
	"reflect"
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

// FuzzDecodeClaims checks the claims decoding against an independent reading of the same bytes
// with encoding/json's generic values (and math/big for numeric dates), on every claim: both
// accept or both refuse, and where they accept every field of Claims is what the reference
// makes of its member. See referenceClaims for the rules.
func FuzzDecodeClaims(f *testing.F) {
	f.Add([]byte(mustJSON(baseClaims())))
	f.Add([]byte(`{"aid":"a\u00e9\"b","aid":"second","pid":null,"iat":1e3,"pmd":[]}`))
	f.Add([]byte(`{"name":"\xff\xfe","eat":-1}`))
	f.Add([]byte(`{"suspended":1,"ssi":1.5}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"a":{"b":["}",{"c":"]"}]},"aid":"x"}`))
	f.Add([]byte(`{"suspended":true,"suspended":null}`))
	f.Add([]byte(`{"eat":1795694340,"eat":null}`))
	f.Add([]byte(`{"iat":1795694340.5,"eat":17956943405e-1,"leat":0.000000001,"aco":1e20,"ssi":-0}`))
	f.Add([]byte(`{"EAT":5,"Aid":"x","\u017fuspended":true,"lma":[{"name":"m","allowedUses":1,"totalUses":2}]}`))
	f.Add([]byte(`{"ama":[{"name":"m","uses":1.5}],"fc":1e3,"orv":-7}`))
	f.Add([]byte(`{"pmd":[{"key":"a","value":"1"}],"pmd":[{"key":"b"}]}`))
	f.Add([]byte(`{"lmd":[{"key":"a","value":"1"}],"LMD":null,"umd":[]}`))
	f.Add([]byte(`{"lma":[{"name":"ama","allowedUses":2}],"ama":[{"name":"lma","uses":1}]}`))
	f.Add([]byte(`{"amd":[{"key":"k","value":"v\u0041"}],"am\u0064":[]}`))
	f.Fuzz(func(t *testing.T, p []byte) {
		var got Claims
		err := decodeClaims(p, &got)
		want, ok := referenceClaims(t, p)
		if ok != (err == nil) {
			t.Fatalf("decodeClaims: %v; the reference accepts: %v", err, ok)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeClaims = %+v\nreference    = %+v", got, want)
		}
		// Where the direct path is taken, the careful one agrees with it.
		if listNamesOnce(p) {
			var careful Claims
			cerr := decodeClaimsCareful(p, &careful)
			if (cerr == nil) != (err == nil) || err == nil && !reflect.DeepEqual(got, careful) {
				t.Fatalf("direct path: %v %+v\ncareful path: %v %+v", err, got, cerr, careful)
			}
		}
	})
}

package token

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// signRaw signs an exact header and payload with RS256, so that a test can send JSON that
// no encoder would write (duplicate members, odd number forms).
func signRaw(t *testing.T, header, payload string) string {
	t.Helper()
	k, _ := keys(t)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodRS256.Sign(input, k)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

// payloadWith is the base claims as JSON with extra members appended verbatim (later ones
// repeat earlier names when the test wants duplicates).
func payloadWith(members string, drop ...string) string {
	c := baseClaims()
	for _, d := range drop {
		delete(c, d)
	}
	s := mustJSON(c)
	if members == "" {
		return s
	}
	return s[:len(s)-1] + "," + members + "}"
}

const rs256 = `{"alg":"RS256","typ":"JWT"}`

// TestNumericDateFractions: RFC 7519 NumericDates may have fractions; they are kept to the
// nanosecond in every JSON number form, where a float64 would lose the sub-microsecond part.
func TestNumericDateFractions(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	iat := testNow.Add(-time.Minute).Unix()
	for _, tc := range []struct {
		json string
		want time.Time
	}{
		{"1795694340.5", time.Unix(1795694340, 5e8)},
		{"17956943405e-1", time.Unix(1795694340, 5e8)},
		{"1.7956943405E9", time.Unix(1795694340, 5e8)},
		{"1795694340.123456789987", time.Unix(1795694340, 123456789)},
		{"1795694340.000000001", time.Unix(1795694340, 1)},
		{"1795694340", time.Unix(1795694340, 0)},
		{"1795694340.0e0", time.Unix(1795694340, 0)},
		{"0.0", time.Time{}},
		{"0e99", time.Time{}},
		{"null", time.Time{}},
	} {
		tok := signRaw(t, rs256, payloadWith(`"eat":`+tc.json+`,"iat":`+itoa(iat)+`.25`, "eat", "iat"))
		c, err := v.Verify(tok, bind)
		if err != nil {
			t.Errorf("eat %s: %v", tc.json, err)
			continue
		}
		if !c.ExpiresAt.Equal(tc.want) || c.ExpiresAt.IsZero() != tc.want.IsZero() {
			t.Errorf("eat %s = %v, want %v", tc.json, c.ExpiresAt, tc.want)
		}
		if want := time.Unix(iat, 25e7); !c.IssuedAt.Equal(want) {
			t.Errorf("iat = %v, want %v", c.IssuedAt, want)
		}
	}
	// The issue's own case: a correctly signed token with "iat": 1795694340.5 is accepted.
	now := time.Unix(1795694400, 0)
	tok := signRaw(t, rs256, payloadWith(`"iat":1795694340.5`, "iat", "eat"))
	c, err := v.Verify(tok, bind)
	if err != nil {
		t.Fatal(err)
	}
	if CheckTime(c, now) != nil || c.IssuedAt != time.Unix(1795694340, 5e8) {
		t.Fatalf("iat %v: %v", c.IssuedAt, CheckTime(c, now))
	}
}

func itoa(n int64) string { return strings.TrimSpace(strings.Replace(mustJSON(n), `"`, "", -1)) }

// TestDuplicateClaimsRefused: a known claim given twice, in any spelling encoding/json matches
// to it, makes the token invalid, so that no second reading of the same signed bytes (first
// wins, last wins, null undoes) can tell another story. Unknown claims may repeat.
func TestDuplicateClaimsRefused(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	for _, members := range []string{
		`"suspended":true,"suspended":null`, // the review's cases
		`"eat":1795694340,"eat":null`,
		`"suspended":true,"suspended":false`,
		`"eat":1,"eat":0`,
		`"aco":300,"aco":99999999`,
		`"iat":1795694340,"iat":1795694341`,
		`"leat":5,"LEAT":0`,
		"\"suspended\":true,\"\u017fuspended\":false", // ſ folds to s in encoding/json's matching
		`"lma":[],"lma":[{"name":"x","allowedUses":9,"totalUses":0}]`,
		`"pmd":null,"PMD":[{"key":"a","value":"b"}]`, // lists are read after the first pass
		`"ama":[{"name":"x","uses":1}],"ama":null`,
		`"umd":[{"key":"a","value":"b"}],"umd":[{"key":"a","value":"b"}]`,
		`"pid":"prod-1","Pid":"prod-1"`,
	} {
		// The base claims carry each name once; dropping it first leaves exactly the pair.
		name := strings.Trim(strings.SplitN(members, ":", 2)[0], `"`)
		tok := signRaw(t, rs256, payloadWith(members, name))
		c, err := v.Verify(tok, bind)
		if !errors.Is(err, errs.ErrTokenInvalid) || c != nil {
			t.Errorf("%s: want ErrTokenInvalid, got %v", members, err)
		} else if !strings.Contains(err.Error(), "more than once") {
			t.Errorf("%s: %v does not say why", members, err)
		}
	}
	tok := signRaw(t, rs256, payloadWith(`"future":1,"future":2`, "future"))
	c, err := v.Verify(tok, bind)
	if err != nil {
		t.Fatalf("a repeated unknown claim: %v", err)
	}
	if x := c.Extra(); string(x["future"]) != "2" {
		t.Fatalf("Extra = %v, want the last future", x)
	}
}

// TestNullIsAbsent: null reads as the claim's absence, the same as encoding/json leaves a field.
func TestNullIsAbsent(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	tok := signRaw(t, rs256, payloadWith(`"suspended":null,"eat":null,"lma":null,"name":null,"fc":null,"aco":null`,
		"suspended", "eat", "lma", "name", "fc", "aco"))
	c, err := v.Verify(tok, bind)
	if err != nil {
		t.Fatal(err)
	}
	if c.Suspended || !c.ExpiresAt.IsZero() || c.LicenseMeterAttributes != nil || c.Name != "" || c.FloatingClients != 0 || c.AllowedClockOffset != 0 {
		t.Fatalf("null read as a value: %+v", c)
	}
	if _, err := v.Verify(signRaw(t, rs256, payloadWith(`"iat":null`, "iat")), bind); !errors.Is(err, errs.ErrTokenInvalid) {
		t.Fatalf("iat null accepted: %v", err)
	}
}

// TestWrongTypesRefused: every claim refuses a value of another JSON type or range.
func TestWrongTypesRefused(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	for _, m := range []string{
		`"suspended":1`, `"suspended":"true"`, `"suspended":0`, `"iat":"1795694340"`, `"eat":-1`, `"eat":-0.5`,
		`"eat":253402300800`, `"eat":1e16`, `"eat":true`, `"eat":[1]`, `"fc":1.5`, `"fc":1e3`, `"orv":"7"`,
		`"fc":9223372036854775808`, `"aco":-1`, `"ssi":"3600"`, `"aid":5`, `"pid":["prod-1"]`, `"key":{}`,
		`"pmd":{"key":"a"}`, `"pmd":[1]`, `"lmd":[{"key":5}]`, `"lma":[{"name":"x","allowedUses":1.5}]`,
		`"ama":[{"uses":"3"}]`, `"umd":"x"`,
	} {
		name := strings.Trim(strings.SplitN(m, ":", 2)[0], `"`)
		if c, err := v.Verify(signRaw(t, rs256, payloadWith(m, name)), bind); !errors.Is(err, errs.ErrTokenInvalid) || c != nil {
			t.Errorf("%s: want ErrTokenInvalid, got %v", m, err)
		}
	}
	for _, p := range []string{`null`, `[]`, `"x"`, `{"aid":"a"`} {
		if _, err := v.Verify(signRaw(t, rs256, p), bind); !errors.Is(err, errs.ErrTokenInvalid) {
			t.Errorf("payload %s accepted: %v", p, err)
		}
	}
	// Large durations saturate rather than overflow or fail.
	c, err := v.Verify(signRaw(t, rs256, payloadWith(`"ld":1e300`, "ld")), bind)
	if err != nil || c.LeaseDuration != time.Duration(1<<63-1) {
		t.Fatalf("ld 1e300: %v %v", c, err)
	}
}

// TestHeaderRead: the header goes through the same decoding: crit refused in any spelling or
// value, alg given twice refused, wrong types refused.
func TestHeaderRead(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	payload := payloadWith("")
	if _, err := v.Verify(signRaw(t, `{"typ":"JWT","alg":"RS256"}`, payload), bind); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{`{"alg":"RS256","crit":["exp"]}`, `{"alg":"RS256","crit":null}`, `{"alg":"RS256","CRIT":[]}`,
		`{"alg":"RS256","alg":"RS256"}`, `{"alg":"none","alg":"RS256"}`, `{"alg":5}`, `null`, `["RS256"]`, `{"alg":"RS256"} x`} {
		if _, err := v.Verify(signRaw(t, h, payload), bind); !errors.Is(err, errs.ErrTokenInvalid) {
			t.Errorf("header %s accepted: %v", h, err)
		}
	}
}

// TestBase64URLAlphabet: each segment holds only the base64url alphabet. Go's decoders skip
// CR and LF, so a line break anywhere in a segment used to go unnoticed; so did padding in some
// places. Each must be refused, whatever segment it is in.
func TestBase64URLAlphabet(t *testing.T) {
	t.Parallel()
	v := verifier(t)
	good := signRaw(t, rs256, payloadWith(""))
	if _, err := v.Verify(good, bind); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for i := range parts {
		for _, bad := range []string{"\n", "\r", "\r\n", " ", "=", "+", "/", "\t", "\x00", "é"} {
			for _, at := range []int{0, 4, len(parts[i])} {
				p := append([]string(nil), parts...)
				p[i] = p[i][:at] + bad + p[i][at:]
				tok := strings.Join(p, ".")
				if _, err := v.Verify(tok, bind); !errors.Is(err, errs.ErrTokenInvalid) {
					t.Errorf("segment %d with %q at %d accepted: %v", i, bad, at, err)
				}
			}
		}
	}
}

// TestListNamesOnce: the direct path is taken only when no list claim can be given twice, in
// any spelling encoding/json matches to it.
func TestListNamesOnce(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p    string
		want bool
	}{
		{`{"pmd":[],"lmd":[],"umd":[],"amd":[],"lma":[],"ama":[]}`, true},
		{`{"aid":"a","iat":1}`, true},
		{`{"pmd":[],"pmd":[]}`, false},
		{`{"pmd":[],"PMD":null}`, false},
		{`{"lMa":[],"LmA":[]}`, false},
		{`{"ama":[{"name":"AMA","uses":1}]}`, false},        // a value spelled like a list's name
		{`{"lmd":[{"key":"lmd","value":"x"}]}`, false},      // a key inside a list, likewise
		{`{"lmd":[],"x":"lmdx","y":"xlmd","z":"lm"}`, true}, // longer or shorter strings are no list's name
		{`{"amd":[],"am\u0064":[]}`, false},                 // an escape anywhere
		{`{"name":"a\\b"}`, false},
		{`{"md":"x","pm":"y","pmd"`, true}, // not JSON: json.Unmarshal refuses it
		{``, true},
	} {
		if got := listNamesOnce([]byte(c.p)); got != c.want {
			t.Errorf("listNamesOnce(%s) = %v, want %v", c.p, got, c.want)
		}
	}
}

// TestDecodeClaimsPathsAgree: for payloads the direct path may take, it gives exactly the claims,
// or the refusal, of the careful path; and a list given twice, which encoding/json alone would
// read as a mix of both, is refused.
func TestDecodeClaimsPathsAgree(t *testing.T) {
	t.Parallel()
	for _, p := range []string{
		`{"aid":"a","iat":1,"pmd":[{"key":"k","value":"v"}],"lmd":null,"umd":[],"amd":[{"KEY":"K","Value":"V","x":1}]}`,
		`{"lma":[{"name":"m","allowedUses":5,"totalUses":2},{"name":"n"}],"ama":[{"name":"m","uses":3}]}`,
		`{"pmd":[1]}`,
		`{"pmd":{}}`,
		`{"lma":[{"name":"m","allowedUses":1.5}]}`,
		`{"ama":[null,{"name":"m"}]}`,
		`{"umd":"x"}`,
		`{"lmd":[{"key":5}]}`,
		`{"aid":"a","aid":"b","pmd":[]}`,
		`{"suspended":true,"suspended":null,"lma":[]}`,
		`null`,
		`[]`,
		`{"pmd":[{"key":"\u00e9"}]}`, // careful path only: listNamesOnce refuses the escape
	} {
		var once, careful Claims
		errOnce := decodeClaimsOnce([]byte(p), &once)
		errCareful := decodeClaimsCareful([]byte(p), &careful)
		if (errOnce == nil) != (errCareful == nil) || errOnce == nil && !reflect.DeepEqual(once, careful) {
			t.Errorf("%s:\ndirect  %v %+v\ncareful %v %+v", p, errOnce, once, errCareful, careful)
		}
	}
	var c Claims
	if err := decodeClaims([]byte(`{"pmd":[{"key":"a","value":"1"}],"pmd":[{"key":"b"}]}`), &c); !errors.Is(err, errDuplicate) {
		t.Fatalf("a list given twice: %v %+v", err, c.ProductMetadata)
	}
}

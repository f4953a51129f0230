package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/token"
)

// timeClaims are NumericDates (seconds since 1970, UTC); 0 means "not set".
var timeClaims = map[string]bool{"iat": true, "eat": true, "leat": true, "ssgpeat": true}

// durationClaims are in seconds.
var durationClaims = map[string]bool{"ssi": true, "aco": true, "ld": true}

func (e env) token(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	keyFile := fs.String("public-key", "", "the product's RSA public key (PEM or base64 DER) in `FILE`; without it the signature is not checked")
	nowFlag := fs.String("now", "", "apply the time rules at `TIME` (RFC 3339) instead of now")
	if ok, code := e.parse(fs, "tollgate token [--public-key FILE] [--now TIME] TOKEN|-\n\nDecodes an activation token (\"-\" reads it from standard input): its claims with the license\nkey masked, whether it verifies against the public key, and what the time rules say.", args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return e.usageError("token", "want one TOKEN (or - for standard input), got %d arguments", fs.NArg())
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return e.usageError("token", "--now: %v", err)
		}
		now = t
	}
	raw := fs.Arg(0)
	if raw == "-" {
		b, err := io.ReadAll(io.LimitReader(e.stdin, token.MaxTokenSize+1))
		if err != nil {
			return e.fail("token", err)
		}
		raw = string(b)
	}
	raw = strings.TrimSpace(raw)
	if len(raw) > token.MaxTokenSize {
		return e.fail("token", fmt.Errorf("the token is over %d bytes", token.MaxTokenSize))
	}

	header, claims, err := decodeUnverified(raw)
	if err != nil {
		return e.fail("token", err)
	}
	w := e.stdout
	fmt.Fprintf(w, "header       %s\n", compact(header))
	fmt.Fprintf(w, "claims:\n")
	for _, name := range sortedClaims(claims) {
		fmt.Fprintf(w, "  %-10s %s\n", name, describeClaim(name, claims[name], now))
	}

	failed := false
	var verified *token.Claims
	if *keyFile == "" {
		fmt.Fprintf(w, "\nsignature    not checked (pass --public-key FILE)\n")
	} else {
		c, err := verify(*keyFile, raw, claims)
		if err != nil {
			fmt.Fprintf(w, "\nsignature    DOES NOT VERIFY: %v\n", err)
			failed = true
		} else {
			fmt.Fprintf(w, "\nsignature    verifies against %s (product %s)\n", *keyFile, c.ProductID)
			verified = c
		}
	}

	c := verified
	label := ""
	if c == nil {
		c = timeRuleClaims(claims)
		label = " (of the claims as written; the signature was not verified)"
	}
	if err := token.CheckTime(c, now); err != nil {
		fmt.Fprintf(w, "time rules   at %s%s: %v\n", now.UTC().Format(time.RFC3339), label, err)
		failed = true
	} else {
		fmt.Fprintf(w, "time rules   at %s%s: pass\n", now.UTC().Format(time.RFC3339), label)
	}
	if failed {
		return exitFail
	}
	return exitOK
}

// decodeUnverified reads a JWT's header and claims without checking anything, for display.
func decodeUnverified(raw string) (header json.RawMessage, claims map[string]json.RawMessage, err error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("not a JWT: %d segments, want 3", len(parts))
	}
	hb, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil || !json.Valid(hb) {
		return nil, nil, errors.New("not a JWT: the header is not base64url JSON")
	}
	pb, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	if err != nil {
		return nil, nil, errors.New("not a JWT: the payload is not base64url")
	}
	if err := json.Unmarshal(pb, &claims); err != nil {
		return nil, nil, fmt.Errorf("not a JWT: the payload is not a JSON object: %v", err)
	}
	return hb, claims, nil
}

func sortedClaims(claims map[string]json.RawMessage) []string {
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// describeClaim renders one claim: the license key masked, times and durations spelled out.
func describeClaim(name string, v json.RawMessage, now time.Time) string {
	if name == "key" {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "(masked; not a string)"
		}
		return maskKey(s)
	}
	if timeClaims[name] {
		if t, ok := numericDate(v); ok {
			if t.IsZero() {
				return compact(v) + "  (not set)"
			}
			return compact(v) + "  (" + t.UTC().Format(time.RFC3339Nano) + ", " + relative(t, now) + ")"
		}
	}
	if durationClaims[name] {
		if f, err := strconv.ParseFloat(string(v), 64); err == nil && !math.IsInf(f, 0) && math.Abs(f) < 1e12 {
			return compact(v) + "  (" + (time.Duration(f) * time.Second).String() + ")"
		}
	}
	return compact(v)
}

// maskKey shows only the last four characters of a license key, and its length.
func maskKey(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return fmt.Sprintf("(masked, %d characters)", len(r))
	}
	return fmt.Sprintf("%s%s  (masked, %d characters)", strings.Repeat("*", len(r)-4), string(r[len(r)-4:]), len(r))
}

// numericDate reads a NumericDate: seconds since 1970, fractions allowed (RFC 7519).
func numericDate(v json.RawMessage) (time.Time, bool) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	if f == 0 {
		return time.Time{}, true
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func compact(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	s := b.String()
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// verify checks the signature and the product against the key in keyFile. The token is bound
// to the claims' own license key and fingerprint: the tool has no other to compare them with.
func verify(keyFile, raw string, claims map[string]json.RawMessage) (*token.Claims, error) {
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	key, err := token.ParsePublicKey(string(b))
	if err != nil {
		return nil, err
	}
	var pid, licenseKey, fp string
	_ = json.Unmarshal(claims["pid"], &pid)
	_ = json.Unmarshal(claims["key"], &licenseKey)
	_ = json.Unmarshal(claims["fp"], &fp)
	if pid == "" {
		return nil, errors.New("the token names no product (pid)")
	}
	v, err := token.NewVerifier(key, pid)
	if err != nil {
		return nil, err
	}
	return v.Verify(raw, token.Binding{LicenseKey: licenseKey, Fingerprint: fp})
}

// timeRuleClaims builds, from claims not verified, the fields token.CheckTime reads.
func timeRuleClaims(claims map[string]json.RawMessage) *token.Claims {
	var c token.Claims
	date := func(name string) time.Time {
		t, _ := numericDate(claims[name])
		return t
	}
	seconds := func(name string) time.Duration {
		f, err := strconv.ParseFloat(string(claims[name]), 64)
		if err != nil || math.Abs(f) > 1e12 {
			return 0
		}
		return time.Duration(f * float64(time.Second))
	}
	c.IssuedAt, c.ExpiresAt, c.LeaseExpiresAt, c.GracePeriodExpiresAt = date("iat"), date("eat"), date("leat"), date("ssgpeat")
	c.ServerSyncInterval, c.AllowedClockOffset = seconds("ssi"), seconds("aco")
	_ = json.Unmarshal(claims["suspended"], &c.Suspended)
	return &c
}

// relative says how far t is from now, to the minute.
func relative(t, now time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	switch {
	case d > 0:
		return "in " + d.String()
	case d < 0:
		return (-d).String() + " ago"
	}
	return "now"
}

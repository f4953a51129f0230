package token

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

func TestCheckTimeBoundaries(t *testing.T) {
	t.Parallel()
	now := testNow
	iat := now.Add(-time.Hour)
	base := func() *Claims {
		return &Claims{IssuedAt: iat, AllowedClockOffset: 5 * time.Minute, ServerSyncInterval: time.Hour}
	}
	for _, tc := range []struct {
		name string
		mod  func(c *Claims)
		want error
	}{
		{"valid", func(c *Claims) {}, nil},
		{"iat ahead by exactly aco", func(c *Claims) { c.IssuedAt = now.Add(5 * time.Minute) }, nil},
		{"iat ahead by aco+1s", func(c *Claims) { c.IssuedAt = now.Add(5*time.Minute + time.Second) }, errs.ErrClockOutOfSync},
		{"aco 0, iat 1s ahead", func(c *Claims) { c.AllowedClockOffset = 0; c.IssuedAt = now.Add(time.Second) }, errs.ErrClockOutOfSync},
		{"lease ends now", func(c *Claims) { c.LeaseExpiresAt = now }, nil},
		{"lease ended 1s ago", func(c *Claims) { c.LeaseExpiresAt = now.Add(-time.Second) }, errs.ErrLeaseExpired},
		{"lease before iat", func(c *Claims) { c.IssuedAt = now; c.LeaseExpiresAt = now.Add(-time.Second) }, errs.ErrLeaseExpired},
		{"grace ends now", func(c *Claims) { c.GracePeriodExpiresAt = now }, nil},
		{"grace over 1s ago", func(c *Claims) { c.GracePeriodExpiresAt = now.Add(-time.Second) }, errs.ErrGracePeriodOver},
		{"grace over but no sync required", func(c *Claims) { c.ServerSyncInterval = 0; c.GracePeriodExpiresAt = now.Add(-time.Hour) }, nil},
		{"expires now", func(c *Claims) { c.ExpiresAt = now }, nil},
		{"expired 1s ago", func(c *Claims) { c.ExpiresAt = now.Add(-time.Second) }, errs.ErrExpired},
		{"expiry before iat", func(c *Claims) { c.ExpiresAt = iat.Add(-time.Second); c.IssuedAt = iat }, errs.ErrExpired},
		{"suspended", func(c *Claims) { c.Suspended = true }, errs.ErrSuspended},
		// The order: each earlier rule wins over every later one.
		{"clock before lease", func(c *Claims) {
			c.IssuedAt = now.Add(time.Hour)
			c.LeaseExpiresAt = now.Add(-time.Hour)
		}, errs.ErrClockOutOfSync},
		{"lease before grace", func(c *Claims) {
			c.LeaseExpiresAt = now.Add(-time.Second)
			c.GracePeriodExpiresAt = now.Add(-time.Second)
		}, errs.ErrLeaseExpired},
		{"grace before expiry", func(c *Claims) {
			c.GracePeriodExpiresAt = now.Add(-time.Second)
			c.ExpiresAt = now.Add(-time.Second)
		}, errs.ErrGracePeriodOver},
		{"expiry before suspension", func(c *Claims) {
			c.ExpiresAt = now.Add(-time.Second)
			c.Suspended = true
		}, errs.ErrExpired},
	} {
		c := base()
		tc.mod(c)
		err := CheckTime(c, now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestCheckRollback(t *testing.T) {
	t.Parallel()
	seen := testNow
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{seen, false},
		{seen.Add(time.Hour), false},
		{seen.Add(-RollbackTolerance), false},
		{seen.Add(-RollbackTolerance - time.Second), true},
		{seen.Add(-30 * 24 * time.Hour), true},
	} {
		if got := errors.Is(CheckRollback(tc.now, seen), errs.ErrClockRolledBack); got != tc.want {
			t.Errorf("now %v: rolled back %v, want %v", tc.now.Sub(seen), got, tc.want)
		}
	}
	if CheckRollback(testNow, time.Time{}) != nil {
		t.Error("no record must not be a rollback")
	}
}

func TestRecord(t *testing.T) {
	t.Parallel()
	key := SealKey(testProduct, testFP)
	r := Record{Token: "a.b.c", Key: testKey, LastSeen: testNow}
	enc := EncodeRecord(r, key)
	got, err := DecodeRecord(enc, key)
	if err != nil || got.Token != r.Token || got.Key != r.Key || !got.LastSeen.Equal(r.LastSeen) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// Moving the recorded time back by editing it is detected.
	edited := strings.Replace(enc, strconv.FormatInt(testNow.Unix(), 10), strconv.FormatInt(testNow.Add(-48*time.Hour).Unix(), 10), 1)
	if edited == enc {
		t.Fatal("could not edit")
	}
	if r, err := DecodeRecord(edited, key); !errors.Is(err, ErrRecordTampered) || r.Token != "a.b.c" {
		t.Errorf("edited time: %v", err)
	}
	// So is a swapped license key.
	parts := strings.SplitN(enc, ":", 5)
	parts[3] = base64.RawURLEncoding.EncodeToString([]byte("OTHER-KEY"))
	if _, err := DecodeRecord(strings.Join(parts, ":"), key); !errors.Is(err, ErrRecordTampered) {
		t.Errorf("swapped key: %v", err)
	}
	// A record from another machine or product does not unseal.
	if _, err := DecodeRecord(enc, SealKey(testProduct, "ffff")); !errors.Is(err, ErrRecordTampered) {
		t.Errorf("other machine: %v", err)
	}
	if _, err := DecodeRecord(enc, SealKey("prod-2", testFP)); !errors.Is(err, ErrRecordTampered) {
		t.Errorf("other product: %v", err)
	}
	for _, bad := range []string{"", "garbage", recordVersion, recordVersion + "1:s:a2V5:", recordVersion + "x:s:a2V5:t",
		recordVersion + "-1:s:a2V5:t", recordVersion + "1:s::t", recordVersion + "1:s:!!:t", enc[:len(enc)-5]} {
		if _, err := DecodeRecord(bad, key); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrRecordTampered) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

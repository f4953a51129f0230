package licensing_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/transport"
)

var (
	keyOnce sync.Once
	sharedK *rsa.PrivateKey
)

// signingKey is generated once per test binary: RSA key generation is slow.
func signingKey() *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		sharedK = k
	})
	return sharedK
}

func machine(fp string) fingerprint.Machine {
	return fingerprint.Machine{OS: "linux", OSVersion: "12", Hostname: "test-host",
		Fingerprint: strings.Repeat(fp, 64/len(fp)), UserHash: strings.Repeat("9", 64)}
}

type env struct {
	srv    *licensingtest.Server
	client *licensing.Client
	st     store.Store
	key    string
	id     string
	m      fingerprint.Machine
	now    *clock
}

// clock is an adjustable clock for the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

func setup(t *testing.T, lic licensingtest.License, opts ...licensingtest.Option) *env {
	t.Helper()
	srv := licensingtest.NewServer(append([]licensingtest.Option{licensingtest.WithSigningKey(signingKey())}, opts...)...)
	t.Cleanup(srv.Close)
	e := &env{srv: srv, st: store.NewMemory(), m: machine("a1"), now: &clock{t: time.Now()}}
	e.key = srv.AddLicense(lic)
	e.id = srv.AddActivation(e.key)
	e.client = e.newClient(t, e.m, e.st)
	return e
}

func (e *env) newClient(t *testing.T, m fingerprint.Machine, st store.Store) *licensing.Client {
	t.Helper()
	c, err := licensing.New(licensing.Config{
		ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL, Store: st, Machine: &m,
		Now: e.now.Now, Retry: transport.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 20 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func (e *env) cached(t *testing.T) bool {
	t.Helper()
	_, err := e.st.Load(context.Background(), "activation/"+e.srv.ProductID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

var ctx = context.Background()

func TestUpdateThenValidateOffline(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Name: "Ada", ServerSyncInterval: time.Hour, GracePeriod: 24 * time.Hour,
		ExpiresAt: time.Now().Add(30 * 24 * time.Hour), Meters: map[string]int64{"exports": 10}})
	a, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key, ReleaseVersion: "1.2.3",
		MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != e.id || a.ProductID != e.srv.ProductID || a.Fingerprint != e.m.Fingerprint || a.Name != "Ada" ||
		a.ServerSyncInterval != time.Hour || a.GracePeriodExpiresAt.IsZero() || a.ExpiresAt.IsZero() || a.Token.IsZero() {
		t.Fatalf("activation %+v", a)
	}
	if m, uses, ok := a.Meter("EXPORTS"); !ok || m.AllowedUses != 10 || m.TotalUses != 2 || uses != 2 {
		t.Fatalf("meter %+v uses %d", m, uses)
	}
	if !e.cached(t) {
		t.Fatal("a verified token was not cached")
	}
	e.srv.Close() // no network from here on
	v, err := e.client.Validate(ctx)
	if err != nil || v.ID != e.id {
		t.Fatalf("offline Validate: %v", err)
	}
}

func TestValidateNothingCached(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("want ErrNotActivated, got %v", err)
	}
	// A corrupt value is a cache miss too.
	e.st.Save(ctx, "activation/"+e.srv.ProductID, "garbage")
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrNotActivated) {
		t.Fatalf("corrupt cache: want ErrNotActivated, got %v", err)
	}
}

func TestTokenCopiedFromAnotherMachine(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	stolen, _ := e.st.Load(ctx, "activation/"+e.srv.ProductID)
	other := store.NewMemory()
	other.Save(ctx, "activation/"+e.srv.ProductID, stolen)
	c := e.newClient(t, machine("b2"), other)
	if _, err := c.Validate(ctx); !errors.Is(err, licensing.ErrFingerprintMismatch) {
		t.Fatalf("want ErrFingerprintMismatch, got %v", err)
	}
}

func TestCacheKeptOrDroppedAfterErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   func(e *env)
		want    error
		dropped bool
	}{
		{"404", func(e *env) { e.srv.RemoveActivation(e.id) }, licensing.ErrActivationNotFound, true},
		{"revoked", func(e *env) { e.srv.UpdateLicense(e.key, func(l *licensingtest.License) { l.Revoked = true }) }, licensing.ErrLicenseRevoked, true},
		{"VM refused", func(e *env) { e.srv.Inject(licensingtest.Fault{Status: 400, Code: "VM_ACTIVATION_NOT_ALLOWED"}) }, licensing.ErrVMNotAllowed, true},
		{"invalid key", func(e *env) { e.srv.Inject(licensingtest.Fault{Status: 400, Code: "INVALID_LICENSE_KEY"}) }, licensing.ErrInvalidLicenseKey, true},
		{"activation limit", func(e *env) { e.srv.Inject(licensingtest.Fault{Status: 400, Code: "ACTIVATION_LIMIT_REACHED"}) }, licensing.ErrActivationLimitReached, false},
		{"meter limit", func(e *env) {
			e.srv.Inject(licensingtest.Fault{Status: 400, Code: "METER_ATTRIBUTE_USES_LIMIT_REACHED"})
		}, licensing.ErrMeterLimitReached, false},
		{"rate limited", func(e *env) { e.srv.FailNext(5, 429, "3600") }, licensing.ErrRateLimited, false},
		{"5xx", func(e *env) { e.srv.FailNext(5, 503, "") }, nil, false},
		{"network", func(e *env) { e.srv.Inject(licensingtest.Fault{Times: 5, Drop: licensingtest.DropBeforeApply}) }, nil, false},
		{"bad token", func(e *env) {
			e.srv.SetTokenHook(func(c map[string]any) { c["fp"] = strings.Repeat("f", 64) })
		}, licensing.ErrFingerprintMismatch, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, licensingtest.License{})
			first, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
			if err != nil {
				t.Fatal(err)
			}
			tc.fault(e)
			_, err = e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
			if strings.Contains(err.Error(), e.key) || strings.Contains(err.Error(), first.Token.Reveal()[:30]) {
				t.Fatalf("error leaks a secret: %v", err)
			}
			if got := !e.cached(t); got != tc.dropped {
				t.Fatalf("dropped = %v, want %v", got, tc.dropped)
			}
			if !tc.dropped {
				if v, err := e.client.Validate(ctx); err != nil || !v.Token.Equal(first.Token.Reveal()) {
					t.Fatalf("the earlier token must still validate: %v", err)
				}
			}
		})
	}
}

func TestLicenseStates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		hook func(c map[string]any, now time.Time)
		want error
	}{
		{"expired", func(c map[string]any, now time.Time) { c["eat"] = now.Add(-time.Minute).Unix() }, licensing.ErrExpired},
		{"suspended", func(c map[string]any, now time.Time) { c["suspended"] = true }, licensing.ErrSuspended},
		{"grace over", func(c map[string]any, now time.Time) {
			c["ssi"] = 60
			c["ssgpeat"] = now.Add(-time.Minute).Unix()
		}, licensing.ErrGracePeriodOver},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, licensingtest.License{})
			e.srv.SetTokenHook(func(c map[string]any) { tc.hook(c, time.Now()) })
			a, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
			if !errors.Is(err, tc.want) || a == nil || a.ID != e.id {
				t.Fatalf("update: want %v with the activation, got %v, %v", tc.want, a, err)
			}
			if !e.cached(t) {
				t.Fatal("a genuine token in this state is cached, as the vendor's client does")
			}
			a, err = e.client.Validate(ctx)
			if !errors.Is(err, tc.want) || a == nil {
				t.Fatalf("validate: want %v with the activation, got %v, %v", tc.want, a, err)
			}
		})
	}
}

func TestLeaseExpiryDropsTokenKeepsKey(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Type: "hosted-floating", LeaseDuration: time.Hour})
	a, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
	if err != nil || a.LeaseExpiresAt.IsZero() {
		t.Fatalf("%v %v", a, err)
	}
	e.now.Add(59 * time.Minute)
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatalf("inside the lease: %v", err)
	}
	e.now.Add(2 * time.Minute)
	for range 2 { // and it stays so: the record left behind is not "nothing cached"
		_, err := e.client.Validate(ctx)
		if !errors.Is(err, licensing.ErrLeaseExpired) || licensing.NeedsActivation(err) {
			t.Fatalf("want ErrLeaseExpired, not needing activation, got %v", err)
		}
	}
	stored, err := e.st.Load(ctx, "activation/"+e.srv.ProductID)
	if err != nil || strings.Contains(stored, a.Token.Reveal()) || strings.Contains(stored, strings.Split(a.Token.Reveal(), ".")[2]) {
		t.Fatalf("the token of an expired lease must be dropped: %v", err)
	}
}

func TestClockOutOfSyncIsNotCached(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{AllowedClockOffset: time.Minute},
		licensingtest.WithClock(func() time.Time { return time.Now().Add(time.Hour) }))
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); !errors.Is(err, licensing.ErrClockOutOfSync) {
		t.Fatalf("want ErrClockOutOfSync, got %v", err)
	}
	if e.cached(t) {
		t.Fatal("cached a token from the future")
	}
}

func TestAntiRollback(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	start := e.now.Now()
	e.now.Add(48 * time.Hour) // the clock moves forward: the record follows
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	e.now.Set(start.Add(47 * time.Hour)) // an hour back: within the tolerance
	if _, err := e.client.Validate(ctx); err != nil {
		t.Fatalf("within the tolerance: %v", err)
	}
	e.now.Set(start.Add(time.Hour)) // two days back: rolled back
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) {
		t.Fatalf("want ErrClockRolledBack, got %v", err)
	}
	// Editing the record's time to help is detected.
	stored, _ := e.st.Load(ctx, "activation/"+e.srv.ProductID)
	got, err := record.Decode(stored, record.SealKey(e.srv.ProductID, e.m.Fingerprint))
	if err != nil {
		t.Fatal(err)
	}
	rec := got.Record
	forged := strings.Replace(stored, fmt.Sprintf(`"seen":%d`, rec.LastSeen.Unix()), fmt.Sprintf(`"seen":%d`, start.Unix()), 1)
	if forged == stored {
		t.Fatal("test could not edit the record")
	}
	e.st.Save(ctx, "activation/"+e.srv.ProductID, forged)
	if _, err := e.client.Validate(ctx); !errors.Is(err, licensing.ErrClockRolledBack) || !errors.Is(err, record.ErrTampered) {
		t.Fatalf("edited record: want ErrClockRolledBack, got %v", err)
	}
}

func TestMeterIncrementsNeverDoubleCount(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"exports": 100}})
	u := licensing.Update{Key: e.key, MeterAttributes: []licensing.MeterAttribute{{Name: "exports", UsesIncrement: 3}}}
	e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
	_, err := e.client.UpdateActivation(ctx, e.id, u)
	if !errors.Is(err, licensing.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	if n, uses := e.srv.RequestCount(), e.srv.MeterUses(e.key, "exports"); n != 1 || uses != 3 {
		t.Fatalf("server saw %d requests, %d uses; want 1 and 3", n, uses)
	}
	// Without increments the same fault is retried, safely.
	e.srv.Inject(licensingtest.Fault{Drop: licensingtest.DropAfterApply})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	if uses := e.srv.MeterUses(e.key, "exports"); uses != 3 {
		t.Fatalf("uses %d", uses)
	}
}

func TestPatchSemantics(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	first := licensing.Update{Key: e.key, AccountID: "acct", UserID: "u1", ReleaseVersion: "1.0",
		LeaseDuration: licensing.Int64(0), Metadata: []licensing.Metadata{{Key: "seat", Value: "3"}}}
	if _, err := e.client.UpdateActivation(ctx, e.id, first); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key, AccountID: ""}); err != nil {
		t.Fatal(err)
	}
	a, _ := e.srv.Activation(e.id)
	if a.UserID != "u1" || a.ReleaseVersion != "1.0" || a.LeaseDuration == nil || *a.LeaseDuration != 0 ||
		a.Metadata["seat"] != "3" || a.AccountID != "" || a.Updates != 2 || a.Container || a.VMName != "" {
		t.Fatalf("absent fields were not left unchanged, or zero values were lost: %+v", a)
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{Meters: map[string]int64{"m": 1000}})
	if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if _, err := e.client.Validate(ctx); err != nil {
					t.Error(err)
				}
				if _, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key,
					MeterAttributes: []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if uses := e.srv.MeterUses(e.key, "m"); uses != 40 {
		t.Fatalf("uses %d, want 40", uses)
	}
}

func TestActivationNeverPrintsToken(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	a, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "activation", a)
	for _, s := range []string{fmt.Sprint(a), fmt.Sprintf("%v %+v %#v", *a, a, a), logged.String()} {
		if strings.Contains(s, a.Token.Reveal()[:20]) || strings.Contains(s, e.key) {
			t.Fatalf("printed a secret: %s", s)
		}
	}
}

func TestServerMessagesAreRedacted(t *testing.T) {
	t.Parallel()
	e := setup(t, licensingtest.License{})
	// A server that echoes the key it was sent must not put it into the error.
	e.srv.Inject(licensingtest.Fault{Status: 400, Code: "INVALID_LICENSE_KEY", Message: "License key " + e.key + " is invalid."})
	_, err := e.client.UpdateActivation(ctx, e.id, licensing.Update{Key: e.key})
	var apiErr *licensing.APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "License key [redacted] is invalid." || strings.Contains(err.Error(), e.key) {
		t.Fatalf("%v", err)
	}
}

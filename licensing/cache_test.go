package licensing

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/token"
)

var (
	memoKeyOnce sync.Once
	memoKeys    [2]*rsa.PrivateKey
)

func memoSigningKeys() [2]*rsa.PrivateKey {
	memoKeyOnce.Do(func() {
		for i := range memoKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			memoKeys[i] = k
		}
	})
	return memoKeys
}

// memoEnv is an activated client with an adjustable clock, seen from inside the package.
type memoEnv struct {
	srv *licensingtest.Server
	c   *Client
	st  store.Store
	now time.Time
	key string
}

func newMemoEnv(t *testing.T, lic licensingtest.License) *memoEnv {
	t.Helper()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	e := &memoEnv{srv: srv, st: store.NewMemory(), now: time.Now()}
	e.key = srv.AddLicense(lic)
	id := srv.AddActivation(e.key)
	m := testMachine()
	c, err := New(Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: e.st,
		Machine: &m, Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	e.c = c
	if _, err := c.UpdateActivation(context.Background(), id, Update{Key: e.key}); err != nil {
		t.Fatal(err)
	}
	return e
}

// blind makes the client's verifier one for another key: from then on a record is accepted
// only if it is not verified at all, which is what the memo promises for unchanged bytes.
func (e *memoEnv) blind(t *testing.T) {
	t.Helper()
	v, err := token.NewVerifier(&memoSigningKeys()[1].PublicKey, e.srv.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	e.c.verifier = v
}

func TestMemoSkipsVerificationOfUnchangedRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMemoEnv(t, licensingtest.License{ExpiresAt: time.Now().Add(48 * time.Hour)})
	if _, err := e.c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	e.blind(t)
	a, err := e.c.Validate(ctx)
	if err != nil {
		t.Fatalf("an unchanged record was verified again: %v", err)
	}
	// What a caller does to the claims it got does not reach the memo.
	a.Claims.Suspended = true
	a.Claims.ExpiresAt = time.Time{}
	if len(a.Claims.LicenseMeterAttributes) > 0 {
		a.Claims.LicenseMeterAttributes[0].AllowedUses = -1
	}
	if b, err := e.c.Validate(ctx); err != nil || b.Claims.Suspended || b.ExpiresAt.IsZero() {
		t.Fatalf("the memo took the caller's edits: %v %v", b, err)
	}

	// The time rules run on every call: past eat, the memo's claims are expired.
	e.now = e.now.Add(72 * time.Hour)
	if _, err := e.c.Validate(ctx); !errors.Is(err, ErrExpired) {
		t.Fatalf("time rules skipped: %v", err)
	}
}

func TestMemoStillChecksRollbackAndBinding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMemoEnv(t, licensingtest.License{})
	start := e.now
	e.now = start.Add(2 * time.Hour) // the record moves forward (and the memo follows it)
	if _, err := e.c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	e.blind(t)
	if _, err := e.c.Validate(ctx); err != nil {
		t.Fatalf("the moved-forward record, sealed here, was verified again: %v", err)
	}
	e.now = start.Add(-time.Hour)
	if _, err := e.c.Validate(ctx); !errors.Is(err, ErrClockRolledBack) {
		t.Fatalf("anti-rollback skipped: %v", err)
	}
	e.now = start.Add(3 * time.Hour)
	other := testMachine()
	other.Fingerprint = strings.Repeat("ef", 32)
	e.c.setMachine(other)
	if _, err := e.c.Validate(ctx); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("fingerprint binding skipped: %v", err)
	}
}

func TestMemoChangedOrTamperedRecordVerifiedAfresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newMemoEnv(t, licensingtest.License{})
	if _, err := e.c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	name := e.c.cache.license.name
	stored, _ := e.st.Load(ctx, name)
	e.blind(t)

	// A line break in the token (escaped in the envelope) is another record: verified, and refused.
	i := strings.LastIndexByte(stored, '.')
	if err := e.st.Save(ctx, name, stored[:i+5]+`\n`+stored[i+5:]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Validate(ctx); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("a changed record was not verified: %v", err)
	}
	// The original bytes come back: the memo still knows them.
	e.st.Save(ctx, name, stored)
	if _, err := e.c.Validate(ctx); err != nil {
		t.Fatalf("original record: %v", err)
	}
	// A record whose time was edited is verified afresh and its seal checked.
	got, err := record.Decode(stored, e.c.sealKey)
	if err != nil {
		t.Fatal(err)
	}
	seen := `"seen":` + itoa(got.Record.LastSeen.Unix())
	forged := strings.Replace(stored, seen, `"seen":`+itoa(got.Record.LastSeen.Unix()+1), 1)
	if forged == stored {
		t.Fatal("could not edit the record")
	}
	e.st.Save(ctx, name, forged)
	if _, err := e.c.Validate(ctx); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("a tampered record was not verified: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNewBuildsNoTransport: New and Validate build no HTTP client; the first request does.
func TestNewBuildsNoTransport(t *testing.T) {
	t.Parallel()
	m := testMachine()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	st := store.NewMemory()
	key := srv.AddLicense(licensingtest.License{})
	id := srv.AddActivation(key)
	c, err := New(Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st, Machine: &m})
	if err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	if _, err := c.Validate(context.Background()); !errors.Is(err, ErrNotActivated) {
		t.Fatal(err)
	}
	if c.http.c != nil {
		t.Fatal("New, CloseIdleConnections or Validate built the HTTP client")
	}
	if _, err := c.UpdateActivation(context.Background(), id, Update{Key: key}); err != nil {
		t.Fatal(err)
	}
	if c.http.c == nil {
		t.Fatal("no HTTP client after a request")
	}
	c.CloseIdleConnections()
}

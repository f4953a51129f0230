package licensing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// readers counts the client's reads of this machine, which it answers with full (every signal)
// and with full's fingerprint alone.
type readers struct {
	full       fingerprint.Machine
	fullReads  atomic.Int32
	idReads    atomic.Int32
	idOverride string // when set, the fingerprint the id-only read answers
}

func (r *readers) install(c *Client) {
	c.collect = func(ctx context.Context, appID string) (fingerprint.Machine, error) {
		r.fullReads.Add(1)
		return r.full, nil
	}
	c.collectID = func(ctx context.Context, appID string) (fingerprint.Machine, error) {
		r.idReads.Add(1)
		fp := r.full.Fingerprint
		if r.idOverride != "" {
			fp = r.idOverride
		}
		return fingerprint.Machine{OS: r.full.OS, Fingerprint: fp, Source: fingerprint.SourceMachineID}, nil
	}
}

func (r *readers) want(t *testing.T, when string, full, id int32) {
	t.Helper()
	if got, gotID := r.fullReads.Load(), r.idReads.Load(); got != full || gotID != id {
		t.Fatalf("%s: %d full reads and %d fingerprint reads, want %d and %d", when, got, gotID, full, id)
	}
}

// lazyEnv is a fake server with an activation cached in store by another client.
func lazyEnv(t *testing.T, m fingerprint.Machine) (*licensingtest.Server, store.Store, Config) {
	t.Helper()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	st := store.NewMemory()
	cfg := Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st}
	key := srv.AddLicense(licensingtest.License{})
	first, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	(&readers{full: m}).install(first)
	if _, err := first.Activate(context.Background(), ActivationRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	first.CloseIdleConnections()
	return srv, st, cfg
}

// TestOfflineChecksReadTheFingerprintAlone: a fresh client's offline checks read the machine's
// fingerprint once and nothing else; the first call that sends the signals collects all of
// them, once, and sends them; the client then uses them for everything.
func TestOfflineChecksReadTheFingerprintAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	full := testMachine()
	full.VMName, full.Container = "KVM", true
	srv, _, cfg := lazyEnv(t, full)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	r := &readers{full: full}
	r.install(c)
	for range 2 {
		if _, err := c.Validate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ValidateTrial(ctx); !errors.Is(err, ErrNotActivated) {
		t.Fatalf("ValidateTrial with no trial: %v", err)
	}
	if _, err := c.ValidateLicenseOrTrial(ctx); err != nil {
		t.Fatal(err)
	}
	r.want(t, "after the offline checks", 0, 1)
	if srv.RequestCount() != 1 {
		t.Fatalf("%d requests: the offline checks sent something", srv.RequestCount())
	}

	if _, err := c.Sync(ctx, Update{}); err != nil {
		t.Fatal(err)
	}
	r.want(t, "after Sync", 1, 1)
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPatch {
		t.Fatalf("last request %s %s", last.Method, last.Path)
	}
	var body map[string]any
	if err := json.Unmarshal(last.Body, &body); err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]any{"os": full.OS, "osVersion": full.OSVersion, "hostname": full.Hostname,
		"fingerprint": full.Fingerprint, "userHash": full.UserHash, "vmName": full.VMName, "container": full.Container} {
		if body[field] != want {
			t.Errorf("Sync sent %s = %v, want %v", field, body[field], want)
		}
	}

	m, err := c.Machine(ctx)
	if err != nil || m != full {
		t.Fatalf("Machine: %+v, %v", m, err)
	}
	if _, err := c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	r.want(t, "after Machine and Validate", 1, 1)
}

// TestMachineBeforeValidate: a client whose signals were collected first (Machine, or a
// request) never reads the fingerprint alone; Config.Machine is used as it is, read neither way.
func TestMachineBeforeValidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	full := testMachine()
	_, _, cfg := lazyEnv(t, full)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &readers{full: full}
	r.install(c)
	if _, err := c.Machine(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	r.want(t, "Machine, then Validate", 1, 0)

	cfg.Machine = &full
	custom, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r = &readers{full: full}
	r.install(custom)
	if _, err := custom.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := custom.Machine(ctx); err != nil || m != full {
		t.Fatalf("Machine: %+v, %v", m, err)
	}
	r.want(t, "with Config.Machine", 0, 0)
}

// TestFingerprintChangedBeforeFullCollection: when every signal is collected after an offline
// check and the machine's fingerprint has changed meanwhile, the new one replaces the old, as a
// fresh client would read it: the token bound to the old one no longer validates, and the
// change is logged.
func TestFingerprintChangedBeforeFullCollection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	before := testMachine()
	_, _, cfg := lazyEnv(t, before)
	var logs bytes.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	after := before
	after.Fingerprint = strings.Repeat("ef", 32)
	r := &readers{full: after, idOverride: before.Fingerprint}
	r.install(c)
	if _, err := c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := c.Machine(ctx)
	if err != nil || m.Fingerprint != after.Fingerprint {
		t.Fatalf("Machine: %+v, %v", m, err)
	}
	if _, err := c.Validate(ctx); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("Validate after the fingerprint changed: %v", err)
	}
	if !bytes.Equal(c.sealKey, record.SealKey(cfg.ProductID, after.Fingerprint)) {
		t.Error("the seal key is still the old fingerprint's")
	}
	if !strings.Contains(logs.String(), "fingerprint changed") {
		t.Errorf("not logged: %q", logs.String())
	}
	r.want(t, "end", 1, 1)
}

// TestLiveValidateReadsTheFingerprintAlone: a client of this machine validates offline with
// its default reader of the fingerprint alone (fingerprint.CollectFingerprint, whose own tests
// show which files that reads here), never collecting every signal.
func TestLiveValidateReadsTheFingerprintAlone(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // a fallback install id stays out of the real config
	ctx := context.Background()
	m, err := fingerprint.Collect(ctx, testProduct)
	if err != nil {
		t.Skipf("this machine's signals cannot be collected: %v", err)
	}
	_, _, cfg := lazyEnv(t, m)
	cfg.AppID = testProduct
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.collect = func(context.Context, string) (fingerprint.Machine, error) {
		t.Error("every signal was collected for an offline check")
		return fingerprint.Machine{}, errors.New("not now")
	}
	if _, err := c.Validate(ctx); err != nil {
		t.Fatal(err)
	}
	if c.machine != nil || c.idOnly == nil || c.idOnly.Fingerprint != m.Fingerprint || c.idOnly.OSVersion != "" {
		t.Fatalf("every signal: %+v; the fingerprint alone: %+v", c.machine, c.idOnly)
	}
}

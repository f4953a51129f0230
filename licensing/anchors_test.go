package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// cloneImageID is the machine id every machine made from one disk image carries.
const cloneImageID = "4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a"

// anchoredMachine is a Linux machine made from that image with its own hardware: one physical
// NIC per MAC and one NVMe disk per serial; nothing else identifies it.
func anchoredMachine(t *testing.T, macs, serials []string) fingerprint.Machine {
	t.Helper()
	fsys := fstest.MapFS{"etc/machine-id": {Data: []byte(cloneImageID + "\n")}}
	for i, mac := range macs {
		dir := "sys/class/net/eth" + string(rune('0'+i))
		fsys[dir+"/device/vendor"] = &fstest.MapFile{Data: []byte("0x8086\n")}
		fsys[dir+"/addr_assign_type"] = &fstest.MapFile{Data: []byte("0\n")}
		fsys[dir+"/address"] = &fstest.MapFile{Data: []byte(mac + "\n")}
	}
	for i, serial := range serials {
		fsys["sys/class/nvme/nvme"+string(rune('0'+i))+"/serial"] = &fstest.MapFile{Data: []byte(serial + "\n")}
	}
	m, err := fingerprint.CollectFrom(context.Background(), "anchors-app", fingerprint.Snapshot{FS: fsys, Hostname: "h", UserName: "u"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// machineClient is a client of cfg that reads m as this machine.
func machineClient(t *testing.T, cfg Config, m fingerprint.Machine) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	c.collect = func(context.Context, string) (fingerprint.Machine, error) { return m, nil }
	c.collectID = c.collect
	return c
}

// TestAnchorsKeepTheMachineAndRefuseItsClones: a machine activated with three anchors still
// validates its cached license with one of them changed (a disk swapped), and sends the
// activated fingerprint when it syncs; a clone of its image, whose anchors all differ, gets a
// fingerprint of its own, and the copied cache is bound to another machine.
func TestAnchorsKeepTheMachineAndRefuseItsClones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	st := store.NewMemory()
	cfg := Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st, AppID: "anchors-app"}
	key := srv.AddLicense(licensingtest.License{})

	original := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"S5GXNF0R123456", "WD-WX21A1234567"})
	if n := len(original.Anchors()); n != 3 {
		t.Fatalf("%d anchors read, want 3", n)
	}
	act, err := machineClient(t, cfg, original).Activate(ctx, ActivationRequest{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Load(ctx, "activation/"+srv.ProductID)
	if err != nil {
		t.Fatal(err)
	}
	if kept, ok := record.AnchorsOf(stored); !ok || len(kept) != 3 {
		t.Fatalf("the record keeps %v, want the 3 anchors", kept)
	}

	swapped := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"S5GXNF0R123456", "NEWDISK0000042"})
	if swapped.Fingerprint == original.Fingerprint {
		t.Fatal("a changed anchor left the collected fingerprint alone: the anchors do not count")
	}
	c := machineClient(t, cfg, swapped)
	got, err := c.Validate(ctx)
	if err != nil {
		t.Fatalf("one anchor of three changed: %v", err)
	}
	if got.Fingerprint != act.Fingerprint {
		t.Fatalf("validated against %s, activated as %s", got.Fingerprint, act.Fingerprint)
	}
	if _, err := c.Sync(ctx, Update{}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	var body struct{ Fingerprint string }
	if last := reqs[len(reqs)-1]; last.Method != http.MethodPatch || json.Unmarshal(last.Body, &body) != nil || body.Fingerprint != act.Fingerprint {
		t.Fatalf("the sync sent fingerprint %q, want the activated %q", body.Fingerprint, act.Fingerprint)
	}

	clone := anchoredMachine(t, []string{"00:50:56:aa:bb:cc"}, []string{"CLONEDISK00001", "CLONEDISK00002"})
	if clone.Fingerprint == original.Fingerprint {
		t.Fatal("a clone of the image has the original's fingerprint")
	}
	if _, err := machineClient(t, cfg, clone).Validate(ctx); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("a clone with every anchor changed validated the copied cache: %v", err)
	}
	// Two of three changed is no longer most of them.
	twoChanged := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"OTHERDISK00001", "OTHERDISK00002"})
	if _, err := machineClient(t, cfg, twoChanged).Validate(ctx); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("two anchors of three changed: %v", err)
	}
}

// TestRecordWithoutAnchorsKeepsTheIDsFingerprint: a license activated before anchors existed
// (its record keeps none, and its token carries the id's fingerprint alone) still validates
// once the SDK reads anchors on the same machine.
func TestRecordWithoutAnchorsKeepsTheIDsFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	st := store.NewMemory()
	cfg := Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st, AppID: "anchors-app"}
	key := srv.AddLicense(licensingtest.License{})

	before := anchoredMachine(t, nil, nil) // nothing readable: the fingerprint is the id's alone
	if before.Anchors() != nil {
		t.Fatalf("anchors %v", before.Anchors())
	}
	if _, err := machineClient(t, cfg, before).Activate(ctx, ActivationRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	now := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"S5GXNF0R123456"})
	if now.Fingerprint == before.Fingerprint {
		t.Fatal("anchors read did not change the collected fingerprint")
	}
	if _, err := machineClient(t, cfg, now).Validate(ctx); err != nil {
		t.Fatalf("a record without anchors, on the same machine: %v", err)
	}
}

// TestTrialKeepsItsAnchors: a trial started with three anchors validates offline with one
// changed, and its clone's does not.
func TestTrialKeepsItsAnchors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := licensingtest.NewServer(licensingtest.WithSigningKey(memoSigningKeys()[0]))
	t.Cleanup(srv.Close)
	srv.SetTrialPolicy(licensingtest.TrialPolicy{Length: 7 * 24 * time.Hour})
	st := store.NewMemory()
	cfg := Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: st, AppID: "anchors-app"}
	original := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"S5GXNF0R123456", "WD-WX21A1234567"})
	trial, err := machineClient(t, cfg, original).ActivateTrial(ctx, TrialRequest{})
	if err != nil {
		t.Fatal(err)
	}
	swapped := anchoredMachine(t, []string{"3c:52:82:11:22:33"}, []string{"S5GXNF0R123456", "NEWDISK0000042"})
	if got, err := machineClient(t, cfg, swapped).ValidateTrial(ctx); err != nil || got.Fingerprint != trial.Fingerprint {
		t.Fatalf("one anchor of three changed: %v", err)
	}
	clone := anchoredMachine(t, []string{"00:50:56:aa:bb:cc"}, []string{"CLONEDISK00001", "CLONEDISK00002"})
	if _, err := machineClient(t, cfg, clone).ValidateTrial(ctx); !errors.Is(err, ErrFingerprintMismatch) {
		t.Fatalf("a clone with the copied trial: %v", err)
	}
}

package licensingtest

import (
	"net/http"
	"testing"
	"unicode/utf8"
)

func TestMachinesAreDistinctAndStable(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, name := range []string{"", "a", "b", "laptop", "laptop ", "Laptop", "é", "a\x00b"} {
		m := Machine(name)
		if m.Fingerprint != Machine(name).Fingerprint || m.UserHash != Machine(name).UserHash {
			t.Errorf("%q: not stable", name)
		}
		if n := utf8.RuneCountInString(m.Fingerprint); n < 64 || m.Hostname == "" || m.UserHash == "" || m.OS != "linux" {
			t.Errorf("%q: %+v does not pass the API's rules", name, m)
		}
		if other, ok := seen[m.Fingerprint]; ok {
			t.Errorf("%q and %q share a fingerprint", name, other)
		}
		seen[m.Fingerprint] = name
	}
	// Each call returns its own value: changing one changes no other.
	a := Machine("x")
	a.VMName = "KVM"
	if Machine("x").VMName != "" {
		t.Error("Machine shares its result")
	}
}

func TestMachineActivatesAsItsOwnMachine(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	key := s.AddLicense(License{MaxActivations: 1})
	body := func(name string) []byte {
		m := Machine(name)
		return updateBody(s, key, map[string]any{"fingerprint": m.Fingerprint, "userHash": m.UserHash,
			"hostname": m.Hostname, "accountId": nil})
	}
	if st, _ := do(t, s, http.MethodPost, "/v3/activations", body("one")); st != http.StatusCreated {
		t.Fatalf("first machine: %d", st)
	}
	if st, _ := do(t, s, http.MethodPost, "/v3/activations", body("one")); st != http.StatusCreated {
		t.Fatalf("the same machine again: %d", st)
	}
	if st, b := do(t, s, http.MethodPost, "/v3/activations", body("two")); st != http.StatusBadRequest || b["code"] != "ACTIVATION_LIMIT_REACHED" {
		t.Fatalf("a second machine on one seat: %d %v", st, b)
	}
}

func TestClearFaults(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.FailNext(3, 503, "")
	s.Inject(Fault{Drop: DropBeforeApply, Times: 2})
	s.SetChaos(1, 1, Fault{Status: 500})
	if n := s.ClearFaults(); n != 5 {
		t.Fatalf("ClearFaults = %d, want 5", n)
	}
	if n := s.PendingFaults(); n != 0 {
		t.Fatalf("%d faults left", n)
	}
	// Neither queued faults nor chaos answer the next request.
	if st, _ := do(t, s, http.MethodPatch, "/v3/activations/nope", updateBody(s, "k", nil)); st != http.StatusNotFound {
		t.Fatalf("after ClearFaults: %d, want the server's own 404", st)
	}
	if n := s.ClearFaults(); n != 0 {
		t.Fatalf("second ClearFaults = %d", n)
	}
}

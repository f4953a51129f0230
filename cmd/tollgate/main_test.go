package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// runTool runs the command in-process and returns its exit status and outputs.
func runTool(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout for 0, in stderr otherwise
	}{
		{nil, exitUsage, "Usage:"},
		{[]string{"--help"}, exitOK, "tollgate machine"},
		{[]string{"help"}, exitOK, "tollgate token"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"machine", "--help"}, exitOK, "-capture FILE"},
		{[]string{"machine", "-h"}, exitOK, "-app-id"},
		{[]string{"token", "--help"}, exitOK, "-public-key FILE"},
		{[]string{"machine", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"machine", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"machine", "--capture", "a", "--from", "b", "--app-id", "x"}, exitUsage, "cannot be used together"},
		{[]string{"token"}, exitUsage, "want one TOKEN"},
		{[]string{"token", "a", "b"}, exitUsage, "want one TOKEN"},
		{[]string{"token", "--now", "yesterday", "a.b.c"}, exitUsage, "--now"},
		{[]string{"token", "--public-key"}, exitUsage, "flag needs an argument"},
	} {
		code, stdout, stderr := runTool(t, "", tc.args...)
		got := stderr
		if tc.code == exitOK {
			got = stdout
		}
		if code != tc.code || !strings.Contains(got, tc.want) {
			t.Errorf("%q: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.want, stdout, stderr)
		}
	}
}

// TestMachine: `machine --json` prints the API's field names and the evidence; a capture
// holds no raw id and replays to the same answer; a replay for another app id is refused.
func TestMachine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // an install id, if one is made, stays in the test
	code, stdout, stderr := runTool(t, "", "machine", "--app-id", "app-1", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(stdout), &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"os", "osVersion", "hostname", "fingerprint", "vmName", "container", "source", "evidence"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("--json lacks %q: %s", k, stdout)
		}
	}
	var live machineOutput
	if err := json.Unmarshal([]byte(stdout), &live); err != nil {
		t.Fatal(err)
	}
	if len(live.Fingerprint) != 64 || live.Source == "" || len(live.Evidence.IDs) == 0 {
		t.Errorf("fingerprint %q source %q ids %v", live.Fingerprint, live.Source, live.Evidence.IDs)
	}

	// Without an app id the keyed values are not shown, and the text says why.
	code, stdout, _ = runTool(t, "", "machine")
	if code != exitOK || !strings.Contains(stdout, "pass --app-id") || !strings.Contains(stdout, "id sources, in order") {
		t.Errorf("machine without --app-id: exit %d\n%s", code, stdout)
	}

	capture := filepath.Join(t.TempDir(), "capture.json")
	if runtime.GOOS != "linux" && runtime.GOOS != "android" {
		// Captures are of Linux machines; elsewhere the tool says so.
		if code, _, stderr := runTool(t, "", "machine", "--capture", capture, "--app-id", "app-1"); code != exitFail || !strings.Contains(stderr, "Linux") {
			t.Errorf("capture on %s: exit %d: %s", runtime.GOOS, code, stderr)
		}
		return
	}
	code, stdout, stderr = runTool(t, "", "machine", "--capture", capture, "--app-id", "app-1")
	if code != exitOK || !strings.Contains(stdout, "wrote "+capture) {
		t.Fatalf("capture: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(capture); st.Mode().Perm() != 0o600 {
		t.Errorf("capture mode %v", st.Mode().Perm())
	}
	for _, f := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id", "/sys/class/dmi/id/product_uuid", filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "tollgate", "install-id")} {
		raw, err := os.ReadFile(f)
		id := strings.ToLower(strings.TrimSpace(string(raw)))
		if err != nil || len(id) < 16 {
			continue
		}
		if bytes.Contains(bytes.ToLower(b), []byte(id)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ReplaceAll(id, "-", ""))) {
			t.Errorf("the capture holds the raw id of %s", f)
		}
	}

	code, stdout, stderr = runTool(t, "", "machine", "--from", capture, "--json")
	if code != exitOK {
		t.Fatalf("replay: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var replayed machineOutput
	if err := json.Unmarshal([]byte(stdout), &replayed); err != nil {
		t.Fatal(err)
	}
	if replayed.Answer != live.Answer || replayed.Replay == nil || !replayed.Replay.Matches {
		t.Errorf("replay %+v\nlive %+v", replayed, live)
	}
	code, stdout, _ = runTool(t, "", "machine", "--from", capture)
	if code != exitOK || !strings.Contains(stdout, "the replay matches") {
		t.Errorf("text replay: exit %d\n%s", code, stdout)
	}

	// Without --app-id a capture is keyed by a placeholder, says so, and still replays.
	anon := filepath.Join(t.TempDir(), "anon.json")
	code, _, stderr = runTool(t, "", "machine", "--capture", anon)
	if code != exitOK || !strings.Contains(stderr, "no --app-id") {
		t.Fatalf("capture without --app-id: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := runTool(t, "", "machine", "--from", anon); code != exitOK || !strings.Contains(stdout, "the replay matches") {
		t.Errorf("replay of a capture without --app-id: exit %d\n%s\n%s", code, stdout, stderr)
	}

	code, _, stderr = runTool(t, "", "machine", "--from", capture, "--app-id", "app-2")
	if code != exitFail || !strings.Contains(stderr, `app id "app-1"`) {
		t.Errorf("replay for another app id: exit %d: %s", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"format":"something else"}`), 0o600)
	if code, _, stderr := runTool(t, "", "machine", "--from", bad); code != exitFail || !strings.Contains(stderr, "format") {
		t.Errorf("bad capture: exit %d: %s", code, stderr)
	}
	if code, _, _ := runTool(t, "", "machine", "--from", filepath.Join(t.TempDir(), "missing.json")); code != exitFail {
		t.Errorf("missing capture: exit %d", code)
	}
}

// testKey writes a fresh RSA public key as PEM and returns its private half and file.
func testKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return key, file
}

const licenseKey = "A1B2C3-D4E5F6-G7H8I9-J0K1L2"

func sign(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestToken(t *testing.T) {
	key, keyFile := testKey(t)
	_, otherKeyFile := testKey(t)
	now := time.Now()
	claims := jwt.MapClaims{"aid": "act-1", "pid": "prod-1", "lid": "lic-1", "key": licenseKey, "fp": strings.Repeat("ab", 32),
		"iat": now.Add(-time.Hour).Unix(), "eat": now.Add(30 * 24 * time.Hour).Unix(), "leat": 0, "ssi": 86400, "aco": 600,
		"ssgpeat": now.Add(6 * 24 * time.Hour).Unix(), "suspended": false,
		"lmd": []map[string]string{{"key": "seats", "value": "5"}}}
	good := sign(t, key, claims)

	code, stdout, stderr := runTool(t, "", "token", "--public-key", keyFile, good)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"verifies against", "time rules", ": pass", "masked", "*K1L2", "(not set)", "24h0m0s", `"seats"`, "1h0m0s ago", "in 720h0m0s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, licenseKey) || strings.Contains(stdout, "D4E5F6") {
		t.Errorf("the license key is shown:\n%s", stdout)
	}
	if !strings.Contains(stdout, "K1L2") {
		t.Errorf("the key's last four characters are not shown:\n%s", stdout)
	}

	// From standard input; without a key the signature is not checked but the rules still run.
	code, stdout, _ = runTool(t, good+"\n", "token", "-")
	if code != exitOK || !strings.Contains(stdout, "not checked") || !strings.Contains(stdout, "not verified") {
		t.Errorf("stdin, no key: exit %d\n%s", code, stdout)
	}

	// Another product's key: the signature does not verify.
	code, stdout, _ = runTool(t, "", "token", "--public-key", otherKeyFile, good)
	if code != exitFail || !strings.Contains(stdout, "DOES NOT VERIFY") {
		t.Errorf("wrong key: exit %d\n%s", code, stdout)
	}

	// The time rules at another moment: after the grace period.
	code, stdout, _ = runTool(t, "", "token", "--public-key", keyFile, "--now", now.Add(7*24*time.Hour).UTC().Format(time.RFC3339), good)
	if code != exitFail || !strings.Contains(stdout, "grace period") {
		t.Errorf("after the grace period: exit %d\n%s", code, stdout)
	}

	// An expired license, with a fractional NumericDate as RFC 7519 allows.
	claims["eat"] = float64(now.Add(-time.Minute).Unix()) + 0.5
	code, stdout, _ = runTool(t, "", "token", "--public-key", keyFile, sign(t, key, claims))
	if code != exitFail || !strings.Contains(stdout, "expired") || !strings.Contains(stdout, ".5Z") {
		t.Errorf("expired: exit %d\n%s", code, stdout)
	}

	for _, bad := range []string{"", "not-a-token", "a.b", "!!.e30.x", "e30.!!.x", "e30.WzFd.x"} {
		if code, _, stderr := runTool(t, "", "token", bad); code != exitFail || !strings.Contains(stderr, "not a JWT") {
			t.Errorf("%q: exit %d: %s", bad, code, stderr)
		}
	}
	if code, _, _ := runTool(t, "", "token", "--public-key", filepath.Join(t.TempDir(), "none.pem"), good); code != exitFail {
		t.Errorf("a missing key file: exit %d", code)
	}
}

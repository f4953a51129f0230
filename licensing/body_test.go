package licensing

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/licensingtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkBodyIndependently checks a body with licensingtest's checker, written independently of
// this package's validator, and returns "" when it holds.
func checkBodyIndependently(body []byte) string {
	return strings.Join(licensingtest.CheckUpdateBody(body), "; ")
}

func TestGoldenBodies(t *testing.T) {
	t.Parallel()
	full := Update{
		Key:                      "KEY-1234-ÄÖÜ",
		AccountID:                "acct-1",
		UserID:                   "user-1",
		ReleaseVersion:           "1.4.2.7",
		ReleaseChannel:           "stable",
		ReleasePlatform:          "linux-amd64",
		ReleasePublishedAt:       time.Date(2026, 11, 26, 16, 15, 22, 0, time.FixedZone("CET", 3600)),
		LeaseDuration:            Int64(3600),
		Metadata:                 []Metadata{{Key: "seat", Value: "Zoë \"quoted\" <tag> \u2028\n"}, {Key: "empty", Value: ""}},
		MeterAttributes:          []MeterAttribute{{Name: "exports", UsesIncrement: 3}, {Name: "refunds", UsesIncrement: -1}},
		DeviceID:                 "4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a",
		DeviceChallenge:          "challenge",
		DeviceChallengeSignature: "signature",
	}
	vm := testMachine()
	vm.VMName, vm.Container, vm.OS, vm.OSVersion = "KVM", true, "windows", "10.0.22631"
	zeroMachine := testMachine()
	zeroMachine.OSVersion = ""
	cases := []struct {
		name string
		m    fingerprint.Machine
		u    Update
	}{
		{"full", vm, full},
		{"required", zeroMachine, Update{Key: "KEY-1"}},
		{"zero-values", testMachine(), Update{Key: "KEY-1", AccountID: "", LeaseDuration: Int64(0),
			Metadata: []Metadata{}, MeterAttributes: []MeterAttribute{}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := EncodeUpdate(testProduct, tc.m, tc.u)
			if err != nil {
				t.Fatal(err)
			}
			if msg := checkBodyIndependently(body); msg != "" {
				t.Fatalf("independent check: %s", msg)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("body differs from %s:\n got: %s\nwant: %s", path, pretty.Bytes(), want)
			}
		})
	}
}

// TestWireZeroValues pins what the golden files show, so a careless -update cannot hide it.
func TestWireZeroValues(t *testing.T) {
	t.Parallel()
	m := testMachine()
	body, err := EncodeUpdate(testProduct, m, Update{Key: "K", LeaseDuration: Int64(0), Metadata: []Metadata{}})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"container": false, "leaseDuration": 0.0, "accountId": "", "vmName": ""} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %#v (present %v), want %#v", k, v, ok, want)
		}
	}
	if md, ok := got["metadata"].([]any); !ok || len(md) != 0 {
		t.Errorf("metadata = %#v, want []", got["metadata"])
	}
	for _, k := range []string{"userId", "releaseVersion", "releaseChannel", "releasePlatform", "releasePublishedAt",
		"meterAttributes", "deviceId", "deviceChallenge", "deviceChallengeSignature"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s sent but never set", k)
		}
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "quote\" back\\slash", "\x00\x01\x1f\x7f", "tab\tnl\ncr\r",
		"é😀", "\u2028\u2029", "<>&", "bad\xffutf8", "\xed\xa0\x80"} {
		var back string
		if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if utf8.ValidString(s) && back != s || !utf8.ValidString(s) && back != decodeLikeStd(s) {
			t.Errorf("%q round-trips to %q, want %q", s, back, want)
		}
	}
}

// decodeLikeStd returns what encoding/json makes of s after a marshal/unmarshal round trip.
func decodeLikeStd(s string) string {
	b, _ := json.Marshal(s)
	var back string
	_ = json.Unmarshal(b, &back)
	return back
}

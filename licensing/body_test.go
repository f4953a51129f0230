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

// TestBodiesByteForByte pins compact bodies as the hand-written encoder wrote them before the
// wire structs replaced it, escapes included (<, > and & unescaped; U+2028/9, control characters,
// quotes and backslashes escaped), so that the switch to encoding/json changed no byte.
func TestBodiesByteForByte(t *testing.T) {
	t.Parallel()
	vm := testMachine()
	vm.VMName, vm.Container, vm.OS, vm.OSVersion = "KVM", true, "windows", "10.0.22631"
	u := Update{Key: "KEY-1234-ÄÖÜ\x01<>&\u2028\u2029\"\\/", AccountID: "a\tb", UserID: "u", ReleaseVersion: "1.4.2.7",
		ReleaseChannel: "c", ReleasePlatform: "p",
		ReleasePublishedAt: time.Date(2026, 11, 26, 16, 15, 22, 123456789, time.FixedZone("CET", 3600)),
		LeaseDuration:      Int64(-1), Metadata: []Metadata{{Key: "k\x7f", Value: "v\u00e9\U0001F600"}},
		MeterAttributes: []MeterAttribute{{Name: "n", UsesIncrement: -9223372036854775808}},
		DeviceID:        "4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a", DeviceChallenge: "dc", DeviceChallengeSignature: "ds"}
	for i, tc := range []struct {
		got  []byte
		want string
	}{
		{updateBody(testProduct, &vm, &u), "{\"os\":\"windows\",\"osVersion\":\"10.0.22631\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"vmName\":\"KVM\",\"container\":true,\"hostname\":\"build-host\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"productId\":\"prod-1\",\"accountId\":\"a\\tb\",\"releaseVersion\":\"1.4.2.7\",\"releaseChannel\":\"c\",\"releasePlatform\":\"p\",\"releasePublishedAt\":\"2026-11-26T15:15:22.123456789Z\",\"key\":\"KEY-1234-ÄÖÜ\\u0001<>&\\u2028\\u2029\\\"\\\\/\",\"userId\":\"u\",\"leaseDuration\":-1,\"metadata\":[{\"key\":\"k\u007f\",\"value\":\"vé😀\"}],\"meterAttributes\":[{\"name\":\"n\",\"usesIncrement\":-9223372036854775808}],\"deviceId\":\"4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a\",\"deviceChallenge\":\"dc\",\"deviceChallengeSignature\":\"ds\"}"},
		{updateBody(testProduct, &vm, &Update{Key: "K", Metadata: []Metadata{}, MeterAttributes: []MeterAttribute{}, LeaseDuration: Int64(0)}), "{\"os\":\"windows\",\"osVersion\":\"10.0.22631\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"vmName\":\"KVM\",\"container\":true,\"hostname\":\"build-host\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"productId\":\"prod-1\",\"accountId\":\"\",\"key\":\"K\",\"leaseDuration\":0,\"metadata\":[],\"meterAttributes\":[]}"},
		{activateBody(testProduct, &vm, &ActivationRequest{Key: "K<", AppVersion: "1", Metadata: []Metadata{{"a", "b"}}, MeterAttributes: []MeterAttribute{}}), "{\"os\":\"windows\",\"osVersion\":\"10.0.22631\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"vmName\":\"KVM\",\"container\":true,\"hostname\":\"build-host\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"productId\":\"prod-1\",\"accountId\":\"\",\"key\":\"K<\",\"appVersion\":\"1\",\"metadata\":[{\"key\":\"a\",\"value\":\"b\"}],\"meterAttributes\":[]}"},
		{activateBody(testProduct, &vm, &ActivationRequest{Key: "K"}), "{\"os\":\"windows\",\"osVersion\":\"10.0.22631\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"vmName\":\"KVM\",\"container\":true,\"hostname\":\"build-host\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"productId\":\"prod-1\",\"accountId\":\"\",\"key\":\"K\"}"},
		{activateBody(testProduct, &vm, &ActivationRequest{Key: "K<", AppVersion: "3.1.0-beta (build 42)", ReleaseVersion: "3.1.0",
			ReleaseChannel: "beta", ReleasePlatform: "linux",
			ReleasePublishedAt: time.Date(2026, 11, 26, 16, 15, 22, 5, time.FixedZone("CET", 3600)),
			Metadata:           []Metadata{{"a", "b"}}}), "{\"os\":\"windows\",\"osVersion\":\"10.0.22631\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"vmName\":\"KVM\",\"container\":true,\"hostname\":\"build-host\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"productId\":\"prod-1\",\"accountId\":\"\",\"releaseVersion\":\"3.1.0\",\"releaseChannel\":\"beta\",\"releasePlatform\":\"linux\",\"releasePublishedAt\":\"2026-11-26T15:15:22.000000005Z\",\"key\":\"K<\",\"appVersion\":\"3.1.0-beta (build 42)\",\"metadata\":[{\"key\":\"a\",\"value\":\"b\"}]}"},
		{deactivateBody(testProduct, &vm), "{\"productId\":\"prod-1\",\"accountId\":\"\",\"fingerprint\":\"abababababababababababababababababababababababababababababababab\",\"userHash\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"os\":\"windows\"}"},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("body %d:\n got %s\nwant %s", i, tc.got, tc.want)
		}
	}
}

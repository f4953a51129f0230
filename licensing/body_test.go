package licensing

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// pageField is one body property of the reference page, written out again here so that the
// check below does not share code with the validator it checks.
type pageField struct {
	kind     string // string, bool, int64, date-time, uuid, release, enum, metadata, meters
	required bool
	min, max int
}

var pageFields = map[string]pageField{
	"os":                       {kind: "enum", required: true},
	"osVersion":                {kind: "string", max: 256},
	"fingerprint":              {kind: "string", required: true, min: 64, max: 1024},
	"vmName":                   {kind: "string", max: 256},
	"container":                {kind: "bool"},
	"hostname":                 {kind: "string", required: true, min: 1, max: 1024},
	"userHash":                 {kind: "string", required: true, min: 1, max: 256},
	"productId":                {kind: "string", required: true, min: 1, max: 256},
	"accountId":                {kind: "string", required: true, min: 0, max: 256},
	"releaseVersion":           {kind: "release", max: 256},
	"releaseChannel":           {kind: "string", max: 256},
	"releasePlatform":          {kind: "string", max: 256},
	"releasePublishedAt":       {kind: "date-time"},
	"key":                      {kind: "string", required: true, min: 1, max: 256},
	"userId":                   {kind: "string", max: 256},
	"leaseDuration":            {kind: "int64"},
	"metadata":                 {kind: "metadata"},
	"meterAttributes":          {kind: "meters"},
	"deviceId":                 {kind: "uuid"},
	"deviceChallenge":          {kind: "string", min: 1, max: 256},
	"deviceChallengeSignature": {kind: "string", min: 1, max: 1024},
}

var (
	releaseRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,3}$`)
	uuidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// checkBodyIndependently checks a wire body against the reference page with encoding/json and
// regular expressions, and returns "" when it holds.
func checkBodyIndependently(body []byte) string {
	if !json.Valid(body) {
		return "not valid JSON"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		return "not an object: " + err.Error()
	}
	if n := strings.Count(string(body), `":`); n < len(obj) {
		return "duplicate keys"
	}
	for name, f := range pageFields {
		if _, ok := obj[name]; f.required && !ok {
			return "missing required " + name
		}
	}
	strLen := func(name string, raw json.RawMessage, min, max int) string {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return name + ": not a string"
		}
		if n := utf8.RuneCountInString(s); n < min || n > max {
			return fmt.Sprintf("%s: length %d outside [%d,%d]", name, n, min, max)
		}
		return ""
	}
	for name, raw := range obj {
		f, ok := pageFields[name]
		if !ok {
			return "field not on the page: " + name
		}
		var msg string
		switch f.kind {
		case "string":
			msg = strLen(name, raw, f.min, f.max)
		case "enum":
			var s string
			_ = json.Unmarshal(raw, &s)
			if s != "windows" && s != "linux" && s != "macos" && s != "android" && s != "ios" {
				msg = "os not in enum"
			}
		case "bool":
			if string(raw) != "true" && string(raw) != "false" {
				msg = name + ": not a boolean"
			}
		case "int64":
			var v int64
			if err := json.Unmarshal(raw, &v); err != nil || v < -1 {
				msg = name + ": not an int64 >= -1"
			}
		case "release":
			var s string
			if json.Unmarshal(raw, &s) != nil || !releaseRE.MatchString(s) || len(s) > 256 {
				msg = "bad releaseVersion"
			}
		case "uuid":
			var s string
			if json.Unmarshal(raw, &s) != nil || !uuidRE.MatchString(s) {
				msg = "bad deviceId"
			}
		case "date-time":
			var s string
			if json.Unmarshal(raw, &s) != nil || !strings.HasSuffix(s, "Z") {
				msg = "releasePublishedAt not UTC"
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				msg = "releasePublishedAt not RFC 3339"
			}
		case "metadata", "meters":
			var items []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return name + ": not an array of objects"
			}
			for i, it := range items {
				p := fmt.Sprintf("%s[%d]", name, i)
				if f.kind == "metadata" {
					if len(it) != 2 || it["key"] == nil || it["value"] == nil {
						return p + ": want exactly key and value"
					}
					if msg = strLen(p+".key", it["key"], 1, 256) + strLen(p+".value", it["value"], 0, 4096); msg != "" {
						return msg
					}
				} else {
					if len(it) != 2 || it["name"] == nil || it["usesIncrement"] == nil {
						return p + ": want exactly name and usesIncrement"
					}
					var v int64
					if err := json.Unmarshal(it["usesIncrement"], &v); err != nil {
						return p + ".usesIncrement: not an int64"
					}
					msg = strLen(p+".name", it["name"], 1, 256)
				}
			}
		}
		if msg != "" {
			return msg
		}
	}
	return ""
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

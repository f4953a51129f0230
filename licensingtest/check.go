package licensingtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// field is one body property of the reference page, written out here independently of package
// licensing's validator, so that each checks the other.
type field struct {
	kind     string // string, bool, int64, date-time, uuid, release, enum, metadata, meters
	required bool
	min, max int
}

var updateFields = map[string]field{
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

// vendorFields are what the vendor's own client sends beyond the reference page
// (spec/vendor-client.md), so what the real server takes: free-form strings (the page's limit
// for such strings, 256, inferred) and a flag. No rule of the page forbids any of them.
var vendorFields = map[string]field{
	"appVersion": {kind: "string", max: 256}, "clientVersion": {kind: "string", max: 256}, "floating": {kind: "bool"},
}

// createFields are the body of POST /v3/activations (see spec/api-notes.md): the update's
// machine fields, key, release fields and items, with appVersion (free-form) beside them, and
// every field the vendor's client sends (accountId, optional here, floating, clientVersion,
// leaseDuration, and a named user's email and password).
var createFields = pick(updateFields, pick(vendorFields, map[string]field{
	"accountId": {kind: "string", max: 256}, "email": {kind: "string", max: 256}, "password": {kind: "string", max: 1024}},
	"appVersion", "clientVersion", "floating"),
	"os", "osVersion", "fingerprint", "vmName", "container", "hostname", "userHash", "productId", "key",
	"releaseVersion", "releaseChannel", "releasePlatform", "releasePublishedAt", "metadata", "meterAttributes", "userId",
	"leaseDuration")

// deactivateFields are the body of POST /v3/activations/{id}/deactivate; accountId is optional
// there.
var deactivateFields = pick(updateFields, map[string]field{"accountId": {kind: "string", max: 256}},
	"productId", "fingerprint", "userHash", "os", "deviceId", "deviceChallenge", "deviceChallengeSignature")

// pick returns the named fields of from, plus extra.
func pick(from, extra map[string]field, names ...string) map[string]field {
	out := make(map[string]field, len(names)+len(extra))
	for _, n := range names {
		out[n] = from[n]
	}
	for n, f := range extra {
		out[n] = f
	}
	return out
}

// The patterns are compiled on first use, not at package init, so that importing licensingtest
// costs no start-up time.
var (
	releaseRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+(\.[0-9]+){1,3}$`) })
	uuidRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	})
)

// CheckUpdateBody checks a PATCH /v3/activations/{id} body against every rule of the reference
// page, as strictly as the server: missing required fields, wrong types, lengths in code
// points, the release-version pattern ("" allowed: min 0), the UUID format and the date-time
// format. Beyond the page it refuses one thing: a field that neither the page nor the vendor's
// own client names, so that a misspelt field fails a test instead of being ignored. It returns
// every problem found, sorted; none means the body is acceptable.
func CheckUpdateBody(body []byte) []string { return check(body, updateFields) }

// CheckActivationBody is [CheckUpdateBody] for a POST /v3/activations body: the fields the
// API notes list, and every field the vendor's own client sends.
func CheckActivationBody(body []byte) []string { return check(body, createFields) }

func check(body []byte, fields map[string]field) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return []string{"body: not a JSON object"}
	}
	if dec.More() {
		return []string{"body: data after the object"}
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	for name, f := range fields {
		if _, ok := obj[name]; f.required && !ok {
			add("%s: required", name)
		}
	}
	str := func(path string, raw json.RawMessage, min, max int) (string, bool) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			add("%s: not a string", path)
			return "", false
		}
		if n := utf8.RuneCountInString(s); n < min || n > max {
			add("%s: length %d outside [%d, %d]", path, n, min, max)
			return s, false
		}
		return s, true
	}
	for name, raw := range obj {
		f, ok := fields[name]
		if !ok {
			add("%s: not a field of this request", name)
			continue
		}
		switch f.kind {
		case "string":
			str(name, raw, f.min, f.max)
		case "enum":
			if s, ok := str(name, raw, 0, 256); ok && s != "windows" && s != "linux" && s != "macos" && s != "android" && s != "ios" {
				add("%s: not one of windows, linux, macos, android, ios", name)
			}
		case "bool":
			if string(raw) != "true" && string(raw) != "false" {
				add("%s: not a boolean", name)
			}
		case "int64":
			var v int64
			if err := json.Unmarshal(raw, &v); err != nil || v < -1 {
				add("%s: not an int64 of -1 or more", name)
			}
		case "release":
			// min 0: "" is allowed (the vendor's client sends it when no release is set).
			if s, ok := str(name, raw, 0, f.max); ok && s != "" && !releaseRE().MatchString(s) {
				add("%s: not x.x, x.x.x or x.x.x.x", name)
			}
		case "uuid":
			var s string
			if json.Unmarshal(raw, &s) != nil || !uuidRE().MatchString(s) {
				add("%s: not a UUID", name)
			}
		case "date-time":
			var s string
			if json.Unmarshal(raw, &s) != nil {
				add("%s: not a string", name)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				add("%s: not an RFC 3339 date-time", name)
			}
		case "metadata", "meters":
			var items []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				add("%s: not an array of objects", name)
				continue
			}
			for i, it := range items {
				p := fmt.Sprintf("%s[%d]", name, i)
				if f.kind == "metadata" {
					if len(it) != 2 || it["key"] == nil || it["value"] == nil {
						add("%s: want exactly key and value", p)
						continue
					}
					str(p+".key", it["key"], 1, 256)
					str(p+".value", it["value"], 0, 4096)
					continue
				}
				if len(it) != 2 || it["name"] == nil || it["usesIncrement"] == nil {
					add("%s: want exactly name and usesIncrement", p)
					continue
				}
				var v int64
				if err := json.Unmarshal(it["usesIncrement"], &v); err != nil {
					add("%s.usesIncrement: not an int64", p)
				}
				str(p+".name", it["name"], 1, 256)
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// joinProblems makes the message of a 400 answer.
func joinProblems(p []string) string { return strings.Join(p, "; ") }

package transport

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// A Request's body holds the license key and its Secrets are secrets; a Response's body holds
// a token. The methods below print neither, through fmt (every verb), log/slog or encoding/json.

// String describes the request without its body or secrets.
func (r Request) String() string {
	return "transport request " + r.Method + " " + r.Path + " (" + strconv.Itoa(len(r.Body)) + "-byte body)"
}

// GoString is what %#v prints: String.
func (r Request) GoString() string { return r.String() }

// Format prints String for every verb (%q quotes it).
func (r Request) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String(), r.GoString()) }

// LogValue makes slog print the method and path only.
func (r Request) LogValue() slog.Value {
	return slog.GroupValue(slog.String("method", r.Method), slog.String("path", r.Path))
}

// MarshalJSON writes the method, path and whether the request is unrepeatable.
func (r Request) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Method, Path string
		Unrepeatable bool
	}{r.Method, r.Path, r.Unrepeatable})
}

// String describes the answer without its body.
func (r Response) String() string {
	return "transport response " + strconv.Itoa(r.StatusCode) + " (" + strconv.Itoa(len(r.Body)) + "-byte body, " +
		strconv.Itoa(r.Tries) + " tries)"
}

// GoString is what %#v prints: String.
func (r Response) GoString() string { return r.String() }

// Format prints String for every verb (%q quotes it).
func (r Response) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String(), r.GoString()) }

// LogValue makes slog print the status and tries only.
func (r Response) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("status", r.StatusCode), slog.Int("tries", r.Tries))
}

// MarshalJSON writes the status and tries only.
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ StatusCode, Tries int }{r.StatusCode, r.Tries})
}

package transport

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// A Request's body holds the license key and its Secrets are secrets; a Response's body holds
// a token. The methods below print neither, through fmt (every verb), log/slog (whose handlers
// print through fmt and encoding/json) or encoding/json.

// Format prints the method, path and body size, never the body or the secrets.
func (r Request) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "transport request "+r.Method+" "+r.Path+" ("+strconv.Itoa(len(r.Body))+"-byte body)")
}

// MarshalJSON writes the method, path and whether the request is unrepeatable.
func (r Request) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Method, Path string
		Unrepeatable bool
	}{r.Method, r.Path, r.Unrepeatable})
}

// Format prints the status, body size and tries, never the body.
func (r Response) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "transport response "+strconv.Itoa(r.StatusCode)+" ("+strconv.Itoa(len(r.Body))+"-byte body, "+
		strconv.Itoa(r.Tries)+" tries)")
}

// MarshalJSON writes the status and tries only.
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ StatusCode, Tries int }{r.StatusCode, r.Tries})
}

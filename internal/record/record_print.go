package record

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// String describes the record without its token or license key.
func (r Record) String() string {
	if r.LastSeen.IsZero() {
		return "token record"
	}
	return "token record last seen " + r.LastSeen.UTC().Format(time.RFC3339)
}

// GoString is what %#v prints: the record without its token or license key.
func (r Record) GoString() string {
	return "record.Record{Token:<redacted>, Key:<redacted>, LastSeen:" + strconv.Quote(r.LastSeen.UTC().Format(time.RFC3339)) + "}"
}

// Format prints String for every verb (%q quotes it) and GoString for %#v.
func (r Record) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String(), r.GoString()) }

// LogValue makes slog print the record's time, never its token or key.
func (r Record) LogValue() slog.Value { return slog.GroupValue(slog.Time("lastSeen", r.LastSeen)) }

// MarshalJSON writes only LastSeen: the token and the key stay in the fields, and
// [Encode] is the stored form.
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ LastSeen time.Time }{r.LastSeen})
}

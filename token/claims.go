package token

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/secret"
)

// Claims is what an activation token says, as Go values. Times are zero when the claim is 0 or
// absent ("not set"); durations are zero likewise.
//
// The license key is a [secret.Value], and so is the raw payload kept for [Claims.Extra] and
// [Claims.Raw]: Claims prints, logs and marshals with fmt, log/slog and encoding/json's defaults
// and never shows either, even where it is printed by reflection (an app's struct holding it in
// an unexported field).
type Claims struct {
	ActivationID        string       // aid
	ProductID           string       // pid
	LicenseID           string       // lid
	Key                 secret.Value // key: the license key
	Fingerprint         string       // fp
	FingerprintStrategy string       // fms: exact, fuzzy, loose
	OS                  string       // os

	IssuedAt             time.Time // iat
	ExpiresAt            time.Time // eat: the license's expiry
	LeaseExpiresAt       time.Time // leat: hosted floating licenses
	GracePeriodExpiresAt time.Time // ssgpeat: the server-sync grace period's end

	LeaseDuration      time.Duration // ld
	LeasingStrategy    string        // ls
	FloatingClients    int64         // fc
	ServerSyncInterval time.Duration // ssi; 0 = no sync required
	AllowedClockOffset time.Duration // aco
	// OfflineResponseValidity is orv as sent: its unit is not documented.
	OfflineResponseValidity int64

	Suspended bool   // suspended
	Type      string // type: node-locked, hosted-floating, ...

	Name, Email, Company string // the licensee

	ProductMetadata    Metadata // pmd
	LicenseMetadata    Metadata // lmd
	UserMetadata       Metadata // umd
	ActivationMetadata Metadata // amd

	LicenseMeterAttributes    []LicenseMeter    // lma
	ActivationMeterAttributes []ActivationMeter // ama

	payload secret.Value // the payload segment (it holds the key), decoded only when Extra or Raw is called
}

// Metadata is a list of key/value pairs whose keys compare case-insensitively.
type Metadata []MetadataItem

// MetadataItem is one pair.
type MetadataItem struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Get returns the value of the first pair whose key equals key, ignoring case.
func (m Metadata) Get(key string) (string, bool) {
	for _, it := range m {
		if strings.EqualFold(it.Key, key) {
			return it.Value, true
		}
	}
	return "", false
}

// LicenseMeter is a meter attribute of the license: how many uses it allows and has recorded.
type LicenseMeter struct {
	Name        string `json:"name"`
	AllowedUses int64  `json:"allowedUses"`
	TotalUses   int64  `json:"totalUses"`
}

// ActivationMeter is a meter attribute's uses recorded by this activation.
type ActivationMeter struct {
	Name string `json:"name"`
	Uses int64  `json:"uses"`
}

// Meter returns the license's meter attribute name, ignoring case.
func (c *Claims) Meter(name string) (LicenseMeter, bool) {
	for _, m := range c.LicenseMeterAttributes {
		if strings.EqualFold(m.Name, name) {
			return m, true
		}
	}
	return LicenseMeter{}, false
}

// ActivationUses returns this activation's recorded uses of the meter attribute name.
func (c *Claims) ActivationUses(name string) (int64, bool) {
	for _, m := range c.ActivationMeterAttributes {
		if strings.EqualFold(m.Name, name) {
			return m.Uses, true
		}
	}
	return 0, false
}

// knownClaims are the claims Claims has fields for.
var knownClaims = [...]string{
	"aid", "pid", "lid", "key", "fp", "fms", "os", "iat", "eat", "leat", "ssgpeat", "ld", "ls", "fc",
	"ssi", "aco", "orv", "suspended", "type", "name", "email", "company", "pmd", "lmd", "umd", "amd",
	"lma", "ama",
}

// isKnownClaim reports whether encoding/json reads the member name into a field of Claims: the
// name of a known claim, compared as encoding/json compares them (exactly, else ignoring case
// with Unicode simple folding).
func isKnownClaim(name string) bool {
	for _, k := range knownClaims {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// Extra returns the claims the token carries that Claims has no field for, as raw JSON.
// They are kept, not dropped, so that newer servers' claims stay readable. Of an unknown claim
// given twice, the last is kept.
func (c *Claims) Extra() map[string]json.RawMessage {
	all := c.all()
	if all == nil {
		return nil
	}
	for k := range all {
		if isKnownClaim(k) {
			delete(all, k)
		}
	}
	return all
}

// Raw returns the raw JSON value of any claim, known or not.
func (c *Claims) Raw(name string) (json.RawMessage, bool) {
	v, ok := c.all()[name]
	return v, ok
}

func (c *Claims) all() map[string]json.RawMessage {
	b, err := decodeSegment(c.payload.Reveal())
	if err != nil {
		return nil
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(b, &all) != nil {
		return nil
	}
	return all
}

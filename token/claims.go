package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Claims is what an activation token says, as Go values. Times are zero when the claim is 0 or
// absent ("not set"); durations are zero likewise.
type Claims struct {
	ActivationID        string // aid
	ProductID           string // pid
	LicenseID           string // lid
	Key                 string // key: the license key
	Fingerprint         string // fp
	FingerprintStrategy string // fms: exact, fuzzy, loose
	OS                  string // os

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

	payload string // the payload segment, decoded only when Extra or Raw is called
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
var knownClaims = map[string]bool{
	"aid": true, "pid": true, "lid": true, "key": true, "fp": true, "fms": true, "os": true,
	"iat": true, "eat": true, "leat": true, "ssgpeat": true, "ld": true, "ls": true, "fc": true,
	"ssi": true, "aco": true, "orv": true, "suspended": true, "type": true, "name": true,
	"email": true, "company": true, "pmd": true, "lmd": true, "umd": true, "amd": true,
	"lma": true, "ama": true,
}

// Extra returns the claims the token carries that Claims has no field for, as raw JSON.
// They are kept, not dropped, so that newer servers' claims stay readable.
func (c *Claims) Extra() map[string]json.RawMessage {
	all := c.all()
	if all == nil {
		return nil
	}
	for k := range all {
		if knownClaims[k] {
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
	b, err := decodeSegment(c.payload)
	if err != nil {
		return nil
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(b, &all) != nil {
		return nil
	}
	return all
}

var errClaimType = errors.New("claim of the wrong type")

// maxUnix is the last second of the year 9999.
const maxUnix = 253402300799

// decodeSegment decodes one base64url JWT segment.
func decodeSegment(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

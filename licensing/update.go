package licensing

import (
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// Update is what the caller asks PATCH /v3/activations/{id} to change.
//
// In a PATCH an absent field means "leave unchanged", so every optional field has a value that
// means "not sent", documented beside it. The machine's signals come from the client (see
// [Config.Machine]) and the product id from [Config.ProductID].
type Update struct {
	Key                      string           // required (the license key)
	AccountID                string           // always sent, "" included
	UserID                   string           // "" = not sent
	ReleaseVersion           string           // "" = not sent; else x.x, x.x.x or x.x.x.x
	ReleaseChannel           string           // "" = not sent
	ReleasePlatform          string           // "" = not sent
	ReleasePublishedAt       time.Time        // zero = not sent; sent as RFC 3339 UTC
	LeaseDuration            *int64           // nil = not sent; -1 and 0 = unlimited
	Metadata                 []Metadata       // nil = not sent; an empty non-nil slice is sent as []
	MeterAttributes          []MeterAttribute // nil = not sent; an empty non-nil slice is sent as []
	DeviceID                 string           // "" = not sent; a UUID
	DeviceChallenge          string           // "" = not sent
	DeviceChallengeSignature string           // "" = not sent
}

// Metadata is one key/value pair attached to an activation.
type Metadata struct{ Key, Value string }

// MeterAttribute adds UsesIncrement (which may be negative) to the uses of the meter Name.
//
// A request that carries meter attributes is never repeated once it may have reached the server;
// see [ErrOutcomeUnknown].
type MeterAttribute struct {
	Name          string
	UsesIncrement int64
}

// Int64 returns a pointer to v, for [Update.LeaseDuration].
func Int64(v int64) *int64 { return &v }

// hasIncrements reports whether sending u twice could count meter uses twice.
func (u *Update) hasIncrements() bool { return hasIncrements(u.MeterAttributes) }

func hasIncrements(ma []MeterAttribute) bool {
	for _, m := range ma {
		if m.UsesIncrement != 0 {
			return true
		}
	}
	return false
}

// EncodeUpdate checks u against every rule of the reference page and returns the JSON body of
// PATCH /v3/activations/{id}, or a *[ValidationError] listing every problem.
//
// The body holds the page's field names in the page's order, and nothing else. Required fields
// are always present (accountId even when empty); the machine's signals are always present,
// osVersion only when not empty; the optional fields of u are present exactly when set.
func EncodeUpdate(productID string, m fingerprint.Machine, u Update) ([]byte, error) {
	if fields := validateUpdate(nil, productID, &m, &u); len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	return updateBody(productID, &m, &u), nil
}

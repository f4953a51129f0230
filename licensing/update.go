package licensing

import (
	"strconv"
	"time"
	"unicode/utf8"

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
	return appendUpdate(make([]byte, 0, 512), productID, &m, &u), nil
}

// appendUpdate appends the wire body; the input must have passed validateUpdate.
func appendUpdate(b []byte, productID string, m *fingerprint.Machine, u *Update) []byte {
	b = appendMachine(append(b, '{'), productID, m)
	b = append(b, `,"accountId":`...)
	b = appendString(b, u.AccountID)
	b = appendRelease(b, u.ReleaseVersion, u.ReleaseChannel, u.ReleasePlatform, u.ReleasePublishedAt)
	b = append(b, `,"key":`...)
	b = appendString(b, u.Key)
	b = appendOptional(b, `,"userId":`, u.UserID)
	if u.LeaseDuration != nil {
		b = append(b, `,"leaseDuration":`...)
		b = strconv.AppendInt(b, *u.LeaseDuration, 10)
	}
	b = appendItems(b, u.Metadata, u.MeterAttributes)
	b = appendOptional(b, `,"deviceId":`, u.DeviceID)
	b = appendOptional(b, `,"deviceChallenge":`, u.DeviceChallenge)
	b = appendOptional(b, `,"deviceChallengeSignature":`, u.DeviceChallengeSignature)
	return append(b, '}')
}

// appendRelease appends the release members that are set, in the reference page's order: the
// update and the activation share them.
func appendRelease(b []byte, version, channel, platform string, publishedAt time.Time) []byte {
	b = appendOptional(b, `,"releaseVersion":`, version)
	b = appendOptional(b, `,"releaseChannel":`, channel)
	b = appendOptional(b, `,"releasePlatform":`, platform)
	if !publishedAt.IsZero() {
		b = append(b, `,"releasePublishedAt":"`...)
		b = publishedAt.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return b
}

// appendMachine appends the machine's members and productId, in the reference page's order,
// after an opening brace: the update and the activation share them.
func appendMachine(b []byte, productID string, m *fingerprint.Machine) []byte {
	b = append(b, `"os":`...)
	b = appendString(b, m.OS)
	b = appendOptional(b, `,"osVersion":`, m.OSVersion)
	b = append(b, `,"fingerprint":`...)
	b = appendString(b, m.Fingerprint)
	b = append(b, `,"vmName":`...)
	b = appendString(b, m.VMName)
	b = append(b, `,"container":`...)
	b = strconv.AppendBool(b, m.Container)
	b = append(b, `,"hostname":`...)
	b = appendString(b, m.Hostname)
	b = append(b, `,"userHash":`...)
	b = appendString(b, m.UserHash)
	b = append(b, `,"productId":`...)
	return appendString(b, productID)
}

// appendItems appends the metadata and meterAttributes members, each when not nil.
func appendItems(b []byte, md []Metadata, ma []MeterAttribute) []byte {
	if md != nil {
		b = append(b, `,"metadata":[`...)
		for i, it := range md {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"key":`...)
			b = appendString(b, it.Key)
			b = append(b, `,"value":`...)
			b = appendString(b, it.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if ma != nil {
		b = append(b, `,"meterAttributes":[`...)
		for i, it := range ma {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, it.Name)
			b = append(b, `,"usesIncrement":`...)
			b = strconv.AppendInt(b, it.UsesIncrement, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return b
}

func appendOptional(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, name...), v)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 (refused by validation before this is
// reached) becomes U+FFFD, as encoding/json does; U+2028 and U+2029 are escaped so that the body
// is also valid JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case '\u2028':
				b = append(b, `\u2028`...)
			case '\u2029':
				b = append(b, `\u2029`...)
			default:
				b = append(b, `\ufffd`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

package token

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// The claims below are documented only in the API's changelog, which names them and says what
// they hold but gives no type. So they are read from [Claims.Extra] tolerantly: every JSON shape
// that can reasonably carry the value is accepted, anything else reads as "not set" rather than
// as an error, since an unknown claim must never make a genuine token fail.

// OrganizationName returns the on claim: the name of the organization the license belongs to.
// It accepts a JSON string, or an object with a string "name" (the shape of the organization in
// the API's activation objects). ok is false when the claim is absent, empty or of another type.
func (c *Claims) OrganizationName() (name string, ok bool) {
	raw, found := c.extra("on")
	if !found {
		return "", false
	}
	if s, isStr := jsonText(raw); isStr {
		return s, s != ""
	}
	var obj struct {
		Name json.RawMessage `json:"name"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Name != nil {
		if s, isStr := jsonText(obj.Name); isStr && s != "" {
			return s, true
		}
	}
	return "", false
}

// Address is an organization's address, as the oa claim carries it.
type Address struct {
	// The parts of the address object the API uses for organizations; "" when absent.
	AddressLine1, AddressLine2, City, State, Country, PostalCode string
	// Text is the address when the claim is a single string; the parts are then empty.
	Text string
}

// String returns the address on one line: Text, or the non-empty parts joined by ", ".
func (a Address) String() string {
	if a.Text != "" {
		return a.Text
	}
	var parts []string
	for _, p := range []string{a.AddressLine1, a.AddressLine2, a.City, a.State, a.PostalCode, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// OrganizationAddress returns the oa claim: the address of the license's organization. It
// accepts a JSON string (into Text), or an object with the members addressLine1, addressLine2,
// city, state, country and postalCode, the shape of the organization's address in the API's
// activation objects; members of other types and unknown members are ignored. ok is false when
// the claim is absent, of another type, or holds no text at all.
func (c *Claims) OrganizationAddress() (addr Address, ok bool) {
	raw, found := c.extra("oa")
	if !found {
		return Address{}, false
	}
	if s, isStr := jsonText(raw); isStr {
		return Address{Text: s}, s != ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return Address{}, false
	}
	get := func(name string) string {
		s, _ := jsonText(obj[name])
		return s
	}
	addr = Address{AddressLine1: get("addressLine1"), AddressLine2: get("addressLine2"), City: get("city"),
		State: get("state"), Country: get("country"), PostalCode: get("postalCode")}
	return addr, addr.String() != ""
}

// LicenseCreatedAt returns the lcat claim: when the license was created.
// See [Claims.LicenseActivatedAt] for the forms accepted.
func (c *Claims) LicenseCreatedAt() (time.Time, bool) { return c.extraTime("lcat") }

// LicenseActivatedAt returns the laat claim: when the license was first activated.
//
// The changelog gives no type, so a time claim is accepted as a JSON number of Unix seconds
// (the unit of every documented time claim, such as eat), a string of such digits, or an RFC
// 3339 date-time string. 0, "", null, a fraction of a second, a negative number and a time past
// the year 9999 read as "not set" (ok false).
func (c *Claims) LicenseActivatedAt() (time.Time, bool) { return c.extraTime("laat") }

// extra returns the raw value of a claim Claims has no field for.
func (c *Claims) extra(name string) (json.RawMessage, bool) {
	v, ok := c.Extra()[name]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, false
	}
	return v, true
}

func (c *Claims) extraTime(name string) (time.Time, bool) {
	raw, found := c.extra(name)
	if !found {
		return time.Time{}, false
	}
	if s, isStr := jsonText(raw); isStr {
		s = strings.TrimSpace(s)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, true
		}
		return unixSeconds(s)
	}
	return unixSeconds(string(bytes.TrimSpace(raw)))
}

// unixSeconds reads a whole number of seconds, written as digits or as a JSON number with an
// exponent or a zero fraction ("1.7e9", "1700000000.0").
func unixSeconds(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return unixIn(n)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f > maxUnix {
		return time.Time{}, false
	}
	return unixIn(int64(f))
}

func unixIn(n int64) (time.Time, bool) {
	if n <= 0 || n > maxUnix {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// jsonText decodes raw when it is a JSON string.
func jsonText(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

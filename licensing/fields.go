package licensing

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/errs"
)

// ValidationError lists every problem of a request, found before anything was sent. It
// matches [ErrInvalidRequest].
type ValidationError struct{ Fields []FieldError }

// FieldError is one problem with the field at the JSON path Field ("metadata[2].value"; "id"
// for the activation id). Message never repeats the value.
type FieldError struct{ Field, Message string }

// Error lists every field and its problem.
func (e *ValidationError) Error() string {
	var sb strings.Builder
	sb.WriteString("licensing: invalid request: ")
	for i, f := range e.Fields {
		if i > 0 {
			sb.WriteString("; ")
		}
		sb.WriteString(f.Field)
		sb.WriteString(": ")
		sb.WriteString(f.Message)
	}
	return sb.String()
}

// Is makes a *ValidationError match [ErrInvalidRequest].
func (e *ValidationError) Is(target error) bool { return target == errs.ErrInvalidRequest }

// Error returns "field: message".
func (f FieldError) Error() string { return f.Field + ": " + f.Message }

// Limits from the reference page, in Unicode code points.
const (
	maxShort       = 256
	maxLong        = 1024
	maxMetaValue   = 4096
	minFingerprint = 64
)

// osNames is the page's enum for "os", in the page's order.
var osNames = [...]string{fingerprint.OSWindows, fingerprint.OSLinux, fingerprint.OSMacOS, fingerprint.OSAndroid, fingerprint.OSIOS}

// checker collects field errors; the zero value is ready.
type checker struct{ fields []FieldError }

func (c *checker) add(field, msg string) { c.fields = append(c.fields, FieldError{field, msg}) }

// length checks that s is valid UTF-8 of min to max code points.
func (c *checker) length(field, s string, min, max int) {
	if !utf8.ValidString(s) {
		c.add(field, "must be valid UTF-8")
		return
	}
	// A string has at most one code point per byte, and a non-empty one has at least one, so
	// when the byte length is within max and the minimum is 0 or 1, no count is needed.
	if len(s) <= max && len(s) >= min && min <= 1 {
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		c.add(field, "is required")
	case n < min:
		c.add(field, "must be at least "+strconv.Itoa(min)+" characters, has "+strconv.Itoa(n))
	case n > max:
		c.add(field, "must be at most "+strconv.Itoa(max)+" characters, has "+strconv.Itoa(n))
	}
}

// validateUpdate appends to dst every way in which the request breaks the reference page.
func validateUpdate(dst []FieldError, productID string, m *fingerprint.Machine, u *Update) []FieldError {
	c := checker{fields: dst}
	c.machine(productID, m)
	c.length("accountId", u.AccountID, 0, maxShort)
	c.release(u.ReleaseVersion, u.ReleaseChannel, u.ReleasePlatform, u.ReleasePublishedAt)
	c.length("key", u.Key, 1, maxShort)
	c.length("userId", u.UserID, 0, maxShort)
	c.leaseDuration(u.LeaseDuration)
	c.items(u.Metadata, u.MeterAttributes)
	if u.DeviceID != "" && !isUUID(u.DeviceID) {
		c.add("deviceId", "must be a UUID (8-4-4-4-12 hexadecimal digits)")
	}
	c.length("deviceChallenge", u.DeviceChallenge, 0, maxShort)
	c.length("deviceChallengeSignature", u.DeviceChallengeSignature, 0, maxLong)
	return c.fields
}

// leaseDuration checks a lease duration in seconds: nil is not sent; the page's minimum is -1
// (-1 and 0 mean unlimited).
func (c *checker) leaseDuration(d *int64) {
	if d != nil && *d < -1 {
		c.add("leaseDuration", "must be -1 or more")
	}
}

// release checks the release fields, which the update, the activation and the trial share.
func (c *checker) release(version, channel, platform string, publishedAt time.Time) {
	c.length("releaseVersion", version, 0, maxShort)
	if version != "" && !IsReleaseVersion(version) {
		c.add("releaseVersion", "must be x.x, x.x.x or x.x.x.x, each x a run of ASCII digits")
	}
	c.length("releaseChannel", channel, 0, maxShort)
	c.length("releasePlatform", platform, 0, maxShort)
	if !publishedAt.IsZero() {
		if y := publishedAt.UTC().Year(); y < 1 || y > 9999 {
			c.add("releasePublishedAt", "must be a date between the years 1 and 9999")
		}
	}
}

// machine checks the machine's signals and the product id, in the page's order.
func (c *checker) machine(productID string, m *fingerprint.Machine) {
	if !validOS(m.OS) {
		c.add("os", "must be one of windows, linux, macos, android, ios")
	}
	c.length("osVersion", m.OSVersion, 0, maxShort)
	c.length("fingerprint", m.Fingerprint, minFingerprint, maxLong)
	c.length("vmName", m.VMName, 0, maxShort)
	c.length("hostname", m.Hostname, 1, maxLong)
	c.length("userHash", m.UserHash, 1, maxShort)
	c.length("productId", productID, 1, maxShort)
}

// items checks metadata and meter attributes.
func (c *checker) items(md []Metadata, ma []MeterAttribute) {
	for i, it := range md {
		p := "metadata[" + strconv.Itoa(i) + "]"
		c.length(p+".key", it.Key, 1, maxShort)
		c.length(p+".value", it.Value, 0, maxMetaValue)
	}
	for i, it := range ma {
		c.length("meterAttributes["+strconv.Itoa(i)+"].name", it.Name, 1, maxShort)
	}
}

// validateActivationID checks the {id} path parameter. It is path-escaped when sent, but "."
// and ".." would still change the path, so they are refused with the empty id.
func validateActivationID(dst []FieldError, id string) []FieldError {
	c := checker{fields: dst}
	switch id {
	case "":
		c.add("id", "is required")
	case ".", "..":
		c.add("id", "must not be a dot segment")
	default:
		c.length("id", id, 1, maxShort)
	}
	return c.fields
}

func validOS(s string) bool {
	for _, n := range osNames {
		if s == n {
			return true
		}
	}
	return false
}

// isUUID reports whether s has the textual form of a UUID: 8-4-4-4-12 hexadecimal digits, in
// either case. The version and variant bits are not checked; the page asks only for the format.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

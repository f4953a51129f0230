// Package record is what the activation cache stores: one versioned JSON envelope holding a
// sealed token record, a lapsed lease's id and key, or the default store's tombstone.
package record

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrCorrupt is wrapped when a stored value is truncated, altered by accident, or not one of
// ours. The value cannot be used; callers treat it as a cache miss.
var ErrCorrupt = errors.New("licensing: cached record corrupt")

// ErrTampered is wrapped when a record's time does not match its seal: it was edited.
var ErrTampered = errors.New("licensing: cached record altered")

// Record is what is cached for an activation: the token, the license key it was requested
// with, and the time of the last successful check, which guards against a clock turned back.
// Boot and BootStart say which boot that check ran in and when, by the kernel's boot clock,
// that boot started (internal/bootclock): within the same boot, a start that moved back is a
// wall clock set back. Both are zero where the OS has no boot clock, and in records written
// before they existed.
type Record struct {
	Token     string
	Key       string
	LastSeen  time.Time
	Boot      string
	BootStart time.Time

	// Anchors are the machine's hardware anchors at activation, comma-separated (see anchors.go).
	Anchors string
}

// MaxBootID bounds a record's Boot.
const MaxBootID = 64

// Lapsed is what a floating lease that ended leaves: the activation id and license key, so
// that the lease can be renewed online, and no token.
type Lapsed struct {
	ID  string
	Key string

	Anchors string // as Record's
}

// Version is the envelope's format version, its "v".
const Version = 1

// MaxSize bounds what Decode and Peek read.
const MaxSize = 1 << 20

// maxSeen is 9999-12-31T23:59:59Z, the last time a record may carry.
const maxSeen = 253402300799

// Entry is a decoded envelope: exactly one of Record, Lapsed and Deleted.
type Entry struct {
	Stamp   int64 // the save's time in Unix nanoseconds, set by the writer
	Record  *Record
	Lapsed  *Lapsed
	Deleted bool
}

// envelope is the stored form:
//
//	{"v":1,"stamp":<unix ns>,"record":{"token":"…","key":"…","seen":<unix s>},"seal":"…"}
//	{"v":1,"stamp":<unix ns>,"record":{"token":"…","key":"…","seen":<unix s>,"boot":"…","bootStart":<unix s>},"seal":"…"}
//	{"v":1,"stamp":<unix ns>,"lapsed":{"id":"…","key":"…"},"seal":"…"}
//	{"v":1,"stamp":<unix ns>,"deleted":true}
type envelope struct {
	V       int         `json:"v"`
	Stamp   int64       `json:"stamp"`
	Record  *wireRecord `json:"record,omitempty"`
	Lapsed  *wireLapsed `json:"lapsed,omitempty"`
	Deleted bool        `json:"deleted,omitempty"`
	Seal    string      `json:"seal,omitempty"`
}

type wireRecord struct {
	Token     string `json:"token"`
	Key       string `json:"key"`
	Seen      *int64 `json:"seen"`
	Boot      string `json:"boot,omitempty"`
	BootStart int64  `json:"bootStart,omitempty"`

	Anchors string `json:"anchors,omitempty"`
}

type wireLapsed struct {
	ID  string `json:"id"`
	Key string `json:"key"`

	Anchors string `json:"anchors,omitempty"`
}

// SealKey derives the key that seals records of productID on the machine whose fingerprint is
// given. A record copied to another machine, or to another product, does not unseal.
func SealKey(productID, fingerprint string) []byte {
	h := sha256.New()
	h.Write([]byte("tollgate/record-seal/v1\x00"))
	h.Write([]byte(productID))
	h.Write([]byte{0})
	h.Write([]byte(fingerprint))
	return h.Sum(nil)
}

// seal is HMAC-SHA256 over the record's fields, each length-prefixed so that no two records
// share an input. Of the token it takes the signature segment: the token is verified before its
// record is trusted, and a verified signature stands for the whole token.
// The boot fields join the message only when set, so that records written before them keep
// their seals.
func seal(key []byte, token, licenseKey string, seen int64, boot string, bootStart int64) string {
	sig := token[strings.LastIndexByte(token, '.')+1:]
	var seenBuf [20]byte
	seenS := strconv.AppendInt(seenBuf[:0], seen, 10)
	msg := make([]byte, 0, len(sig)+len(licenseKey)+len(seenS)+3*(20+1))
	msg = append(strconv.AppendInt(msg, int64(len(sig)), 10), ':')
	msg = append(msg, sig...)
	msg = append(strconv.AppendInt(msg, int64(len(licenseKey)), 10), ':')
	msg = append(msg, licenseKey...)
	msg = append(strconv.AppendInt(msg, int64(len(seenS)), 10), ':')
	msg = append(msg, seenS...)
	if boot != "" || bootStart != 0 {
		startS := strconv.FormatInt(bootStart, 10)
		for _, f := range []string{"boot", boot, startS} {
			msg = append(strconv.AppendInt(msg, int64(len(f)), 10), ':')
			msg = append(msg, f...)
		}
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// lapsedSeal is the lapsed form's MAC, over the same length-prefixed fields as ever.
func lapsedSeal(key []byte, id, licenseKey string) string {
	mac := hmac.New(sha256.New, key)
	for _, f := range []string{"lapsed", id, licenseKey} {
		mac.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func marshal(e *envelope) string {
	b, err := json.Marshal(e)
	if err != nil { // strings and integers only: cannot happen
		panic("record: " + err.Error())
	}
	return string(b)
}

// Encode returns r sealed with key (see [SealKey]), stamped with stamp.
func Encode(r Record, key []byte, stamp int64) string {
	seen, start := int64(0), int64(0)
	if !r.LastSeen.IsZero() {
		seen = r.LastSeen.Unix()
	}
	if !r.BootStart.IsZero() && r.BootStart.Unix() > 0 {
		start = r.BootStart.Unix()
	}
	w := &wireRecord{Token: r.Token, Key: r.Key, Seen: &seen, Boot: r.Boot, BootStart: start}
	w.Anchors = r.Anchors
	return marshal(&envelope{V: Version, Stamp: stamp,
		Record: w,
		Seal:   seal(key, r.Token, r.Key, seen, r.Boot, start)})
}

// EncodeLapsed returns l sealed with key, stamped with stamp.
func EncodeLapsed(l Lapsed, key []byte, stamp int64) string {
	w := &wireLapsed{ID: l.ID, Key: l.Key}
	w.Anchors = l.Anchors
	return marshal(&envelope{V: Version, Stamp: stamp, Lapsed: w,
		Seal: lapsedSeal(key, l.ID, l.Key)})
}

// EncodeTombstone returns the default store's mark of a value deleted at stamp.
func EncodeTombstone(stamp int64) string {
	return marshal(&envelope{V: Version, Stamp: stamp, Deleted: true})
}

// parse reads the envelope's shape: the version, the stamp, exactly one part, complete. It
// checks no seal. The value must be exactly what marshal writes for what it holds, so a key
// twice, an unknown key, another order or spacing, all read as corrupt, with no second parser.
func parse(s string) (*envelope, error) {
	if len(s) > MaxSize {
		return nil, fmt.Errorf("%w: value over %d bytes", ErrCorrupt, MaxSize)
	}
	if len(s) == 0 || s[0] != '{' {
		return nil, fmt.Errorf("%w: not a tollgate envelope", ErrCorrupt)
	}
	var e envelope
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return nil, fmt.Errorf("%w: not a tollgate envelope", ErrCorrupt)
	}
	parts := 0
	for _, p := range []bool{e.Record != nil, e.Lapsed != nil, e.Deleted} {
		if p {
			parts++
		}
	}
	switch {
	case e.V != Version:
		return nil, fmt.Errorf("%w: envelope version %d", ErrCorrupt, e.V)
	case e.Stamp <= 0:
		return nil, fmt.Errorf("%w: envelope without a stamp", ErrCorrupt)
	case parts != 1:
		return nil, fmt.Errorf("%w: envelope holds %d parts, not one", ErrCorrupt, parts)
	case e.Deleted && e.Seal != "", !e.Deleted && e.Seal == "":
		return nil, fmt.Errorf("%w: envelope seal missing or out of place", ErrCorrupt)
	case e.Record != nil && (e.Record.Token == "" || e.Record.Key == "" || e.Record.Seen == nil ||
		*e.Record.Seen < 0 || *e.Record.Seen > maxSeen || e.Record.BootStart < 0 || e.Record.BootStart > maxSeen ||
		len(e.Record.Boot) > MaxBootID):
		return nil, fmt.Errorf("%w: record incomplete", ErrCorrupt)
	case e.Lapsed != nil && (e.Lapsed.ID == "" || e.Lapsed.Key == ""):
		return nil, fmt.Errorf("%w: lapsed lease incomplete", ErrCorrupt)
	case !anchorsWellFormed(&e):
		return nil, fmt.Errorf("%w: anchors malformed", ErrCorrupt)
	case marshal(&e) != s:
		return nil, fmt.Errorf("%w: envelope not as written (a key twice, unknown, or out of order)", ErrCorrupt)
	}
	return &e, nil
}

// Decode reads a value written by this package and checks its seal against key. A value that
// is not an envelope wraps ErrCorrupt, as does a lapsed lease not sealed with key. A record
// whose seal does not match is returned with ErrTampered, so that the caller can still tell a
// token from another machine (whose seal differs too) from an edited time.
func Decode(s string, key []byte) (Entry, error) {
	e, err := parse(s)
	if err != nil {
		return Entry{}, err
	}
	out := Entry{Stamp: e.Stamp, Deleted: e.Deleted}
	switch {
	case e.Record != nil:
		w := e.Record
		r := &Record{Token: w.Token, Key: w.Key, Boot: w.Boot}
		r.Anchors = w.Anchors
		if *w.Seen != 0 {
			r.LastSeen = time.Unix(*w.Seen, 0)
		}
		if w.BootStart != 0 {
			r.BootStart = time.Unix(w.BootStart, 0)
		}
		out.Record = r
		if !hmac.Equal([]byte(e.Seal), []byte(seal(key, w.Token, w.Key, *w.Seen, w.Boot, w.BootStart))) {
			return out, ErrTampered
		}
	case e.Lapsed != nil:
		l := e.Lapsed
		if !hmac.Equal([]byte(e.Seal), []byte(lapsedSeal(key, l.ID, l.Key))) {
			return Entry{}, fmt.Errorf("%w: lapsed lease not sealed for this machine", ErrCorrupt)
		}
		out.Lapsed = &Lapsed{ID: l.ID, Key: l.Key}
		out.Lapsed.Anchors = l.Anchors
	}
	return out, nil
}

// Peek reads an envelope's stamp and whether it is a tombstone, without a key: for the default
// store, which orders its backends by stamp. ok is false when s is not an envelope.
func Peek(s string) (stamp int64, deleted, ok bool) {
	e, err := parse(s)
	if err != nil {
		return 0, false, false
	}
	return e.Stamp, e.Deleted, true
}

package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrCorrupt is wrapped when a stored value is truncated, altered by accident, or not one of
// ours. The value cannot be used; callers treat it as a cache miss.
var ErrCorrupt = errors.New("token: stored value corrupt")

// ErrRecordTampered is wrapped when a record's time does not match its seal: it was edited.
var ErrRecordTampered = errors.New("token: stored time record altered")

// Record is what is cached for an activation: the token, the license key it was requested
// with, and the time of the last successful check, which guards against a clock turned back.
type Record struct {
	Token    string
	Key      string
	LastSeen time.Time
}

// recordVersion prefixes every encoded record.
const recordVersion = "tollgate-record-v1:"

// maxRecordSize bounds what DecodeRecord reads.
const maxRecordSize = 1 << 20

type wireRecord struct {
	Token string `json:"token"`
	Key   string `json:"key"`
	Seen  int64  `json:"seen"`
	Seal  string `json:"seal"`
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
// share an input.
func seal(key []byte, token, licenseKey string, seen int64) string {
	mac := hmac.New(sha256.New, key)
	for _, f := range []string{token, licenseKey, strconv.FormatInt(seen, 10)} {
		mac.Write([]byte(strconv.Itoa(len(f))))
		mac.Write([]byte{':'})
		mac.Write([]byte(f))
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// EncodeRecord returns r sealed with key (see [SealKey]).
func EncodeRecord(r Record, key []byte) string {
	seen := r.LastSeen.Unix()
	if r.LastSeen.IsZero() {
		seen = 0
	}
	b, _ := json.Marshal(wireRecord{Token: r.Token, Key: r.Key, Seen: seen, Seal: seal(key, r.Token, r.Key, seen)})
	return recordVersion + string(b)
}

// DecodeRecord reads a value written by EncodeRecord. A value that is not a record wraps
// ErrCorrupt. A record whose seal does not match is returned with ErrRecordTampered, so that
// the caller can still tell a token from another machine (whose seal differs too) from an
// edited time.
func DecodeRecord(s string, key []byte) (Record, error) {
	if len(s) > maxRecordSize {
		return Record{}, fmt.Errorf("%w: record over %d bytes", ErrCorrupt, maxRecordSize)
	}
	if len(s) < len(recordVersion) || s[:len(recordVersion)] != recordVersion {
		return Record{}, fmt.Errorf("%w: not a tollgate record", ErrCorrupt)
	}
	var w wireRecord
	if err := json.Unmarshal([]byte(s[len(recordVersion):]), &w); err != nil {
		return Record{}, fmt.Errorf("%w: record is not valid JSON", ErrCorrupt)
	}
	if w.Token == "" || w.Key == "" || w.Seen < 0 || w.Seen > maxUnix {
		return Record{}, fmt.Errorf("%w: record incomplete", ErrCorrupt)
	}
	r := Record{Token: w.Token, Key: w.Key}
	if w.Seen != 0 {
		r.LastSeen = time.Unix(w.Seen, 0)
	}
	if !hmac.Equal([]byte(w.Seal), []byte(seal(key, w.Token, w.Key, w.Seen))) {
		return r, ErrRecordTampered
	}
	return r, nil
}

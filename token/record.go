package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// recordVersion prefixes every encoded record: "tollgate-record-v1:<seen>:<seal>:<key>:<token>",
// with the Unix time seen in decimal, the seal and the license key in base64url, and the token
// last (a JWT holds no ':'). It is a line of text rather than JSON so that reading it costs next
// to nothing beside the token's signature check.
const recordVersion = "tollgate-record-v1:"

// maxRecordSize bounds what DecodeRecord reads.
const maxRecordSize = 1 << 20

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
func seal(key []byte, token, licenseKey string, seen int64) string {
	sig := token[strings.LastIndexByte(token, '.')+1:]
	mac := hmac.New(sha256.New, key)
	for _, f := range []string{sig, licenseKey, strconv.FormatInt(seen, 10)} {
		mac.Write([]byte(strconv.Itoa(len(f))))
		mac.Write([]byte{':'})
		mac.Write([]byte(f))
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// EncodeRecord returns r sealed with key (see [SealKey]).
func EncodeRecord(r Record, key []byte) string {
	seen := int64(0)
	if !r.LastSeen.IsZero() {
		seen = r.LastSeen.Unix()
	}
	return recordVersion + strconv.FormatInt(seen, 10) + ":" + seal(key, r.Token, r.Key, seen) + ":" +
		base64.RawURLEncoding.EncodeToString([]byte(r.Key)) + ":" + r.Token
}

// DecodeRecord reads a value written by EncodeRecord. A value that is not a record wraps
// ErrCorrupt. A record whose seal does not match is returned with ErrRecordTampered, so that
// the caller can still tell a token from another machine (whose seal differs too) from an
// edited time.
func DecodeRecord(s string, key []byte) (Record, error) {
	if len(s) > maxRecordSize {
		return Record{}, fmt.Errorf("%w: record over %d bytes", ErrCorrupt, maxRecordSize)
	}
	rest, ok := strings.CutPrefix(s, recordVersion)
	if !ok {
		return Record{}, fmt.Errorf("%w: not a tollgate record", ErrCorrupt)
	}
	seenS, rest, ok1 := strings.Cut(rest, ":")
	sealS, rest, ok2 := strings.Cut(rest, ":")
	keyS, tok, ok3 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || !ok3 {
		return Record{}, fmt.Errorf("%w: record incomplete", ErrCorrupt)
	}
	seen, err := strconv.ParseInt(seenS, 10, 64)
	licenseKey, kerr := decodeSegment(keyS)
	if err != nil || kerr != nil || seen < 0 || seen > maxUnix || tok == "" || len(licenseKey) == 0 {
		return Record{}, fmt.Errorf("%w: record incomplete", ErrCorrupt)
	}
	r := Record{Token: tok, Key: string(licenseKey)}
	if seen != 0 {
		r.LastSeen = time.Unix(seen, 0)
	}
	if !hmac.Equal([]byte(sealS), []byte(seal(key, r.Token, r.Key, seen))) {
		return r, ErrRecordTampered
	}
	return r, nil
}

package record

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
var ErrCorrupt = errors.New("licensing: cached record corrupt")

// ErrTampered is wrapped when a record's time does not match its seal: it was edited.
var ErrTampered = errors.New("licensing: cached record altered")

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

// maxRecordSize bounds what Decode reads.
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
	var seenBuf [20]byte
	seenS := strconv.AppendInt(seenBuf[:0], seen, 10)
	// The input in one buffer and one Write: the same bytes as writing each piece in turn.
	msg := make([]byte, 0, len(sig)+len(licenseKey)+len(seenS)+3*(20+1))
	msg = append(strconv.AppendInt(msg, int64(len(sig)), 10), ':')
	msg = append(msg, sig...)
	msg = append(strconv.AppendInt(msg, int64(len(licenseKey)), 10), ':')
	msg = append(msg, licenseKey...)
	msg = append(strconv.AppendInt(msg, int64(len(seenS)), 10), ':')
	msg = append(msg, seenS...)
	mac := hmac.New(sha256.New, key)
	mac.Write(msg)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(mac.Sum(sum[:0]))
}

// Encode returns r sealed with key (see [SealKey]).
func Encode(r Record, key []byte) string {
	seen := int64(0)
	if !r.LastSeen.IsZero() {
		seen = r.LastSeen.Unix()
	}
	return recordVersion + strconv.FormatInt(seen, 10) + ":" + seal(key, r.Token, r.Key, seen) + ":" +
		base64.RawURLEncoding.EncodeToString([]byte(r.Key)) + ":" + r.Token
}

// Decode reads a value written by Encode. A value that is not a record wraps
// ErrCorrupt. A record whose seal does not match is returned with ErrTampered, so that
// the caller can still tell a token from another machine (whose seal differs too) from an
// edited time.
func Decode(s string, key []byte) (Record, error) {
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
	licenseKey, kerr := base64.RawURLEncoding.Strict().DecodeString(keyS)
	if err != nil || kerr != nil || strings.ContainsAny(keyS, "\r\n") || seen < 0 || seen > 253402300799 || tok == "" || len(licenseKey) == 0 {
		return Record{}, fmt.Errorf("%w: record incomplete", ErrCorrupt)
	}
	r := Record{Token: tok, Key: string(licenseKey)}
	if seen != 0 {
		r.LastSeen = time.Unix(seen, 0)
	}
	if !hmac.Equal([]byte(sealS), []byte(seal(key, r.Token, r.Key, seen))) {
		return r, ErrTampered
	}
	return r, nil
}

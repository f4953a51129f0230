package fingerprint

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// NormalizeUserName returns the form of an OS user name that [UserHash] hashes.
//
// Surrounding white space is removed. On Windows (goos "windows"), where names are
// case-insensitive, the name is lowercased, and "DOMAIN\user" is kept whole: the domain is
// part of the name, so DOMAIN\alice and OTHER\alice are different users, while DOMAIN\Alice and
// domain\alice are the same. Elsewhere names are case-sensitive and kept as they are.
func NormalizeUserName(goos, name string) string {
	name = strings.TrimSpace(name)
	if goos == "windows" {
		name = strings.ToLower(name)
	}
	return name
}

// UserHash returns the user hash Collect reports: the lowercase hex of
// HMAC-SHA256(key = appID, message = NormalizeUserName(goos, name)). Keyed by the app id, it
// cannot be reversed with a dictionary of user names, and differs between applications.
func UserHash(appID, goos, name string) string {
	mac := hmac.New(sha256.New, []byte(appID))
	mac.Write([]byte(NormalizeUserName(goos, name)))
	return hex.EncodeToString(mac.Sum(nil))
}

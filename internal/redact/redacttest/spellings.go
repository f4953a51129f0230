// Package redacttest lists the spellings in which a hostile server echoes a secret, for the
// tests that check a secret never reaches what the SDK prints.
package redacttest

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Spelling is a secret written one way: Name says which, Text is what the server sends.
type Spelling struct {
	Name, Text string
}

// Spellings returns secret in every spelling a reviewer used to get a key past literal
// redaction (case, width, separators, reversal, URL, HTML, base64, hex, a long prefix), and
// others of the same classes. Text never equals secret except in the first ("as is").
func Spellings(secret string) []Spelling {
	alnum := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, secret)
	runes := []rune(secret)
	rev := make([]rune, len(runes))
	for i, r := range runes {
		rev[len(runes)-1-i] = r
	}
	full := strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r + 0xFEE0
		}
		return r
	}, secret)
	every := func(format string, s string) string {
		var b strings.Builder
		for _, c := range []byte(s) {
			fmt.Fprintf(&b, format, c)
		}
		return b.String()
	}
	entities := func(format string) string {
		var b strings.Builder
		for _, r := range secret {
			fmt.Fprintf(&b, format, r)
		}
		return b.String()
	}
	spaced := strings.Join(strings.Split(secret, ""), " ")
	prefix := string(runes[:len(runes)*20/27])
	suffix := string(runes[len(runes)-len(runes)*20/27:])
	return []Spelling{
		{"as is", secret},
		{"uppercased", strings.ToUpper(secret)},
		{"lowercased", strings.ToLower(secret)},
		{"case swapped", strings.Map(func(r rune) rune {
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			return unicode.ToUpper(r)
		}, secret)},
		{"full width", full},
		{"full width, lowercased", strings.ToLower(full)},
		{"separators removed", alnum},
		{"separators removed, lowercased", strings.ToLower(alnum)},
		{"spaces between characters", spaced},
		{"separators as dots", strings.Join(strings.Split(alnum, ""), ".")},
		{"zero-width spaces between characters", strings.Join(strings.Split(secret, ""), "\u200b")},
		{"reversed", string(rev)},
		{"reversed, separators removed, uppercased", strings.ToUpper(strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, string(rev)))},
		{"URL-encoded, every byte", every("%%%02X", secret)},
		{"URL-encoded, every byte, lowercase hex", every("%%%02x", secret)},
		{"URL-encoded full width", url.QueryEscape(full)},
		{"URL-encoded with spaces as +", url.QueryEscape(spaced)},
		{"HTML decimal entities", entities("&#%d;")},
		{"HTML hex entities", entities("&#x%X;")},
		{"JSON \\u escapes", entities(`\u%04x`)},
		{"base64", base64.StdEncoding.EncodeToString([]byte(secret))},
		{"base64 URL, unpadded", base64.RawURLEncoding.EncodeToString([]byte(secret))},
		{"base64 inside a longer value", base64.StdEncoding.EncodeToString([]byte("key=" + secret + "&x=1"))},
		{"base64 at another alignment", base64.StdEncoding.EncodeToString([]byte("k=" + secret))},
		{"base64, lowercased first", base64.StdEncoding.EncodeToString([]byte(strings.ToLower(secret)))},
		{"base64, URL-encoded", url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("k=" + secret)))},
		{"base64 of the reversed", base64.StdEncoding.EncodeToString([]byte(string(rev)))},
		{"hex", hex.EncodeToString([]byte(secret))},
		{"hex, uppercase", strings.ToUpper(hex.EncodeToString([]byte(secret)))},
		{"hex at another alignment", "7" + hex.EncodeToString([]byte(secret))},
		{"hex with colons", every("%02x:", secret)},
		{"hex of the separators removed", hex.EncodeToString([]byte(alnum))},
		{"first 20 of 27 characters", prefix},
		{"last 20 of 27 characters", suffix},
		{"first 20 of 27, lowercased, separators removed", strings.ToLower(strings.ReplaceAll(prefix, "-", ""))},
	}
}

// Leaked returns the first of spellings that out holds, in any letter case.
func Leaked(out string, spellings []Spelling) (Spelling, bool) {
	low := strings.ToLower(out)
	for _, s := range spellings {
		if strings.Contains(low, strings.ToLower(s.Text)) {
			return s, true
		}
	}
	return Spelling{}, false
}

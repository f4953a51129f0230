package licensing

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// FuzzValidate feeds arbitrary field values to the validator. It must never panic, and every
// update it accepts must encode to a body that the independent check also accepts and that
// decodes back to exactly the caller's values.
func FuzzValidate(f *testing.F) {
	f.Add("linux", "12.11", "ab", "host", "hash", "key", "acct", "1.2.3", "mk", "mv", "meter", int64(1), int64(-1), int64(0), "4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a")
	f.Add("macos", "", "é", "😀", "x", "\x00", "", "1.2.3.4", "", "", "", int64(-1<<63), int64(1<<63-1), int64(1700000000), "")
	f.Add("ios", "\u2028", "\xff", "h", "u", "k", "a", "v1.2", "k", "\"", "n", int64(0), int64(-2), int64(-62135596800), "nope")
	f.Fuzz(func(t *testing.T, osName, osVersion, fpUnit, hostname, userHash, key, account, release,
		mdKey, mdValue, meter string, inc, lease, published int64, deviceID string) {
		fp := ""
		for len(fp) < 64 && fpUnit != "" {
			fp += fpUnit
		}
		m := fingerprint.Machine{OS: osName, OSVersion: osVersion, Fingerprint: fp, Hostname: hostname, UserHash: userHash}
		u := Update{
			Key: key, AccountID: account, ReleaseVersion: release, LeaseDuration: &lease,
			Metadata:        []Metadata{{Key: mdKey, Value: mdValue}},
			MeterAttributes: []MeterAttribute{{Name: meter, UsesIncrement: inc}},
			DeviceID:        deviceID,
		}
		if published != 0 {
			u.ReleasePublishedAt = time.Unix(published, 0)
		}
		body, err := EncodeUpdate(testProduct, m, u)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if msg := checkBodyIndependently(body); msg != "" {
			t.Fatalf("accepted, but the independent check says %s: %s", msg, body)
		}
		var back struct {
			Key, AccountID, ReleaseVersion string
			Hostname                       string
			LeaseDuration                  *int64
			Metadata                       []Metadata
			MeterAttributes                []MeterAttribute
			ReleasePublishedAt             *time.Time
		}
		if err := json.Unmarshal(body, &back); err != nil {
			t.Fatal(err)
		}
		if back.Key != key || back.AccountID != account || back.ReleaseVersion != release || back.Hostname != hostname ||
			back.LeaseDuration == nil || *back.LeaseDuration != lease ||
			len(back.Metadata) != 1 || back.Metadata[0] != u.Metadata[0] ||
			len(back.MeterAttributes) != 1 || back.MeterAttributes[0] != u.MeterAttributes[0] {
			t.Fatalf("body does not carry the caller's values: %s", body)
		}
		if !u.ReleasePublishedAt.IsZero() && (back.ReleasePublishedAt == nil || !back.ReleasePublishedAt.Equal(u.ReleasePublishedAt)) {
			t.Fatalf("releasePublishedAt changed: %s", body)
		}
	})
}

package licensing

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

const testProduct = "prod-1"

func testMachine() fingerprint.Machine {
	return fingerprint.Machine{
		OS:          "linux",
		OSVersion:   "12.11",
		Hostname:    "build-host",
		Fingerprint: strings.Repeat("ab", 32),
		UserHash:    strings.Repeat("cd", 32),
	}
}

func testUpdate() Update { return Update{Key: "LICENSE-KEY-1"} }

// n returns a string of n copies of r: "é" is 2 bytes and "😀" 4, one code point each.
func n(r string, count int) string { return strings.Repeat(r, count) }

func TestValidateRules(t *testing.T) {
	t.Parallel()
	type mod func(m *fingerprint.Machine, u *Update, product *string)
	cases := []struct {
		name   string
		mod    mod
		fields []string // expected FieldError.Field values, in order; nil = valid
	}{
		{"valid minimal", func(*fingerprint.Machine, *Update, *string) {}, nil},
		{"os empty", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "" }, []string{"os"}},
		{"os darwin", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "darwin" }, []string{"os"}},
		{"os wrong case", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "Linux" }, []string{"os"}},
		{"os ios", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "ios" }, nil},
		{"os android", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "android" }, nil},
		{"os macos", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "macos" }, nil},
		{"os windows", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OS = "windows" }, nil},

		{"osVersion empty", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OSVersion = "" }, nil},
		{"osVersion 256 multibyte", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OSVersion = n("😀", 256) }, nil},
		{"osVersion 257", func(m *fingerprint.Machine, _ *Update, _ *string) { m.OSVersion = n("é", 257) }, []string{"osVersion"}},

		{"fingerprint 64 multibyte", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = n("é", 64) }, nil},
		{"fingerprint 63 multibyte (126 bytes)", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = n("é", 63) }, []string{"fingerprint"}},
		{"fingerprint 63", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = n("a", 63) }, []string{"fingerprint"}},
		{"fingerprint empty", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = "" }, []string{"fingerprint"}},
		{"fingerprint 1024", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = n("😀", 1024) }, nil},
		{"fingerprint 1025", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Fingerprint = n("a", 1025) }, []string{"fingerprint"}},

		{"vmName 256", func(m *fingerprint.Machine, _ *Update, _ *string) { m.VMName = n("é", 256) }, nil},
		{"vmName 257", func(m *fingerprint.Machine, _ *Update, _ *string) { m.VMName = n("a", 257) }, []string{"vmName"}},

		{"hostname empty", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Hostname = "" }, []string{"hostname"}},
		{"hostname 1 multibyte", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Hostname = "😀" }, nil},
		{"hostname 1024", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Hostname = n("é", 1024) }, nil},
		{"hostname 1025", func(m *fingerprint.Machine, _ *Update, _ *string) { m.Hostname = n("é", 1025) }, []string{"hostname"}},

		{"userHash empty", func(m *fingerprint.Machine, _ *Update, _ *string) { m.UserHash = "" }, []string{"userHash"}},
		{"userHash 256", func(m *fingerprint.Machine, _ *Update, _ *string) { m.UserHash = n("é", 256) }, nil},
		{"userHash 257", func(m *fingerprint.Machine, _ *Update, _ *string) { m.UserHash = n("é", 257) }, []string{"userHash"}},

		{"productId empty", func(_ *fingerprint.Machine, _ *Update, p *string) { *p = "" }, []string{"productId"}},
		{"productId 256", func(_ *fingerprint.Machine, _ *Update, p *string) { *p = n("é", 256) }, nil},
		{"productId 257", func(_ *fingerprint.Machine, _ *Update, p *string) { *p = n("é", 257) }, []string{"productId"}},

		{"accountId empty", func(_ *fingerprint.Machine, u *Update, _ *string) { u.AccountID = "" }, nil},
		{"accountId 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.AccountID = n("😀", 256) }, nil},
		{"accountId 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.AccountID = n("😀", 257) }, []string{"accountId"}},

		{"releaseVersion x.x", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.0" }, nil},
		{"releaseVersion x.x.x", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "10.20.30" }, nil},
		{"releaseVersion x.x.x.x", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2.3.4" }, nil},
		{"releaseVersion x", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1" }, []string{"releaseVersion"}},
		{"releaseVersion 5 parts", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2.3.4.5" }, []string{"releaseVersion"}},
		{"releaseVersion v prefix", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "v1.2.3" }, []string{"releaseVersion"}},
		{"releaseVersion prerelease", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2.3-rc.1" }, []string{"releaseVersion"}},
		{"releaseVersion build", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2.3+abc" }, []string{"releaseVersion"}},
		{"releaseVersion space", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2.3 " }, []string{"releaseVersion"}},
		{"releaseVersion empty part", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1..3" }, []string{"releaseVersion"}},
		{"releaseVersion trailing dot", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "1.2." }, []string{"releaseVersion"}},
		{"releaseVersion leading dot", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = ".1.2" }, []string{"releaseVersion"}},
		{"releaseVersion arabic-indic digits", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "١.٢" }, []string{"releaseVersion"}},
		{"releaseVersion fullwidth digits", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = "１.２" }, []string{"releaseVersion"}},
		{"releaseVersion 256 chars", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = n("1", 254) + ".1" }, nil},
		{"releaseVersion 257 chars", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseVersion = n("1", 255) + ".1" }, []string{"releaseVersion"}},

		{"releaseChannel 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseChannel = n("é", 256) }, nil},
		{"releaseChannel 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleaseChannel = n("é", 257) }, []string{"releaseChannel"}},
		{"releasePlatform 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleasePlatform = n("😀", 256) }, nil},
		{"releasePlatform 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.ReleasePlatform = n("😀", 257) }, []string{"releasePlatform"}},

		{"releasePublishedAt year 9999", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.ReleasePublishedAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		}, nil},
		{"releasePublishedAt year 10000", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.ReleasePublishedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		}, []string{"releasePublishedAt"}},
		{"releasePublishedAt year 0", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.ReleasePublishedAt = time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC)
		}, []string{"releasePublishedAt"}},

		{"key empty", func(_ *fingerprint.Machine, u *Update, _ *string) { u.Key = "" }, []string{"key"}},
		{"key 1 multibyte", func(_ *fingerprint.Machine, u *Update, _ *string) { u.Key = "é" }, nil},
		{"key 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.Key = n("é", 256) }, nil},
		{"key 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.Key = n("é", 257) }, []string{"key"}},
		{"key invalid utf-8", func(_ *fingerprint.Machine, u *Update, _ *string) { u.Key = "ab\xffcd" }, []string{"key"}},

		{"userId 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.UserID = n("é", 256) }, nil},
		{"userId 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.UserID = n("é", 257) }, []string{"userId"}},

		{"leaseDuration -1", func(_ *fingerprint.Machine, u *Update, _ *string) { u.LeaseDuration = Int64(-1) }, nil},
		{"leaseDuration 0", func(_ *fingerprint.Machine, u *Update, _ *string) { u.LeaseDuration = Int64(0) }, nil},
		{"leaseDuration max", func(_ *fingerprint.Machine, u *Update, _ *string) { u.LeaseDuration = Int64(1<<63 - 1) }, nil},
		{"leaseDuration -2", func(_ *fingerprint.Machine, u *Update, _ *string) { u.LeaseDuration = Int64(-2) }, []string{"leaseDuration"}},
		{"leaseDuration min int64", func(_ *fingerprint.Machine, u *Update, _ *string) { u.LeaseDuration = Int64(-1 << 63) }, []string{"leaseDuration"}},

		{"metadata at limits", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.Metadata = []Metadata{{Key: "é", Value: ""}, {Key: n("é", 256), Value: n("😀", 4096)}}
		}, nil},
		{"metadata past limits", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.Metadata = []Metadata{{Key: "ok", Value: "ok"}, {Key: "", Value: "x"}, {Key: n("é", 257), Value: n("é", 4097)}}
		}, []string{"metadata[1].key", "metadata[2].key", "metadata[2].value"}},

		{"meterAttributes at limits", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.MeterAttributes = []MeterAttribute{{Name: "é", UsesIncrement: -1 << 63}, {Name: n("😀", 256), UsesIncrement: 1<<63 - 1}}
		}, nil},
		{"meterAttributes past limits", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.MeterAttributes = []MeterAttribute{{Name: ""}, {Name: n("é", 257)}}
		}, []string{"meterAttributes[0].name", "meterAttributes[1].name"}},

		{"deviceId lower", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.DeviceID = "4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a"
		}, nil},
		{"deviceId upper", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.DeviceID = "4DE4ADB9-21EE-47E3-AEB4-8CF8ED6C109A"
		}, nil},
		{"deviceId braces", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.DeviceID = "{4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a}"
		}, []string{"deviceId"}},
		{"deviceId no dashes", func(_ *fingerprint.Machine, u *Update, _ *string) { u.DeviceID = "4de4adb921ee47e3aeb48cf8ed6c109a" }, []string{"deviceId"}},
		{"deviceId bad hex", func(_ *fingerprint.Machine, u *Update, _ *string) {
			u.DeviceID = "4de4adb9-21ee-47e3-aeb4-8cf8ed6c109g"
		}, []string{"deviceId"}},

		{"deviceChallenge 256", func(_ *fingerprint.Machine, u *Update, _ *string) { u.DeviceChallenge = n("é", 256) }, nil},
		{"deviceChallenge 257", func(_ *fingerprint.Machine, u *Update, _ *string) { u.DeviceChallenge = n("é", 257) }, []string{"deviceChallenge"}},
		{"deviceChallengeSignature 1024", func(_ *fingerprint.Machine, u *Update, _ *string) { u.DeviceChallengeSignature = n("😀", 1024) }, nil},
		{"deviceChallengeSignature 1025", func(_ *fingerprint.Machine, u *Update, _ *string) { u.DeviceChallengeSignature = n("😀", 1025) }, []string{"deviceChallengeSignature"}},

		{"every problem at once", func(m *fingerprint.Machine, u *Update, p *string) {
			m.OS = "beos"
			m.Hostname = ""
			*p = ""
			u.Key = ""
			u.ReleaseVersion = "v1"
			u.Metadata = []Metadata{{}, {}, {Key: "k", Value: n("a", 4097)}}
		}, []string{"os", "hostname", "productId", "releaseVersion", "key", "metadata[0].key", "metadata[1].key", "metadata[2].value"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, u, p := testMachine(), testUpdate(), testProduct
			tc.mod(&m, &u, &p)
			body, err := EncodeUpdate(p, m, u)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if msg := checkBodyIndependently(body); msg != "" {
					t.Fatalf("accepted body fails the independent check: %s", msg)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("errors.Is(err, ErrInvalidRequest) = false")
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
				if f.Message == "" {
					t.Errorf("%s: empty message", f.Field)
				}
			}
			if !reflect.DeepEqual(got, tc.fields) {
				t.Fatalf("fields = %q, want %q", got, tc.fields)
			}
			if body != nil {
				t.Fatalf("invalid update produced a body")
			}
		})
	}
}

func TestValidationErrorHoldsNoValue(t *testing.T) {
	t.Parallel()
	m := testMachine()
	u := Update{Key: "SECRET-KEY-" + n("x", 300), DeviceChallengeSignature: "SIGNATURE-" + n("y", 2000)}
	_, err := EncodeUpdate(testProduct, m, u)
	if err == nil {
		t.Fatal("want error")
	}
	for _, secret := range []string{"SECRET-KEY", "SIGNATURE-"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %s", err, secret)
		}
	}
}

func TestActivationID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id    string
		valid bool
	}{
		{"", false}, {".", false}, {"..", false}, {"a", true}, {"a/b?c#d", true},
		{n("é", 256), true}, {n("é", 257), false}, {"bad\xff", false},
	} {
		got := validateActivationID(nil, tc.id)
		if (len(got) == 0) != tc.valid {
			t.Errorf("id %q: errors %v, want valid=%v", tc.id, got, tc.valid)
		}
		for _, f := range got {
			if f.Field != "id" {
				t.Errorf("id %q: field %q, want id", tc.id, f.Field)
			}
		}
	}
}

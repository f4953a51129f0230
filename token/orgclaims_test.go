package token

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestOrganizationClaims(t *testing.T) {
	t.Parallel()
	k, _ := keys(t)
	v := verifier(t)
	claims := func(extra map[string]any) *Claims {
		t.Helper()
		c, err := v.Verify(sign(t, with(func(c jwt.MapClaims) {
			for name, val := range extra {
				c[name] = val
			}
		}), jwt.SigningMethodRS256, k), bind)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	when := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

	t.Run("name", func(t *testing.T) {
		for _, tc := range []struct {
			val  any
			want string
			ok   bool
		}{
			{"ACME Ltd", "ACME Ltd", true},
			{map[string]any{"name": "ACME Ltd", "id": "org-1"}, "ACME Ltd", true},
			{"", "", false},
			{nil, "", false},
			{42, "", false},
			{[]string{"ACME"}, "", false},
			{map[string]any{"name": 7}, "", false},
		} {
			if got, ok := claims(map[string]any{"on": tc.val}).OrganizationName(); got != tc.want || ok != tc.ok {
				t.Errorf("on=%v: got %q %v", tc.val, got, tc.ok)
			}
		}
		if _, ok := claims(nil).OrganizationName(); ok {
			t.Error("absent on reads as set")
		}
	})

	t.Run("address", func(t *testing.T) {
		a, ok := claims(map[string]any{"oa": map[string]any{"addressLine1": "1 Main St", "city": "Springfield",
			"postalCode": "12345", "country": "US", "state": 5, "unknown": true}}).OrganizationAddress()
		if !ok || a.AddressLine1 != "1 Main St" || a.City != "Springfield" || a.State != "" ||
			a.String() != "1 Main St, Springfield, 12345, US" {
			t.Errorf("object address: %+v %v (%s)", a, ok, a)
		}
		if a, ok := claims(map[string]any{"oa": "1 Main St, Springfield"}).OrganizationAddress(); !ok || a.Text != "1 Main St, Springfield" || a.String() != a.Text {
			t.Errorf("string address: %+v %v", a, ok)
		}
		for _, bad := range []any{nil, "", 3, []any{"x"}, map[string]any{}, map[string]any{"city": 1}} {
			if a, ok := claims(map[string]any{"oa": bad}).OrganizationAddress(); ok {
				t.Errorf("oa=%v reads as %+v", bad, a)
			}
		}
	})

	t.Run("times", func(t *testing.T) {
		for _, tc := range []struct {
			val any
			ok  bool
		}{
			{when.Unix(), true},
			{float64(when.Unix()), true},
			{"1741064767", true},
			{when.Format(time.RFC3339), true},
			{when.In(time.FixedZone("X", 3600)).Format(time.RFC3339Nano), true},
			{0, false}, {-5, false}, {"", false}, {nil, false}, {true, false}, {1.5, false},
			{"yesterday", false}, {int64(maxUnix) + 1, false}, {map[string]any{"t": 1}, false},
		} {
			c := claims(map[string]any{"lcat": tc.val, "laat": tc.val})
			for name, get := range map[string]func() (time.Time, bool){"lcat": c.LicenseCreatedAt, "laat": c.LicenseActivatedAt} {
				got, ok := get()
				if ok != tc.ok || (ok && !got.Equal(when)) {
					t.Errorf("%s=%v: got %v %v", name, tc.val, got, ok)
				}
			}
		}
		if _, ok := claims(nil).LicenseCreatedAt(); ok {
			t.Error("absent lcat reads as set")
		}
	})
}

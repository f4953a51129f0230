package record

import (
	"testing"
	"time"
)

// TestRecordSealGolden: records are sealed byte for byte as earlier versions sealed them, and
// the envelope is written byte for byte as below (the memo and the default store compare
// stored values as bytes).
func TestRecordSealGolden(t *testing.T) {
	t.Parallel()
	key := SealKey("prod-1", "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12")
	for _, c := range []struct {
		r    Record
		want string
	}{
		{Record{Token: "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl", Key: "LICENSE-KEY-1234", LastSeen: time.Unix(1795694340, 0)},
			`{"v":1,"stamp":7,"record":{"token":"eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl","key":"LICENSE-KEY-1234","seen":1795694340},"seal":"mxLj20pJuQ7bOI2ldCQpCpRl80akODuo8CgmDgQFosY"}`},
		{Record{Token: "a.b.", Key: "ключ"},
			`{"v":1,"stamp":7,"record":{"token":"a.b.","key":"ключ","seen":0},"seal":"Sd0dS3TWLyOcoogt1N7kEytz5IzBxXd8CUVp7FeY0Cw"}`},
	} {
		if got := Encode(c.r, key, 7); got != c.want {
			t.Errorf("Encode = %s\nwant     %s", got, c.want)
		}
		if _, err := Decode(c.want, key); err != nil {
			t.Errorf("Decode(%s): %v", c.want, err)
		}
	}
	if got, want := EncodeTombstone(9), `{"v":1,"stamp":9,"deleted":true}`; got != want {
		t.Errorf("EncodeTombstone = %s, want %s", got, want)
	}
}

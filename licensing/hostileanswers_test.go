package licensing_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// Class: an allocation sized by the input. A hostile (or broken) server's answer, at most
// transport.MaxBody bytes, must not make the SDK allocate many times its size: lists are
// decoded element by element and capped, never pre-sized from the input. The bound is 16x the
// answer (a JSON decode of a 1 MiB answer legitimately costs a few MiB); without the fix the
// first shape cost about 200x. Memory is measured (runtime.MemStats.TotalAlloc), not time.

// fill repeats elem, joined by commas, to make prefix+…+suffix about transport.MaxBody bytes.
func fill(prefix, elem, suffix string) []byte {
	n := (transport.MaxBody - len(prefix) - len(suffix)) / (len(elem) + 1)
	return []byte(prefix + strings.Repeat(elem+",", n-1) + elem + suffix)
}

// nested is a list nested as deep as MaxBody allows: [[[[…]]]].
func nested(prefix, suffix string) []byte {
	n := (transport.MaxBody - len(prefix) - len(suffix)) / 2
	return []byte(prefix + strings.Repeat("[", n) + strings.Repeat("]", n) + suffix)
}

// allocated returns how many bytes f allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestUserLicensesAllocation(t *testing.T) {
	e := signInSetup(t, licensingtest.User{})
	s, err := e.client.SignIn(ctx, licensing.PasswordSignIn{Email: userEmail, Password: userPassword})
	if err != nil {
		t.Fatal(err)
	}
	floor := allocated(func() {
		e.srv.Inject(licensingtest.Fault{Body: []byte(`"` + strings.Repeat("a", transport.MaxBody-2) + `"`)})
		_, _ = s.Licenses(ctx)
	})
	t.Logf("floor: a 1 MiB string answer allocated %d bytes", floor)
	for name, body := range map[string][]byte{
		"empty objects":      fill("[", "{}", "]"),
		"nulls":              fill("[", "null", "]"),
		"numbers":            fill("[", "1", "]"),
		"empty lists":        fill("[", "[]", "]"),
		"deep nesting":       nested("", ""),
		"licenses":           fill("[", `{"key":"k"}`, "]"),
		"licenses, unclosed": fill("[", `{"key":"k"}`, ""),
		"metadata":           fill(`[{"key":"k","metadata":[`, "{}", "]}]"),
		"metadata of nulls":  fill(`[{"key":"k","metadata":[`, "null", "]}]"),
		"metadata items":     fill(`[{"key":"k","metadata":[`, `{"key":"a","value":"b"}`, "]}]"),
	} {
		var err error
		got := allocated(func() {
			e.srv.Inject(licensingtest.Fault{Body: body})
			_, err = s.Licenses(ctx)
		})
		t.Logf("%s: a %d-byte answer allocated %d bytes (%.1fx): %v", name, len(body), got, float64(got)/float64(len(body)), err)
		if !errors.Is(err, licensing.ErrBadResponse) {
			t.Errorf("%s: %v, want ErrBadResponse", name, err)
		}
		if got > 16*uint64(len(body)) {
			t.Errorf("%s: a %d-byte answer allocated %d bytes (%.0fx its size)", name, len(body), got, float64(got)/float64(len(body)))
		}
	}
}

func TestReleaseFilesAllocation(t *testing.T) {
	e := setup(t, licensingtest.License{})
	const head = `{"id":"r","version":"2.0.0",`
	const file = `{"name":"a","url":"https://x.example/a","checksum":"ab"}`
	for name, body := range map[string][]byte{
		"files of empty objects": fill(head+`"files":[`, "{}", "]}"),
		"files of nulls":         fill(head+`"files":[`, "null", "]}"),
		"files of numbers":       fill(head+`"files":[`, "1", "]}"),
		"files":                  fill(head+`"files":[`, file, "]}"),
		"files nested":           nested(head+`"files":`, "}"),
		"platforms":              fill(head+`"platforms":[`, `"a"`, "]}"),
		"platforms of empties":   fill(head+`"platforms":[`, `""`, "]}"),
		"platforms of nulls":     fill(head+`"platforms":[`, `null`, "]}"),
		"unknown member":         fill(head+`"x":[`, "{}", "]}"),
		"deep nesting":           nested("", ""),
	} {
		var rel *licensing.Release
		var err error
		got := allocated(func() {
			e.srv.Inject(licensingtest.Fault{Body: body})
			rel, err = e.client.CheckReleaseUpdate(ctx, licensing.ReleaseQuery{Platform: "linux", Version: "1.0.0"})
		})
		t.Logf("%s: a %d-byte answer allocated %d bytes (%.1fx): %v %v", name, len(body), got, float64(got)/float64(len(body)), rel != nil, err)
		if rel != nil {
			t.Errorf("%s: a release came back", name)
		}
		if got > 16*uint64(len(body)) {
			t.Errorf("%s: a %d-byte answer allocated %d bytes (%.0fx its size)", name, len(body), got, float64(got)/float64(len(body)))
		}
	}
}

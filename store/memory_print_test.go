package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/tollgate-dev/tollgate/store"
)

// appWithStore is an app's struct that keeps a Store in an unexported field, where fmt calls
// no method and prints it by reflection.
type appWithStore struct {
	Name string
	st   store.Store
}

// TestMemoryStoreNeverPrintsValues: a memory store printed itself, or through an app's
// unexported field, with every fmt verb, slog's handlers and encoding/json, shows no value.
func TestMemoryStoreNeverPrintsValues(t *testing.T) {
	t.Parallel()
	const value = "v1:record-with-TOKEN-and-KEY-8f2e"
	st := store.NewMemory()
	if err := st.Save(context.Background(), "activation/p", value); err != nil {
		t.Fatal(err)
	}
	h := appWithStore{Name: "app", st: st}
	var out bytes.Buffer
	for _, v := range []any{st, h, &h} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		for _, hd := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
			slog.New(hd).Info("m", "v", v)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(j)
	}
	for _, s := range []string{value, "TOKEN-and-KEY", fmt.Sprintf("%x", "TOKEN-and-KEY")} {
		if strings.Contains(out.String(), s) {
			t.Fatalf("printed %q:\n%s", s, out.String())
		}
	}
	if got := fmt.Sprint(st); got != "memory store (1 values)" {
		t.Fatalf("Sprint = %q", got)
	}
	if got, err := st.Load(context.Background(), "activation/p"); err != nil || got != value {
		t.Fatalf("Load = %q, %v", got, err)
	}
}

// TestMemoryStorePrintsWhileSaving: printing a memory store while another goroutine saves to
// it never reads its map unlocked (go test -race reports it otherwise), printed itself or
// through an app's unexported field, where a verb fmt deems bad for a pointer (%s, %d, %x)
// makes fmt print the struct by reflection without calling Format.
func TestMemoryStorePrintsWhileSaving(t *testing.T) {
	t.Parallel()
	st := store.NewMemory()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			st.Save(context.Background(), fmt.Sprint("n", i), "v")
		}
	}()
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	for range 200 {
		fmt.Fprintf(&out, "%v %+v %d\n", st, st, st)
		app := appWithStore{Name: "app", st: st}
		for _, verb := range []string{"%v", "%+v", "%s", "%d", "%x"} {
			fmt.Fprintf(&out, verb, app)
		}
		log.Info("m", "store", st, "app", app)
	}
	wg.Wait()
}

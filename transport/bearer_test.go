package transport

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestBearer: Request.Bearer is sent as "Authorization: Bearer", only when set, and the server's
// text never carries it back out.
func TestBearer(t *testing.T) {
	t.Parallel()
	const tok = "access-token-0123456789"
	var got []string
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
		got = append(got, strings.Join(r.Header.Values("Authorization"), ","))
		w.Header().Set("X-Echo", "token "+tok)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"UNAUTHORIZED","message":"bad token ` + strings.ToUpper(tok) + `"}`))
	})
	c := newClient(t, srv.URL)
	_, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v3/me/licenses", Bearer: tok})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("%v", err)
	}
	if strings.Contains(strings.ToLower(err.Error()), tok) || strings.Contains(apiErr.Header.Get("X-Echo"), tok) {
		t.Fatalf("the token came back out: %v %v", err, apiErr.Header)
	}
	if _, err := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/v3/releases/update"}); err == nil {
		t.Fatal("want the 401")
	}
	if len(got) != 2 || got[0] != "Bearer "+tok || got[1] != "" {
		t.Fatalf("Authorization headers sent: %q", got)
	}
}

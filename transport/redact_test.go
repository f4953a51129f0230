package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const echoKey = "Echo-Key-4f9c-SECRET"

// leaks reports where, in any letter case, s holds the secret.
func leaks(s, secret string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(secret))
}

// printed is every way a caller might print err.
func printed(err error) string {
	return fmt.Sprintf("%s\n%v\n%+v\n%#v\n%q", err.Error(), err, err, err, err)
}

// TestSecretsRedactedWhereServerTextEnters: a server that echoes the request's license key in
// every part of its error answer, in any letter case, split by invisible characters, never gets
// it into the error (any field, any verb) or a log line. Each echo is one case of the class
// "server text that repeats a request's secret".
func TestSecretsRedactedWhereServerTextEnters(t *testing.T) {
	echoes := map[string]func(w http.ResponseWriter){
		"message": func(w http.ResponseWriter) {
			io.WriteString(w, `{"code":"INVALID_LICENSE_KEY","message":"License key `+echoKey+` is invalid."}`)
		},
		"message, lowercased": func(w http.ResponseWriter) {
			io.WriteString(w, `{"code":"X","message":"key `+strings.ToLower(echoKey)+`"}`)
		},
		"code, uppercased": func(w http.ResponseWriter) {
			io.WriteString(w, `{"code":"`+strings.ToUpper(echoKey)+`","message":"m"}`)
		},
		"reasonPhrase": func(w http.ResponseWriter) {
			io.WriteString(w, `{"code":"X","message":"m","reasonPhrase":"bad `+echoKey+`"}`)
		},
		"split by a zero-width space and a control character": func(w http.ResponseWriter) {
			io.WriteString(w, `{"code":"X","message":"`+echoKey[:4]+`\u200b`+echoKey[4:9]+`\u0007`+echoKey[9:]+`"}`)
		},
		"kept header value and request id": func(w http.ResponseWriter) {
			w.Header().Set("X-Echo", "key="+strings.ToUpper(echoKey))
			w.Header().Set("X-Request-Id", echoKey)
			io.WriteString(w, `{"code":"X","message":"m"}`)
		},
		"header value split by a zero-width space": func(w http.ResponseWriter) {
			w.Header().Set("X-Echo", echoKey[:5]+"\u200b"+echoKey[5:])
			io.WriteString(w, `{"code":"X","message":"m"}`)
		},
		"header name": func(w http.ResponseWriter) {
			w.Header().Set("X-"+echoKey, "1")
			io.WriteString(w, `{"code":"X","message":"m"}`)
		},
		"body that is not JSON (not kept)": func(w http.ResponseWriter) { io.WriteString(w, "<html>"+echoKey+"</html>") },
	}
	for name, echo := range echoes {
		for _, status := range []int{400, 409, 500, 503} {
			for _, unrepeatable := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/unrepeatable=%v", name, status, unrepeatable), func(t *testing.T) {
					t.Parallel()
					srv, _ := server(t, func(w http.ResponseWriter, r *http.Request, try int) {
						w.Header().Set("Content-Type", "application/json")
						var b bytes.Buffer
						echo(&headerWriter{h: w.Header(), body: &b})
						w.WriteHeader(status)
						w.Write(b.Bytes())
					})
					var logs bytes.Buffer
					c := newClient(t, srv.URL, func(cfg *Config) {
						cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
					})
					req := patch(unrepeatable)
					req.Secrets = []string{echoKey}
					_, err := c.Do(context.Background(), req)
					if err == nil {
						t.Fatal("no error")
					}
					var apiErr *APIError
					var notAPI *StatusError
					if strings.HasPrefix(name, "body") && status < 500 {
						// A 4xx that is not the API's JSON error is no verdict of the API.
						if errors.As(err, &apiErr) || !errors.As(err, &notAPI) || notAPI.StatusCode != status {
							t.Fatalf("want a *StatusError and no *APIError, got %v", err)
						}
						apiErr = &APIError{Header: notAPI.Header, Message: notAPI.ContentType}
					} else if !errors.As(err, &apiErr) {
						t.Fatalf("no *APIError in %v", err)
					}
					if unrepeatable && status >= 500 && !errors.Is(err, ErrOutcomeUnknown) {
						t.Errorf("want ErrOutcomeUnknown, got %v", err)
					}
					all := printed(err) + printed(apiErr) + fmt.Sprintf("%#v %v", *apiErr, apiErr.Header) +
						apiErr.Code + apiErr.Message + apiErr.ReasonPhrase + apiErr.RequestID + logs.String()
					if leaks(visible(all, len(all)), echoKey) {
						t.Fatalf("the key leaks:\n%s", all)
					}
					if !strings.Contains(all, Redacted) && !strings.HasPrefix(name, "header name") && !strings.HasPrefix(name, "body") {
						t.Errorf("nothing was redacted, so the echo was lost some other way:\n%s", all)
					}
				})
			}
		}
	}
}

// headerWriter collects what an echo writes.
type headerWriter struct {
	h    http.Header
	body *bytes.Buffer
}

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
func (w *headerWriter) WriteHeader(int)             {}

// TestSecretsRedactedFromNetworkErrors: Go's HTTP client quotes a malformed answer's bytes in
// its error, so a server (or a box in the middle) can put the key there too: the error and the
// retry log line must not show it.
func TestSecretsRedactedFromNetworkErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 4096)
			conn.Read(buf)
			io.WriteString(conn, "HTTP/1.1 "+strings.ToLower(echoKey)+"\r\nContent-Length: 0\r\n\r\n")
			conn.Close()
		}
	}()
	defer func() { ln.Close(); <-done }()
	var logs bytes.Buffer
	c := newClient(t, "http://"+ln.Addr().String(), func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	for _, unrepeatable := range []bool{false, true} {
		req := patch(unrepeatable)
		req.Secrets = []string{echoKey}
		_, err := c.Do(context.Background(), req)
		if err == nil {
			t.Fatal("no error")
		}
		if !strings.Contains(err.Error(), "malformed") {
			t.Fatalf("the test no longer reaches Go's malformed-answer error: %v", err)
		}
		if all := printed(err) + logs.String(); leaks(all, echoKey) {
			t.Fatalf("the key leaks:\n%s", all)
		}
	}
}

// TestRedactedErrorKeepsContext: a redacted network error still matches the ctx error that
// ended the request.
func TestRedactedErrorKeepsContext(t *testing.T) {
	r := newRedactor([]string{echoKey})
	err := r.err(fmt.Errorf("dial %s: %w", echoKey, context.DeadlineExceeded))
	if leaks(printed(err), echoKey) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	plain := errors.New("no secret here")
	if r.err(plain) != plain {
		t.Fatal("an error without the secret must be returned as is")
	}
}

func TestReplaceFold(t *testing.T) {
	for _, c := range []struct{ s, sec, want string }{
		{"a KEY-abcd b", "key-ABCD", "a [redacted] b"},
		{"KEY-ABCDKEY-ABCD", "key-abcd", "[redacted][redacted]"},
		{"Straße-ǅ-Σ1", "STRASSE-ǆ-σ1", "Straße-ǅ-Σ1"}, // ß does not fold to SS: simple folding only
		{"strasse-ǅ-Σ1", "STRASSE-ǆ-σ1", "[redacted]"},
		{"K-abcd", "k-abcd", "[redacted]"}, // Kelvin sign folds to k
		{"no match", "key-abcd", "no match"},
		{"key-abc", "key-abcd", "key-abc"},
	} {
		if got := replaceFold(c.s, c.sec); got != c.want {
			t.Errorf("replaceFold(%q, %q) = %q, want %q", c.s, c.sec, got, c.want)
		}
	}
	// A short value is not a secret worth blanking ordinary words for.
	if got := newRedactor([]string{"abc", ""}).text("abc", 10); got != "abc" {
		t.Errorf("got %q", got)
	}
}

// TestRedactCutKeepsNoPartOfASecret: a message cut to its bound must not end in the first part
// of a secret that the cut split.
func TestRedactCutKeepsNoPartOfASecret(t *testing.T) {
	r := newRedactor([]string{echoKey})
	msg := strings.Repeat("x", 505) + echoKey
	got := r.text(msg, 512)
	if strings.Contains(got, echoKey[:7]) {
		t.Fatalf("part of the secret survives the cut: %q", got)
	}
}

// BenchmarkRedactHostile is a body built to make the case-insensitive search slow: the work is
// bounded by the kept length plus the secret's, not by the body.
func BenchmarkRedactHostile(b *testing.B) {
	sec := strings.Repeat("a", 255) + "b"
	body := []byte(`{"message":"` + strings.Repeat("A", 60<<10) + `"}`)
	r := newRedactor([]string{sec})
	for b.Loop() {
		decodeAPIError(500, http.Header{}, body, r)
	}
}

// TestVisible: invisible characters go and the text is cut at max runes, whether or not a copy
// is needed; text with nothing to drop or cut is returned as it came.
func TestVisible(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain text", 100, "plain text"},
		{"plain text", 10, "plain text"},
		{"plain text", 5, "plain…"},
		{"zero\u200bwidth", 100, "zerowidth"},
		{"bell\a and tab\t", 100, "bell and tab"},
		{"del\x7f", 100, "del"},
		{"c1\u0085 bidi\u202e", 100, "c1 bidi"},
		{"bad\xffutf8", 100, "badutf8"},
		{"repl\ufffdchar", 100, "replchar"},
		{"ünïcödé", 3, "ünï…"},
		{"ab\u200bcdef", 3, "abc…"},
		{"", 3, ""},
	} {
		if got := visible(c.in, c.max); got != c.want {
			t.Errorf("visible(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// TestReadBody: the body is read whole whatever the Content-Length claims (exact, short, long,
// absurd or unknown), never past MaxBody+1 bytes, and a read error is returned.
func TestReadBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 3000)
	for _, length := range []int64{3000, 0, 10, 2999, 3001, 1 << 40, -1} {
		b, err := readBody(strings.NewReader(body), length)
		if err != nil || string(b) != body {
			t.Errorf("Content-Length %d: %d bytes, %v", length, len(b), err)
		}
		if length == 3000 && cap(b) != 3001 {
			t.Errorf("Content-Length 3000: a buffer of %d bytes, want one of 3001", cap(b))
		}
		if cap(b) > maxPresize+len(body) {
			t.Errorf("Content-Length %d: a buffer of %d bytes", length, cap(b))
		}
	}
	big := strings.Repeat("y", MaxBody+10)
	if b, err := readBody(strings.NewReader(big), int64(len(big))); err != nil || len(b) != MaxBody+1 {
		t.Errorf("an oversized body: %d bytes, %v", len(b), err)
	}
	boom := errors.New("connection reset")
	if _, err := readBody(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 100); !errors.Is(err, boom) {
		t.Errorf("a read error: %v", err)
	}
}

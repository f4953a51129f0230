package licensing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/tollgate-dev/tollgate/internal/redact/redacttest"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/transport"
)

// The canary harness: every public method of *licensing.Client, every row of the fault matrix
// and every server error, against a fake server that echoes a distinctive license key back in
// every way a server might. Everything the SDK hands back or logs is printed every way a caller
// might, and must hold neither the key (in any letter case, nor in any spelling of
// internal/redact/redacttest: full width, separators removed, reversed, URL, HTML, base64,
// hex, a long prefix, ...) nor any token the server issued.
//
// It can fail, and did in scratch runs: without Deactivate's Request.Secrets, with reasonPhrase
// left unredacted, without Activate's Secrets, or with Activation.Token a plain string, dozens
// of its subtests fail. Methods added to Client later are called too, through reflection: a new request
// that forgets its Secrets fails here.

// canaryKey is the license key; no text holds it by chance.
const canaryKey = "Canary-KEY-5e1f7a9b-Tollgate"

// echoMode is how the canary transport answers.
type echoMode struct {
	name    string
	status  int    // 0 = pass the request to the fake server (its own errors are rewritten)
	code    string // the body's code; "" = the key, uppercased
	header  http.Header
	network bool // fail with a network error that quotes the key, as Go's client does
	// spelling, when set, is what the message, code and reasonPhrase echo instead of the key
	// (see redacttest.Spellings).
	spelling string
}

// serverErrors is every server error the harness plays: each documented code, then each status
// with the key as the code.
func serverErrors() []echoMode {
	var modes []echoMode
	for _, code := range []string{"INVALID_ACTIVATION_FINGERPRINT", "ACTIVATION_LIMIT_REACHED",
		"METER_ATTRIBUTE_USES_LIMIT_REACHED", "AUTHENTICATION_FAILED", "INVALID_PRODUCT_ID", "INVALID_LICENSE_KEY",
		"INVALID_LICENSE_TYPE", "VM_ACTIVATION_NOT_ALLOWED", "CONTAINER_ACTIVATION_NOT_ALLOWED", "REVOKED_LICENSE",
		"COUNTRY_NOT_ALLOWED", "IP_ADDRESS_NOT_ALLOWED", "INVALID_OFFLINE_REQUEST", "TRIAL_NOT_ALLOWED",
		"TRIAL_ACTIVATION_LIMIT_REACHED"} {
		modes = append(modes, echoMode{name: "400 " + code, status: 400, code: code})
	}
	modes = append(modes, echoMode{name: "409 DEACTIVATION_LIMIT_REACHED", status: 409, code: "DEACTIVATION_LIMIT_REACHED"})
	for _, s := range []int{400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504} {
		modes = append(modes, echoMode{name: strconv.Itoa(s) + " with the key as code", status: s})
	}
	modes = append(modes,
		echoMode{name: "429 with Retry-After: 3600", status: 429, header: http.Header{"Retry-After": {"3600"}}},
		echoMode{name: "503 with Retry-After: 0", status: 503, header: http.Header{"Retry-After": {"0"}}},
		echoMode{name: "network error quoting the key", network: true},
		echoMode{name: "the fake server's own answers"},
	)
	return modes
}

// canaryTransport sits between the SDK and the fake server.
type canaryTransport struct {
	base http.RoundTripper
	key  string

	mu     sync.Mutex
	mode   echoMode
	tokens []string // every token the fake server issued
}

func (ct *canaryTransport) setMode(m echoMode) { ct.mu.Lock(); ct.mode = m; ct.mu.Unlock() }

func (ct *canaryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.mu.Lock()
	m := ct.mode
	ct.mu.Unlock()
	if m.network {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("net/http: HTTP/1.x transport connection broken: malformed HTTP status code %q", strings.ToLower(ct.key)+spelled(ct.key))
	}
	if m.status != 0 {
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		return ct.echo(r, m.status, m.code, m.header), nil
	}
	resp, err := ct.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rerr != nil {
		return nil, rerr
	}
	if resp.StatusCode >= 400 {
		var wire struct{ Code string }
		json.Unmarshal(b, &wire)
		echoed := ct.echo(r, resp.StatusCode, wire.Code, resp.Header)
		return echoed, nil
	}
	var tok struct{ ActivationToken, TrialActivationToken string }
	if json.Unmarshal(b, &tok) == nil {
		ct.mu.Lock()
		for _, t := range []string{tok.ActivationToken, tok.TrialActivationToken} {
			if t != "" {
				ct.tokens = append(ct.tokens, t)
			}
		}
		ct.mu.Unlock()
	}
	ct.echoHeaders(resp.Header)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// echoHeaders puts the key in headers: as is, lowercased, and in a header's name, and in
// every spelling of redacttest, one header each.
func (ct *canaryTransport) echoHeaders(h http.Header) {
	h.Set("X-Echo-Key", ct.key)
	h.Set("X-Request-Id", "req-"+strings.ToLower(ct.key))
	h.Set("X-"+ct.key, "1")
	h.Add("Warning", `199 - "key `+strings.ToUpper(ct.key)+`"`)
	for i, sp := range redacttest.Spellings(ct.key) {
		h.Set(fmt.Sprintf("X-Echo-Spelling-%02d", i), "key="+sp.Text)
	}
}

// spelled is every spelling of key after the first, each after " / ".
func spelled(key string) string {
	var b strings.Builder
	for _, sp := range redacttest.Spellings(key)[1:] {
		b.WriteString(" / " + sp.Text)
	}
	return b.String()
}

// echo is an error answer that echoes the key everywhere: the message (as is, lowercased,
// uppercased, and split by a zero-width space), reasonPhrase, the code when code is "", the
// headers and the status line.
func (ct *canaryTransport) echo(r *http.Request, status int, code string, extra http.Header) *http.Response {
	if code == "" {
		code = strings.ToUpper(ct.key)
	}
	k := ct.key
	msg := "key " + k + " / " + strings.ToLower(k) + " / " + strings.ToUpper(k) + " / " + k[:6] + "\u200b" + k[6:]
	reason := "Refused: " + k
	ct.mu.Lock()
	sp := ct.mode.spelling
	ct.mu.Unlock()
	if sp != "" {
		code, msg, reason = sp, "key "+sp+" is invalid", "Refused: "+sp
	}
	body, _ := json.Marshal(map[string]string{"code": code, "message": msg, "reasonPhrase": reason})
	h := http.Header{"Content-Type": {"application/json"}}
	for name, vs := range extra {
		if name != "Content-Length" {
			h[name] = vs
		}
	}
	ct.echoHeaders(h)
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + k, Header: h, Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}
}

// fanout sends each record to every handler: text and JSON print values differently.
type fanout []slog.Handler

func (f fanout) Enabled(context.Context, slog.Level) bool { return true }
func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		h.Handle(ctx, r.Clone())
	}
	return nil
}
func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	var g fanout
	for _, h := range f {
		g = append(g, h.WithAttrs(as))
	}
	return g
}
func (f fanout) WithGroup(n string) slog.Handler {
	var g fanout
	for _, h := range f {
		g = append(g, h.WithGroup(n))
	}
	return g
}

// sink collects everything printed.
type sink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *sink) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }

func (s *sink) logger() *slog.Logger {
	o := &slog.HandlerOptions{Level: slog.LevelDebug}
	return slog.New(fanout{slog.NewTextHandler(s, o), slog.NewJSONHandler(s, o)})
}

// err prints err every way, and the details errors.As finds in it.
func (s *sink) err(err error) {
	if err == nil {
		return
	}
	fmt.Fprintf(s, "%s\n%v\n%+v\n%#v\n", err.Error(), err, err, err)
	var apiErr *licensing.APIError
	if errors.As(err, &apiErr) {
		fmt.Fprintf(s, "%#v\n%+v\n", *apiErr, apiErr.Header)
	}
	var rl *licensing.RateLimitError
	if errors.As(err, &rl) {
		fmt.Fprintf(s, "%#v\n", *rl)
	}
	var ve *licensing.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(s, "%#v\n", *ve)
	}
	s.logger().Error("canary", "err", err)
}

// value prints v with every fmt verb, both slog handlers and encoding/json; a pointer is
// printed as the value it points to as well.
func (s *sink) value(v any) {
	vals := []any{v}
	// What a caller can dereference: an exported type other than Client, which holds a mutex
	// (go vet reports a copy).
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Type() != reflect.TypeFor[*licensing.Client]() &&
		rv.Elem().Type().Name() != "" && unicode.IsUpper(rune(rv.Elem().Type().Name()[0])) {
		vals = append(vals, rv.Elem().Interface())
	}
	for _, v := range vals {
		io.WriteString(s, everyVerb(v))
		s.logger().Info("canary", "value", v)
		if j, err := json.Marshal(v); err == nil {
			s.Write(j)
		}
	}
}

// canaryEnv is a fake server with a license of canaryKey, a cached activation, and a client
// whose transport is the canary's and whose logger writes to the sink.
func canaryEnv(t *testing.T, s *sink) (*env, *canaryTransport) {
	t.Helper()
	e := setup(t, licensingtest.License{Key: canaryKey, Meters: map[string]int64{"m": 100}})
	ct := &canaryTransport{base: e.srv.Client().Transport, key: canaryKey}
	c, err := licensing.New(licensing.Config{
		ProductID: e.srv.ProductID, PublicKey: e.srv.PublicKey, BaseURL: e.srv.URL, Store: e.st, Machine: &e.m,
		Now: e.now.Now, HTTPClient: &http.Client{Transport: ct}, Logger: s.logger(),
		Retry: transport.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	e.client = c
	if _, err := c.UpdateActivation(ctx, e.id, licensing.Update{Key: canaryKey}); err != nil {
		t.Fatal(err)
	}
	return e, ct
}

// assertClean fails when what the sink collected holds the key or a token.
func assertClean(t *testing.T, s *sink, tokens []string) {
	t.Helper()
	// Invisible characters are dropped first: a secret split by them still prints as itself.
	out := strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && r != '\n' {
			return -1
		}
		return r
	}, s.b.String())
	secrets := []string{canaryKey}
	if sp, ok := redacttest.Leaked(out, redacttest.Spellings(canaryKey)); ok {
		i := strings.Index(strings.ToLower(out), strings.ToLower(sp.Text))
		t.Fatalf("leaked the key %s (%q):\n…%s…", sp.Name, sp.Text, out[max(0, i-300):min(len(out), i+len(sp.Text)+100)])
	}
	for _, tok := range tokens {
		secrets = append(secrets, tok)
		for _, part := range strings.Split(tok, ".")[1:] { // the payload and the signature
			if len(part) >= 40 {
				secrets = append(secrets, part[:40])
			}
		}
	}
	for _, sec := range secrets {
		if i := strings.Index(strings.ToLower(out), strings.ToLower(sec)); i >= 0 {
			t.Fatalf("leaked %q:\n…%s…", sec, out[max(0, i-300):min(len(out), i+len(sec)+100)])
		}
	}
	if !strings.Contains(out, "canary") {
		t.Fatal("the sink collected nothing: the harness checks nothing")
	}
}

// call runs one public method with arguments built from its signature: ctx, the activation id
// for a string, a request struct whose Key is the canary key (and, with increments, whose
// MeterAttributes count a use), and a func that prints what it is given. It returns false for a
// method whose arguments it cannot build.
func call(s *sink, c *licensing.Client, m reflect.Method, id string, increments bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	ft := m.Type
	args := []reflect.Value{reflect.ValueOf(c)}
	for i := 1; i < ft.NumIn(); i++ {
		in := ft.In(i)
		switch {
		case in == reflect.TypeFor[context.Context]():
			args = append(args, reflect.ValueOf(ctx))
		case in.Kind() == reflect.String:
			args = append(args, reflect.ValueOf(id).Convert(in))
		case in.Kind() == reflect.Struct:
			args = append(args, request(in, increments))
		case in.Kind() == reflect.Pointer && in.Elem().Kind() == reflect.Struct:
			p := reflect.New(in.Elem())
			p.Elem().Set(request(in.Elem(), increments))
			args = append(args, p)
		case in.Kind() == reflect.Func:
			args = append(args, reflect.MakeFunc(in, func(a []reflect.Value) []reflect.Value {
				for _, v := range a {
					printResult(s, v)
				}
				out := make([]reflect.Value, in.NumOut())
				for j := range out {
					out[j] = reflect.Zero(in.Out(j))
				}
				return out
			}))
		case in.Kind() == reflect.Interface:
			return false
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	for _, r := range m.Func.Call(args) {
		printResult(s, r)
	}
	return true
}

// request is a zero request struct of type t with the canary key and, with increments, a meter
// increment.
func request(t reflect.Type, increments bool) reflect.Value {
	v := reflect.New(t).Elem()
	if f := v.FieldByName("Key"); f.IsValid() && f.Kind() == reflect.String {
		f.SetString(canaryKey)
	}
	if f := v.FieldByName("MeterAttributes"); increments && f.IsValid() && f.Kind() == reflect.Slice {
		f.Set(reflect.ValueOf([]licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}).Convert(f.Type()))
	}
	return v
}

func printResult(s *sink, v reflect.Value) {
	if !v.IsValid() || (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
		return
	}
	if err, ok := v.Interface().(error); ok {
		s.err(err)
		return
	}
	s.value(v.Interface())
}

// TestCanaryEveryMethodEveryServerError runs every public method of *Client under every server
// error, with and without meter increments.
func TestCanaryEveryMethodEveryServerError(t *testing.T) {
	t.Parallel()
	ct := reflect.TypeFor[*licensing.Client]()
	for _, mode := range serverErrors() {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			called, redacted := map[string]bool{}, false
			defer func() {
				for _, m := range []string{"Activate", "Deactivate", "UpdateActivation", "Validate", "Watch"} {
					if !called[m] && !t.Failed() {
						t.Errorf("the harness never called %s", m)
					}
				}
				if (mode.status != 0 || mode.network) && !redacted && !t.Failed() {
					t.Error("no echo reached the redaction: the harness tests nothing here")
				}
			}()
			for i := 0; i < ct.NumMethod(); i++ {
				m := ct.Method(i)
				// Each method runs with the activation cached and with nothing cached (Activate
				// sends a request only then), and, where it takes meter attributes, with an
				// increment (an unrepeatable request) too.
				for _, v := range []struct{ inc, empty bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
					if v.inc && !takesMeters(m) {
						continue
					}
					s := &sink{}
					e, tr := canaryEnv(t, s)
					if v.empty {
						if err := e.client.ClearCache(ctx); err != nil {
							t.Fatal(err)
						}
					}
					if v.empty && !takesKey(m) {
						// Nothing cached and no key in the request (a trial, a release check):
						// the client holds no key, so the server can echo only text the client
						// never had. Echo another value, which nothing can redact.
						tr.key = "server-side-text-0f3c"
					}
					tr.setMode(mode)
					if !call(s, e.client, m, e.id, v.inc) {
						if !v.inc && !v.empty && mode.name == "the fake server's own answers" {
							t.Logf("%s: arguments not buildable; the client is printed through fmt instead", m.Name)
						}
						continue
					}
					called[m.Name] = true
					s.value(e.client)
					s.value(e.st)
					redacted = redacted || strings.Contains(s.b.String(), transport.Redacted)
					tr.mu.Lock()
					tokens := tr.tokens
					tr.mu.Unlock()
					assertClean(t, s, tokens)
				}
			}
		})
	}
}

// TestCanaryEverySpelling is the class "the key echoed in a spelling literal matching
// misses": every public method, with the activation cached and with nothing cached, against a
// server whose error answers spell the key each way of redacttest.Spellings (dashes removed,
// spaces, full width, reversed, URL, HTML, base64, hex, its first 20 of 27 characters, ...) in
// the code, message and reasonPhrase, and every spelling in its headers.
func TestCanaryEverySpelling(t *testing.T) {
	t.Parallel()
	ct := reflect.TypeFor[*licensing.Client]()
	for _, sp := range redacttest.Spellings(canaryKey) {
		t.Run(sp.Name, func(t *testing.T) {
			t.Parallel()
			mode := echoMode{name: sp.Name, status: 400, spelling: sp.Text}
			redacted := false
			for i := 0; i < ct.NumMethod(); i++ {
				m := ct.Method(i)
				for _, empty := range []bool{false, true} {
					if empty && !takesKey(m) {
						continue
					}
					s := &sink{}
					e, tr := canaryEnv(t, s)
					if empty {
						if err := e.client.ClearCache(ctx); err != nil {
							t.Fatal(err)
						}
					}
					tr.setMode(mode)
					if !call(s, e.client, m, e.id, false) {
						continue
					}
					s.value(e.client)
					redacted = redacted || strings.Contains(s.b.String(), transport.Redacted)
					tr.mu.Lock()
					tokens := tr.tokens
					tr.mu.Unlock()
					assertClean(t, s, tokens)
				}
			}
			if !redacted && !t.Failed() {
				t.Error("no echo reached the redaction: the harness tests nothing here")
			}
		})
	}
}

// takesKey reports whether a method takes a request with a license key.
func takesKey(m reflect.Method) bool {
	for i := 1; i < m.Type.NumIn(); i++ {
		in := m.Type.In(i)
		if in.Kind() == reflect.Pointer {
			in = in.Elem()
		}
		if in.Kind() == reflect.Struct {
			if _, ok := in.FieldByName("Key"); ok {
				return true
			}
		}
	}
	return false
}

// takesMeters reports whether a method takes a request with meter attributes.
func takesMeters(m reflect.Method) bool {
	for i := 1; i < m.Type.NumIn(); i++ {
		in := m.Type.In(i)
		if in.Kind() == reflect.Pointer {
			in = in.Elem()
		}
		if in.Kind() == reflect.Struct {
			if _, ok := in.FieldByName("MeterAttributes"); ok {
				return true
			}
		}
	}
	return false
}

// TestCanaryFaultMatrix runs every row of the fault matrix with the canary key, every error
// answer of the fake server rewritten to echo it.
func TestCanaryFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, row := range faultRows() {
		if row.fault == "keychain hangs" {
			continue // no server text; and its hung keychain is released by TestFaultMatrix alone
		}
		name := row.fault
		if row.increments {
			name += ", with increments"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := &sink{}
			e, tr := canaryEnv(t, s)
			row.setup(t, e)
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if row.ctx != nil {
				ctx, cancel = row.ctx()
			}
			defer cancel()
			u := licensing.Update{Key: canaryKey}
			if row.increments {
				u.MeterAttributes = []licensing.MeterAttribute{{Name: "m", UsesIncrement: 1}}
			}
			act, err := e.client.UpdateActivation(ctx, e.id, u)
			s.err(err)
			if act != nil {
				s.value(act)
			}
			a2, err := e.client.Validate(context.Background())
			s.err(err)
			if a2 != nil {
				s.value(a2)
			}
			s.err(e.client.Deactivate(context.Background()))
			tr.mu.Lock()
			tokens := tr.tokens
			tr.mu.Unlock()
			if tok, ok := e.srv.Token(e.id); ok {
				tokens = append(tokens, tok)
			}
			assertClean(t, s, tokens)
		})
	}
}

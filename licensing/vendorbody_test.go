package licensing

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/licensingtest"
	"github.com/tollgate-dev/tollgate/store"
)

// The activation and trial bodies carry what the vendor's client sends where the app set it:
// accountId always ("" included), leaseDuration exactly when not nil (0 and -1 included), a
// named user's email and password when set, the trial's appVersion when set; and each passes
// licensingtest's checker, written apart from this package's validator.
func TestActivationAndTrialBodiesCarryTheVendorFields(t *testing.T) {
	t.Parallel()
	vm := testMachine()
	for _, tc := range []struct {
		name    string
		body    []byte
		trial   bool
		present map[string]string // member: its JSON value
		absent  []string
	}{
		{"bare activation", activateBody(testProduct, &vm, &ActivationRequest{Key: "K"}), false,
			map[string]string{"accountId": `""`}, []string{"leaseDuration", "email", "password", "appVersion", "metadata"}},
		{"lease 0 (unlimited) is sent", activateBody(testProduct, &vm, &ActivationRequest{Key: "K", LeaseDuration: Int64(0)}), false,
			map[string]string{"leaseDuration": "0"}, nil},
		{"lease -1 is sent", activateBody(testProduct, &vm, &ActivationRequest{Key: "K", LeaseDuration: Int64(-1)}), false,
			map[string]string{"leaseDuration": "-1"}, nil},
		{"lease 3600, account", activateBody(testProduct, &vm, &ActivationRequest{Key: "K", AccountID: "acct-9", LeaseDuration: Int64(3600)}), false,
			map[string]string{"leaseDuration": "3600", "accountId": `"acct-9"`}, nil},
		{"named user", activateBody(testProduct, &vm, &ActivationRequest{Key: "K", Email: "ada@example.com", Password: "pw é"}), false,
			map[string]string{"email": `"ada@example.com"`, "password": `"pw é"`}, nil},
		{"bare trial", encodeTrial(testProduct, &vm, &TrialRequest{}), true,
			map[string]string{"accountId": `""`}, []string{"appVersion", "metadata", "releaseVersion"}},
		{"trial with an app version", encodeTrial(testProduct, &vm, &TrialRequest{AppVersion: "1.2.3 (build 7)", Metadata: []Metadata{}}), true,
			map[string]string{"appVersion": `"1.2.3 (build 7)"`, "metadata": "[]"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m map[string]json.RawMessage
			if err := json.Unmarshal(tc.body, &m); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.present {
				if string(m[k]) != v {
					t.Errorf("%s = %s, want %s", k, m[k], v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := m[k]; ok {
					t.Errorf("%s sent: %s", k, m[k])
				}
			}
			check := licensingtest.CheckActivationBody
			if tc.trial {
				check = licensingtest.CheckTrialBody
			}
			if p := check(tc.body); len(p) > 0 {
				t.Errorf("licensingtest refuses it: %v", p)
			}
		})
	}
}

// Every problem of the new fields comes at once, in the body's order, and no message repeats
// the value (a password's above all).
func TestActivationFieldRules(t *testing.T) {
	t.Parallel()
	vm := testMachine()
	pw := strings.Repeat("p", 1025)
	r := ActivationRequest{Key: "K", AccountID: strings.Repeat("a", 257), LeaseDuration: Int64(-2),
		Email: strings.Repeat("é", 257), Password: pw}
	got := validateActivation(nil, testProduct, &vm, &r)
	var names []string
	for _, f := range got {
		names = append(names, f.Field)
		if strings.Contains(f.Message, "ppp") || strings.Contains(f.Message, "éé") {
			t.Errorf("%s: the message repeats the value: %s", f.Field, f.Message)
		}
	}
	if strings.Join(names, ",") != "accountId,leaseDuration,email,password" {
		t.Errorf("fields %v", got)
	}
	// At the limits: accepted.
	ok := ActivationRequest{Key: "K", AccountID: strings.Repeat("a", 256), LeaseDuration: Int64(-1),
		Email: strings.Repeat("é", 256), Password: strings.Repeat("p", 1024)}
	if got := validateActivation(nil, testProduct, &vm, &ok); len(got) != 0 {
		t.Errorf("at the limits: %v", got)
	}
	bad := ActivationRequest{Key: "K", Password: "\xff\xfe"}
	if got := validateActivation(nil, testProduct, &vm, &bad); len(got) != 1 || got[0].Field != "password" {
		t.Errorf("invalid UTF-8 password: %v", got)
	}
	tr := TrialRequest{AppVersion: strings.Repeat("v", 257)}
	if got := validateTrial(nil, testProduct, &vm, &tr); len(got) != 1 || got[0].Field != "appVersion" {
		t.Errorf("trial appVersion: %v", got)
	}
	// The request prints and marshals without its password.
	b, err := json.Marshal(r)
	if err != nil || strings.Contains(string(b), pw) {
		t.Errorf("JSON shows the password: %s %v", b, err)
	}
}

// A server that echoes a named user's password has it removed, like the license key.
func TestPasswordEchoIsRedacted(t *testing.T) {
	t.Parallel()
	srv := licensingtest.NewServer()
	defer srv.Close()
	const pw = "Echoed-Password-4417"
	srv.Inject(licensingtest.Fault{Status: 400, Code: "AUTHENTICATION_FAILED", Message: "wrong password " + strings.ToUpper(pw)})
	m := testMachine()
	c, err := New(Config{ProductID: srv.ProductID, PublicKey: srv.PublicKey, BaseURL: srv.URL, Store: store.NewMemory(), Machine: &m})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	_, err = c.Activate(t.Context(), ActivationRequest{Key: srv.AddLicense(licensingtest.License{}), Email: "ada@example.com", Password: pw})
	if !errors.Is(err, ErrAuthenticationFailed) || strings.Contains(strings.ToLower(err.Error()), strings.ToLower(pw)) {
		t.Fatalf("%v", err)
	}
	if body := srv.Requests()[0].Body; !strings.Contains(string(body), `"password":"`+pw+`"`) {
		t.Errorf("the password was not sent: %s", body)
	}
}

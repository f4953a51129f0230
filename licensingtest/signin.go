package licensingtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Users and sign-in: POST /v3/accounts/login, POST /v3/accounts/login-oidc and
// GET /v3/me/licenses, and the credentials a named-user license's activation must carry.
//
// The error codes are the ones package licensing infers (the vendor's client's names without
// "LA_E_"): AUTHENTICATION_FAILED, TWO_FACTOR_AUTHENTICATION_CODE_MISSING,
// TWO_FACTOR_AUTHENTICATION_CODE_INVALID, LOGIN_TEMPORARILY_LOCKED (after LoginLockAfter failed
// attempts, for LoginLockFor, as the vendor's docs say) and AUTHENTICATION_ID_TOKEN_INVALID, each
// with status 400; a missing, empty or unknown access token is 401 UNAUTHORIZED. Inject a
// [Fault] with a Code for any other answer (OIDC_SSO_NOT_ENABLED, USERS_LIMIT_REACHED, 429).

// The sign-in lock, as the vendor's docs give it.
const (
	// LoginLockAfter is how many failed sign-ins in a row lock an e-mail.
	LoginLockAfter = 5
	// LoginLockFor is how long the lock lasts, by the server's clock.
	LoginLockFor = 5 * time.Minute
)

// User is a user of the vendor's customer portal: who may sign in, how, and which licenses are
// theirs.
type User struct {
	Email, Password  string   // the e-mail is compared without regard to case
	SecondFactorCode string   // "" = no second factor; else the one code accepted
	IDTokens         []string // OIDC id tokens that sign this user in
	Licenses         []string // keys of the licenses linked to the user
}

// userState is what the server holds for sign-in; the caller holds mu.
type userState struct {
	users    map[string]*User     // by lower-cased e-mail
	tokens   map[string]string    // access token: lower-cased e-mail
	failures map[string]int       // failed sign-ins since the last success or lock
	locked   map[string]time.Time // locked until
}

func (s *Server) users() *userState {
	if s.userState == nil {
		s.userState = &userState{users: map[string]*User{}, tokens: map[string]string{}, failures: map[string]int{},
			locked: map[string]time.Time{}}
	}
	return s.userState
}

// AddUser adds u, or replaces the user with the same e-mail.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u.IDTokens = slices.Clone(u.IDTokens)
	u.Licenses = slices.Clone(u.Licenses)
	s.users().users[strings.ToLower(u.Email)] = &u
}

// ExpireSessions makes every access token issued so far invalid: GET /v3/me/licenses answers
// 401 for them, as for a token that expired.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users().tokens = map[string]string{}
}

var (
	loginFields = map[string]field{
		"accountId":     {kind: "string", required: true, max: 256},
		"email":         {kind: "string", required: true, min: 1, max: 256},
		"password":      {kind: "string", required: true, min: 1, max: 1024},
		"twoFactorCode": {kind: "string", min: 1, max: 64},
	}
	loginOIDCFields = map[string]field{
		"accountId": {kind: "string", required: true, max: 256},
		"idToken":   {kind: "string", required: true, min: 1, max: 16 << 10},
	}
)

// dispatchUsers serves the sign-in endpoints; ok is false for any other path.
func (s *Server) dispatchUsers(r *http.Request, path string, body []byte) (status int, answer []byte, ok bool) {
	switch path {
	case "/v3/accounts/login", "/v3/accounts/login-oidc":
		if r.Method != http.MethodPost {
			status, answer = errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
			return status, answer, true
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			status, answer = errorBody(http.StatusUnsupportedMediaType, "BAD_REQUEST", "Content-Type must be application/json")
			return status, answer, true
		}
		if path == "/v3/accounts/login" {
			status, answer = s.login(body)
		} else {
			status, answer = s.loginOIDC(body)
		}
	case "/v3/me/licenses":
		status, answer = s.userLicenses(r, body)
	default:
		return 0, nil, false
	}
	return status, answer, true
}

func (s *Server) login(body []byte) (int, []byte) {
	if p := check(body, loginFields); len(p) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", joinProblems(p))
	}
	var w struct {
		Email, Password string
		TwoFactorCode   *string `json:"twoFactorCode"`
	}
	if json.Unmarshal(body, &w) != nil {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "body is not valid JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	us, who, now := s.users(), strings.ToLower(w.Email), s.now()
	if until, ok := us.locked[who]; ok && now.Before(until) {
		return errorBody(http.StatusBadRequest, "LOGIN_TEMPORARILY_LOCKED", "The account is temporarily locked after failed sign-ins.")
	}
	fail := func(code, message string) (int, []byte) {
		if us.failures[who]++; us.failures[who] >= LoginLockAfter {
			us.locked[who], us.failures[who] = now.Add(LoginLockFor), 0
		}
		return errorBody(http.StatusBadRequest, code, message)
	}
	u := us.users[who]
	switch {
	case u == nil || u.Password != w.Password:
		return fail("AUTHENTICATION_FAILED", "Incorrect email or password.")
	case u.SecondFactorCode != "" && w.TwoFactorCode == nil:
		return errorBody(http.StatusBadRequest, "TWO_FACTOR_AUTHENTICATION_CODE_MISSING", "The two-factor authentication code is missing.")
	case u.SecondFactorCode != "" && *w.TwoFactorCode != u.SecondFactorCode:
		return fail("TWO_FACTOR_AUTHENTICATION_CODE_INVALID", "The two-factor authentication code is invalid.")
	}
	delete(us.failures, who)
	return s.signedIn(who)
}

func (s *Server) loginOIDC(body []byte) (int, []byte) {
	if p := check(body, loginOIDCFields); len(p) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", joinProblems(p))
	}
	var w struct{ IDToken string }
	if json.Unmarshal(body, &w) != nil {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "body is not valid JSON")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for who, u := range s.users().users {
		if slices.Contains(u.IDTokens, w.IDToken) {
			return s.signedIn(who)
		}
	}
	return errorBody(http.StatusBadRequest, "AUTHENTICATION_ID_TOKEN_INVALID", "The id token is invalid.")
}

// signedIn issues an access token for the user who; the caller holds mu.
func (s *Server) signedIn(who string) (int, []byte) {
	tok := s.newID("at")
	s.users().tokens[tok] = who
	b, _ := json.Marshal(map[string]string{"accessToken": tok})
	return http.StatusOK, b
}

// userLicenses answers GET /v3/me/licenses?productId=: the signed-in user's licenses of the
// product, in the order the User lists them.
func (s *Server) userLicenses(r *http.Request, body []byte) (int, []byte) {
	if r.Method != http.MethodGet {
		return errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
	}
	if len(body) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "a GET carries no body")
	}
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	who, known := s.users().tokens[tok]
	if !bearer || tok == "" || !known {
		return errorBody(http.StatusUnauthorized, "UNAUTHORIZED", "The access token is missing, invalid or expired.")
	}
	if q, err := url.ParseQuery(r.URL.RawQuery); err != nil || len(q) != 1 || len(q["productId"]) != 1 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "query: want exactly productId")
	}
	product := r.URL.Query().Get("productId")
	list := []map[string]any{}
	u := s.users().users[who]
	for _, key := range u.Licenses {
		lic, ok := s.licenses[key]
		if !ok || product != s.ProductID {
			continue
		}
		allowed := int64(lic.MaxActivations)
		if allowed == 0 {
			allowed = -1
		}
		var total, deactivated int64
		for _, a := range s.activations {
			switch {
			case a.licenseKey != key:
			case a.deactivated:
				deactivated++
			case a.fingerprint != "":
				total++
			}
		}
		list = append(list, map[string]any{"id": lic.ID, "key": lic.Key, "type": lic.Type,
			"allowedActivations": allowed, "allowedDeactivations": -1, "totalActivations": total,
			"totalDeactivations": deactivated, "requireAuthentication": lic.RequireAuthentication,
			"metadata": sortedKV(lic.Metadata)})
	}
	b, _ := json.Marshal(list)
	return http.StatusOK, b
}

// checkNamedUser refuses the activation of a named-user license whose body does not carry the
// e-mail and password of a user linked to it; the caller holds mu.
func (s *Server) checkNamedUser(lic *License, body []byte) (int, []byte) {
	if !lic.RequireAuthentication {
		return 0, nil
	}
	var w struct{ Email, Password *string }
	_ = json.Unmarshal(body, &w)
	u := s.users().users[strings.ToLower(str(w.Email))]
	if u == nil || w.Password == nil || u.Password != *w.Password || !slices.Contains(u.Licenses, lic.Key) {
		return errorBody(http.StatusBadRequest, "AUTHENTICATION_FAILED", "The license requires the credentials of a user linked to it.")
	}
	return 0, nil
}

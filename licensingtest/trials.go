package licensingtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// trialFields are the body of POST /v3/trial-activations and PATCH /v3/trial-activations/{id}
// (documented: the same body for both): the update's machine fields, productId, accountId,
// the release fields and metadata, and appVersion and clientVersion, which the vendor's
// client sends; no key, user, lease, meters or device.
var trialFields = pick(updateFields, pick(vendorFields, nil, "appVersion", "clientVersion"),
	"os", "osVersion", "fingerprint", "vmName", "container", "hostname", "userHash", "productId", "accountId",
	"releaseVersion", "releaseChannel", "releasePlatform", "releasePublishedAt", "metadata")

// CheckTrialBody checks a trial request's body as strictly as [CheckUpdateBody] checks an
// update's, against the trial endpoints' fields. None returned means the body is acceptable.
func CheckTrialBody(body []byte) []string { return check(body, trialFields) }

// DefaultTrialLength is the length of a trial when [TrialPolicy.Length] is 0.
const DefaultTrialLength = 14 * 24 * time.Hour

// TrialPolicy is how the server answers trial requests. The zero value allows one trial per
// machine (fingerprint), of DefaultTrialLength, for any number of machines.
//
// Trial tokens carry aid, pid, fp, os, iat, eat (the trial's end), aco, type "trial" and amd
// (the trial's metadata); no license key. The function of [Server.SetTokenHook] sees their
// claims too, so a test can forge any trial token the server might issue.
type TrialPolicy struct {
	// NotAllowed answers every trial request with 400 TRIAL_NOT_ALLOWED.
	NotAllowed bool
	// Length is how long a new trial runs (eat = creation + Length); 0 = DefaultTrialLength,
	// a negative value makes trials that have already ended.
	Length time.Duration
	// MaxActivations is how many machines may start a trial; more get 400
	// TRIAL_ACTIVATION_LIMIT_REACHED. A machine with a trial always gets it back. 0 = no limit.
	MaxActivations int
	// AllowedClockOffset is the aco claim; 0 means 5 minutes, a negative value means 0.
	AllowedClockOffset time.Duration
	// ActivationTokenKey answers {"activationToken": ...} instead of the inferred
	// {"trialActivationToken": ...}, the other shape the SDK accepts.
	ActivationTokenKey bool
}

// Trial is a snapshot of a trial activation's state, for assertions.
type Trial struct {
	Activation           // the machine's signals, accountId, release fields and metadata, as sent
	ExpiresAt  time.Time // the trial's end (eat)
	Created    time.Time
}

// trial is the server's state of one trial activation.
type trial struct {
	activation
	expiresAt time.Time
}

// trialState is what the server holds for trials and releases.
type trialState struct {
	policy   TrialPolicy
	trials   map[string]*trial // by id
	releases []Release
}

// ext returns the trial and release state; the caller holds mu.
func (s *Server) ext() *trialState {
	if s.trialState == nil {
		s.trialState = &trialState{trials: map[string]*trial{}}
	}
	return s.trialState
}

// SetTrialPolicy sets how later trial requests are answered.
func (s *Server) SetTrialPolicy(p TrialPolicy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ext().policy = p
}

// Trials returns every trial activation, oldest first.
func (s *Server) Trials() []Trial {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Trial, 0, len(s.ext().trials))
	for _, t := range s.ext().trials {
		out = append(out, t.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out
}

// Trial returns a snapshot of the trial activation with id.
func (s *Server) Trial(id string) (Trial, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ext().trials[id]
	if !ok {
		return Trial{}, false
	}
	return t.snapshot(), true
}

// EndTrial ends the trial activation with id now (by the server's clock): the tokens issued
// from then on say so. It reports whether the trial exists.
func (s *Server) EndTrial(id string) bool {
	return s.setTrialEnd(id, func(now time.Time) time.Time { return now.Add(-time.Second) })
}

// ExtendTrial sets the end of the trial activation with id to its creation plus d, as a
// vendor extending a trial does. It reports whether the trial exists.
func (s *Server) ExtendTrial(id string, d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ext().trials[id]
	if ok {
		t.expiresAt = t.created.Add(d)
	}
	return ok
}

func (s *Server) setTrialEnd(id string, end func(now time.Time) time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ext().trials[id]
	if ok {
		t.expiresAt = end(s.now())
	}
	return ok
}

// RemoveTrial deletes a trial activation, as an admin would; later syncs of it get 404.
func (s *Server) RemoveTrial(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ext().trials, id)
}

func (t *trial) snapshot() Trial {
	a := t.activation
	snap := Trial{ExpiresAt: t.expiresAt, Created: a.created, Activation: Activation{
		ID: a.id, Fingerprint: a.fingerprint, OS: a.os, OSVersion: a.osVersion, Hostname: a.hostname,
		UserHash: a.userHash, VMName: a.vmName, Container: a.container, AccountID: a.accountID,
		ReleaseVersion: a.releaseVersion, ReleaseChannel: a.releaseChannel, ReleasePlatform: a.releasePlatform,
		ReleasePublishedAt: a.releasePublishedAt, Metadata: map[string]string{}, MeterUses: map[string]int64{},
		Updates: a.updates,
	}}
	for _, m := range a.metadata {
		snap.Metadata[m.Key] = m.Value
	}
	return snap
}

// dispatchMore serves the trial and release endpoints; ok is false for any other path.
func (s *Server) dispatchMore(r *http.Request, path string, body []byte) (status int, answer []byte, ok bool) {
	switch {
	case path == releaseUpdatePath:
		status, answer = s.releaseUpdate(r, body)
		return status, answer, true
	case strings.HasPrefix(path, "/v3/releases/") && strings.HasSuffix(path, "/allowed"):
		status, answer = s.releaseAllowed(r, strings.TrimSuffix(strings.TrimPrefix(path, "/v3/releases/"), "/allowed"), body)
		return status, answer, true
	case path != "/v3/trial-activations" && !strings.HasPrefix(path, "/v3/trial-activations/"):
		return 0, nil, false
	}
	if ct := r.Header.Get("Content-Type"); len(body) > 0 && !strings.HasPrefix(ct, "application/json") {
		status, answer = errorBody(http.StatusUnsupportedMediaType, "BAD_REQUEST", "Content-Type must be application/json")
		return status, answer, true
	}
	rest := strings.TrimPrefix(path, "/v3/trial-activations")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		status, answer = s.createTrial(body)
	case strings.HasPrefix(rest, "/") && !strings.Contains(rest[1:], "/") && r.Method == http.MethodPatch:
		id, err := url.PathUnescape(rest[1:])
		if err != nil || id == "" {
			status, answer = errorBody(http.StatusNotFound, "NOT_FOUND", "no such trial activation")
		} else {
			status, answer = s.updateTrial(id, body)
		}
	default:
		status, answer = errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
	}
	return status, answer, true
}

// checkTrial applies the product and policy rules; the caller holds mu.
func (s *Server) checkTrial(w *wireUpdate) (int, []byte) {
	switch {
	case str(w.ProductID) != s.ProductID:
		return errorBody(http.StatusBadRequest, "INVALID_PRODUCT_ID", "The product id is invalid.")
	case s.ext().policy.NotAllowed:
		return errorBody(http.StatusBadRequest, "TRIAL_NOT_ALLOWED", "Trials are not allowed for this product.")
	}
	return 0, nil
}

func (s *Server) createTrial(body []byte) (int, []byte) {
	w, st, b := parseBody(body, trialFields)
	if w == nil {
		return st, b
	}
	s.mu.Lock()
	if st, b := s.checkTrial(w); st != 0 {
		s.mu.Unlock()
		return st, b
	}
	ts := s.ext()
	// A machine that has had a trial gets the same one back, with its original end.
	var t *trial
	for _, cand := range ts.trials {
		if cand.fingerprint == str(w.Fingerprint) {
			t = cand
		}
	}
	if t == nil {
		if ts.policy.MaxActivations > 0 && len(ts.trials) >= ts.policy.MaxActivations {
			s.mu.Unlock()
			return errorBody(http.StatusBadRequest, "TRIAL_ACTIVATION_LIMIT_REACHED", "The trial activation limit has been reached.")
		}
		now := s.now()
		length := ts.policy.Length
		if length == 0 {
			length = DefaultTrialLength
		}
		t = &trial{activation: activation{id: s.newID("trial"), uses: map[string]int64{}, created: now}, expiresAt: now.Add(length)}
		ts.trials[t.id] = t
	}
	apply(&t.activation, w)
	t.updated = s.now()
	st, b = s.trialToken(t, http.StatusCreated)
	s.mu.Unlock()
	return st, b
}

func (s *Server) updateTrial(id string, body []byte) (int, []byte) {
	w, st, b := parseBody(body, trialFields)
	if w == nil {
		return st, b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.ext().trials[id]
	if !ok {
		return errorBody(http.StatusNotFound, "TRIAL_ACTIVATION_NOT_FOUND", "The trial activation does not exist.")
	}
	if st, b := s.checkTrial(w); st != 0 {
		return st, b
	}
	if t.fingerprint != str(w.Fingerprint) {
		return errorBody(http.StatusBadRequest, "INVALID_ACTIVATION_FINGERPRINT", "The fingerprint does not match the trial activation.")
	}
	apply(&t.activation, w)
	t.updated = s.now()
	t.updates++
	return s.trialToken(t, http.StatusOK)
}

// trialToken signs t's token and makes the answer; the caller holds mu.
func (s *Server) trialToken(t *trial, status int) (int, []byte) {
	p := s.ext().policy
	aco := p.AllowedClockOffset
	switch {
	case aco == 0:
		aco = defaultClockOffset
	case aco < 0:
		aco = 0
	}
	amd := []map[string]string{}
	for _, m := range t.metadata {
		amd = append(amd, map[string]string{"key": m.Key, "value": m.Value})
	}
	claims := map[string]any{
		"aid": t.id, "pid": s.ProductID, "fp": t.fingerprint, "os": t.os, "iat": s.now().Unix(),
		"eat": t.expiresAt.Unix(), "aco": int64(aco / time.Second), "type": "trial", "amd": amd,
	}
	if s.tokenHook != nil {
		s.tokenHook(claims)
	}
	tok, err := s.Sign(claims)
	if err != nil {
		return errorBody(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
	}
	name := "trialActivationToken"
	if p.ActivationTokenKey {
		name = "activationToken"
	}
	b, _ := json.Marshal(map[string]string{name: tok})
	return status, b
}

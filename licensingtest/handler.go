package licensingtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxRequestBody bounds what the server reads.
const maxRequestBody = 1 << 20

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": message})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Time: time.Now()})
	idx := len(s.requests) - 1
	s.mu.Unlock()
	if err != nil {
		return
	}
	f, faulty := s.nextFault()
	if faulty {
		if f.Delay > 0 {
			ctxWait(r.Context(), f.Delay)
			if r.Context().Err() != nil {
				return
			}
		}
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		switch {
		case f.Drop == DropBeforeApply:
			hangUp(w)
			return
		case f.Status != 0 && (f.Body != nil || f.EmptyBody):
			// Not the API's answer: a proxy's page, an empty body, another service's JSON.
			w.WriteHeader(f.Status)
			_, _ = w.Write(f.Body)
			return
		case f.Status != 0:
			code := f.Code
			if code == "" {
				code = codeFor(f.Status)
			}
			msg := f.Message
			if msg == "" {
				msg = "injected fault: " + http.StatusText(f.Status)
			}
			writeError(w, f.Status, code, msg)
			return
		case f.EmptyBody:
			w.WriteHeader(http.StatusOK)
			return
		case f.Body != nil:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(f.Body)
			return
		}
	}
	if len(body) > maxRequestBody {
		writeError(w, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "request body too large")
		return
	}
	status, answer, applied := s.route(r, body)
	if applied {
		s.mu.Lock()
		s.requests[idx].Applied = true
		s.mu.Unlock()
	}
	if faulty && f.Drop == DropAfterApply {
		hangUp(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// route dispatches a request and returns the answer to write, and whether it changed state.
func (s *Server) route(r *http.Request, body []byte) (int, []byte, bool) {
	st, b := s.dispatch(r, body)
	return st, b, st >= 200 && st <= 299 && r.Method != http.MethodGet
}

func (s *Server) dispatch(r *http.Request, body []byte) (int, []byte) {
	path := r.URL.EscapedPath()
	if st, b, ok := s.dispatchUsers(r, path, body); ok {
		return st, b
	}
	if st, b, ok := s.dispatchMore(r, path, body); ok {
		return st, b
	}
	rest, ok := strings.CutPrefix(path, "/v3/activations")
	if !ok {
		return errorBody(http.StatusNotFound, "NOT_FOUND", "no such endpoint")
	}
	if ct := r.Header.Get("Content-Type"); len(body) > 0 && !strings.HasPrefix(ct, "application/json") {
		return errorBody(http.StatusUnsupportedMediaType, "BAD_REQUEST", "Content-Type must be application/json")
	}
	switch {
	case rest == "" && r.Method == http.MethodPost:
		return s.create(body)
	case strings.HasPrefix(rest, "/"):
		seg := strings.Split(rest[1:], "/")
		id, err := url.PathUnescape(seg[0])
		if err != nil || id == "" {
			return errorBody(http.StatusNotFound, "NOT_FOUND", "no such activation")
		}
		switch {
		case len(seg) == 1 && r.Method == http.MethodPatch:
			return s.update(id, body)
		case len(seg) == 1 && r.Method == http.MethodDelete:
			return s.deleteActivation(id)
		case len(seg) == 2 && seg[1] == "deactivate" && r.Method == http.MethodPost:
			return s.deactivate(id, body)
		}
	}
	return errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
}

func errorBody(status int, code, message string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"code": code, "message": message})
	return status, b
}

func tokenBody(tok string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"activationToken": tok})
	return http.StatusOK, b
}

// wireUpdate is the PATCH body; pointers tell absent fields from zero ones.
type wireUpdate struct {
	OS                 *string `json:"os"`
	OSVersion          *string `json:"osVersion"`
	Fingerprint        *string `json:"fingerprint"`
	VMName             *string `json:"vmName"`
	Container          *bool   `json:"container"`
	Hostname           *string `json:"hostname"`
	UserHash           *string `json:"userHash"`
	ProductID          *string `json:"productId"`
	AccountID          *string `json:"accountId"`
	ReleaseVersion     *string `json:"releaseVersion"`
	ReleaseChannel     *string `json:"releaseChannel"`
	ReleasePlatform    *string `json:"releasePlatform"`
	ReleasePublishedAt *string `json:"releasePublishedAt"`
	AppVersion         *string `json:"appVersion"`
	Key                *string `json:"key"`
	UserID             *string `json:"userId"`
	LeaseDuration      *int64  `json:"leaseDuration"`
	Metadata           *[]kv   `json:"metadata"`
	MeterAttributes    *[]struct {
		Name          string `json:"name"`
		UsesIncrement int64  `json:"usesIncrement"`
	} `json:"meterAttributes"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// checkLicense applies the license rules to a request for key on a machine; the caller holds mu.
func (s *Server) checkLicense(w *wireUpdate) (*License, int, []byte) {
	if str(w.ProductID) != s.ProductID {
		st, b := errorBody(http.StatusBadRequest, "INVALID_PRODUCT_ID", "The product id is invalid.")
		return nil, st, b
	}
	lic, ok := s.licenses[str(w.Key)]
	switch {
	case !ok:
		st, b := errorBody(http.StatusBadRequest, "INVALID_LICENSE_KEY", "The license key is invalid.")
		return nil, st, b
	case lic.Revoked:
		st, b := errorBody(http.StatusBadRequest, "REVOKED_LICENSE", "The license has been revoked.")
		return nil, st, b
	case lic.DenyVM && str(w.VMName) != "", lic.DenyContainer && w.Container != nil && *w.Container:
		st, b := errorBody(http.StatusBadRequest, "VM_ACTIVATION_NOT_ALLOWED", "Activation in a virtual machine or container is not allowed.")
		return nil, st, b
	}
	return lic, 0, nil
}

// applyMeters adds the increments to a's uses, all or none; the caller holds mu.
func (s *Server) applyMeters(lic *License, a *activation, w *wireUpdate) (int, []byte) {
	if w.MeterAttributes == nil {
		return 0, nil
	}
	for _, m := range *w.MeterAttributes {
		allowed, ok := lic.Meters[m.Name]
		if !ok {
			return errorBody(http.StatusBadRequest, "INVALID_METER_ATTRIBUTE", "No meter attribute "+m.Name+" on this license.")
		}
		if m.UsesIncrement > 0 && s.totalUses(lic.Key, m.Name)+m.UsesIncrement > allowed {
			return errorBody(http.StatusBadRequest, "METER_ATTRIBUTE_USES_LIMIT_REACHED", "The meter attribute "+m.Name+" has reached its limit.")
		}
	}
	for _, m := range *w.MeterAttributes {
		a.uses[m.Name] = max(0, a.uses[m.Name]+m.UsesIncrement)
	}
	return 0, nil
}

// parseBody checks body against fields, as strictly as the reference page, and decodes it;
// on a problem it returns the 400 to answer.
func parseBody(body []byte, fields map[string]field) (*wireUpdate, int, []byte) {
	if p := check(body, fields); len(p) > 0 {
		st, b := errorBody(http.StatusBadRequest, "VALIDATION_FAILED", joinProblems(p))
		return nil, st, b
	}
	var w wireUpdate
	if err := json.Unmarshal(body, &w); err != nil {
		st, b := errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "body is not valid JSON")
		return nil, st, b
	}
	return &w, 0, nil
}

func (s *Server) update(id string, body []byte) (int, []byte) {
	w, st, b := parseBody(body, updateFields)
	if w == nil {
		return st, b
	}
	s.mu.Lock()
	a, ok := s.activations[id]
	if !ok || a.deactivated {
		s.mu.Unlock()
		return errorBody(http.StatusNotFound, "ACTIVATION_NOT_FOUND", "The activation does not exist.")
	}
	lic, st, b := s.checkLicense(w)
	switch {
	case lic == nil:
		s.mu.Unlock()
		return st, b
	case a.licenseKey != lic.Key:
		s.mu.Unlock()
		return errorBody(http.StatusBadRequest, "INVALID_LICENSE_KEY", "The license key does not match the activation.")
	case a.fingerprint != "" && a.fingerprint != str(w.Fingerprint):
		s.mu.Unlock()
		return errorBody(http.StatusBadRequest, "INVALID_ACTIVATION_FINGERPRINT", "The fingerprint does not match the activation.")
	}
	if st, b := s.applyMeters(lic, a, w); st != 0 {
		s.mu.Unlock()
		return st, b
	}
	apply(a, w)
	a.updated = s.now()
	a.updates++
	tok, err := s.issue(a, lic)
	s.mu.Unlock()
	if err != nil {
		return errorBody(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
	}
	s.notify(id)
	return tokenBody(tok)
}

// apply sets every field the request carries: absent fields are left unchanged.
func apply(a *activation, w *wireUpdate) {
	set := func(dst *string, p *string) {
		if p != nil {
			*dst = *p
		}
	}
	set(&a.os, w.OS)
	set(&a.osVersion, w.OSVersion)
	set(&a.fingerprint, w.Fingerprint)
	set(&a.vmName, w.VMName)
	set(&a.hostname, w.Hostname)
	set(&a.userHash, w.UserHash)
	set(&a.accountID, w.AccountID)
	set(&a.userID, w.UserID)
	set(&a.releaseVersion, w.ReleaseVersion)
	set(&a.releaseChannel, w.ReleaseChannel)
	set(&a.releasePlatform, w.ReleasePlatform)
	set(&a.releasePublishedAt, w.ReleasePublishedAt)
	set(&a.appVersion, w.AppVersion)
	if w.Container != nil {
		a.container = *w.Container
	}
	if w.LeaseDuration != nil {
		v := *w.LeaseDuration
		a.leaseDuration = &v
	}
	if w.Metadata != nil {
		a.metadata = append([]kv(nil), (*w.Metadata)...)
	}
}

func (s *Server) create(body []byte) (int, []byte) {
	w, st, b := parseBody(body, createFields)
	if w == nil {
		return st, b
	}
	s.mu.Lock()
	lic, st, b := s.checkLicense(w)
	if lic == nil {
		s.mu.Unlock()
		return st, b
	}
	if st, b := s.checkNamedUser(lic, body); st != 0 {
		s.mu.Unlock()
		return st, b
	}
	// The same machine activating again gets its activation back.
	var a *activation
	for _, cand := range s.activations {
		if cand.licenseKey == lic.Key && cand.fingerprint == str(w.Fingerprint) && !cand.deactivated {
			a = cand
		}
	}
	if a == nil {
		if lic.MaxActivations > 0 && s.activeCount(lic.Key) >= lic.MaxActivations {
			s.mu.Unlock()
			return errorBody(http.StatusBadRequest, "ACTIVATION_LIMIT_REACHED", "The license has reached its activation limit.")
		}
		now := s.now()
		a = &activation{id: s.newID("act"), licenseKey: lic.Key, uses: map[string]int64{}, created: now}
		s.activations[a.id] = a
	}
	if st, b := s.applyMeters(lic, a, w); st != 0 {
		s.mu.Unlock()
		return st, b
	}
	apply(a, w)
	a.updated = s.now()
	tok, err := s.issue(a, lic)
	id := a.id
	s.mu.Unlock()
	if err != nil {
		return errorBody(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
	}
	s.notify(id)
	st2, b2 := tokenBody(tok)
	if st2 == http.StatusOK {
		st2 = http.StatusCreated
	}
	return st2, b2
}

func (s *Server) deactivate(id string, body []byte) (int, []byte) {
	w, st, b := parseBody(body, deactivateFields)
	if w == nil {
		return st, b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.activations[id]
	switch {
	case !ok || a.deactivated:
		return errorBody(http.StatusNotFound, "ACTIVATION_NOT_FOUND", "The activation does not exist.")
	case str(w.ProductID) != s.ProductID:
		return errorBody(http.StatusBadRequest, "INVALID_PRODUCT_ID", "The product id is invalid.")
	case a.fingerprint != str(w.Fingerprint):
		return errorBody(http.StatusBadRequest, "INVALID_ACTIVATION_FINGERPRINT", "The fingerprint does not match the activation.")
	}
	a.deactivated = true
	return http.StatusOK, []byte("{}")
}

func (s *Server) deleteActivation(id string) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.activations[id]
	if !ok || a.deactivated {
		return errorBody(http.StatusNotFound, "ACTIVATION_NOT_FOUND", "The activation does not exist.")
	}
	a.deactivated = true
	return http.StatusNoContent, nil
}

package licensingtest

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// Drop says when a fault closes the connection without an answer.
type Drop int

const (
	// NoDrop answers normally.
	NoDrop Drop = iota
	// DropBeforeApply closes the connection on receiving the request: nothing is applied.
	DropBeforeApply
	// DropAfterApply applies the request, then closes the connection without an answer: the
	// client cannot tell whether it was applied.
	DropAfterApply
)

// Fault is a misbehaviour for the next requests.
type Fault struct {
	// Times is how many requests the fault applies to; 0 means 1.
	Times int
	// Delay holds each request this long (or until the client gives up) before anything else.
	Delay time.Duration
	// Status answers with this status and an error body instead of applying the request.
	Status int
	// Code is the error code of the body; "" picks one from Status.
	Code string
	// Message is the error message of the body; "" says it is an injected fault.
	Message string
	// RetryAfter is sent as the Retry-After header when not "".
	RetryAfter string
	// Header holds extra headers to send with the answer.
	Header http.Header
	// Body answers 200 with these raw bytes, without applying the request: garbage, truncated
	// JSON, an empty body (set EmptyBody) or an oversized one (see OversizedBody). With Status
	// set, that status comes with these bytes instead of the API's error body, as from a proxy
	// or a captive portal (set its Content-Type in Header).
	Body []byte
	// EmptyBody answers 200 (or Status) with no body at all.
	EmptyBody bool
	// Drop closes the connection before or after applying.
	Drop Drop
}

// OversizedBody is a 2 MiB body of valid JSON, over the SDK's 1 MiB limit.
var OversizedBody = []byte(`{"activationToken":"` + strings.Repeat("a", 2<<20) + `"}`)

// Inject queues a fault for the next requests. Faults apply in the order injected.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// FailNext answers the next n requests with status (and Retry-After, when not "").
func (s *Server) FailNext(n, status int, retryAfter string) {
	s.Inject(Fault{Times: n, Status: status, RetryAfter: retryAfter})
}

// ClearFaults drops every queued fault, as between the steps of a test, and turns chaos (see
// SetChaos) off. It returns how many requests the dropped faults would still have affected.
func (s *Server) ClearFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.pending()
	s.faults, s.chaos = nil, nil
	return n
}

// PendingFaults returns how many requests the queued faults will still affect.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending()
}

// pending counts the requests the queued faults will affect; the caller holds mu.
func (s *Server) pending() int {
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	return n
}

type chaos struct {
	p      float64
	rng    *rand.Rand
	faults []Fault
}

// SetChaos makes each request that finds no queued fault fail, with probability p, with one of
// faults chosen at random (seeded, so a run can be repeated). p = 0 turns it off.
func (s *Server) SetChaos(p float64, seed uint64, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p <= 0 || len(faults) == 0 {
		s.chaos = nil
		return
	}
	s.chaos = &chaos{p: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), faults: faults}
}

// nextFault takes the fault for this request, if any.
func (s *Server) nextFault() (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		if c := s.chaos; c != nil && c.rng.Float64() < c.p {
			return c.faults[c.rng.IntN(len(c.faults))], true
		}
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults[0].Times--
	if s.faults[0].Times == 0 {
		s.faults = s.faults[1:]
	}
	return f, true
}

func codeFor(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "TOO_MANY_REQUESTS"
	case status == http.StatusNotFound:
		return "NOT_FOUND"
	case status >= 500:
		return "INTERNAL_SERVER_ERROR"
	}
	return "BAD_REQUEST"
}

// hangUp closes the connection with a reset, without an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

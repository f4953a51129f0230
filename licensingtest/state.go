package licensingtest

import (
	"sort"
	"time"
)

// License is a license the server knows. Zero values mean: node-locked, unlimited activations,
// never expires, not suspended or revoked, VMs and containers allowed, no sync required, and a
// five-minute allowed clock offset.
type License struct {
	Key  string // "" = generated
	ID   string // "" = generated
	Type string // "" = "node-locked"

	ExpiresAt      time.Time
	Suspended      bool
	Revoked        bool
	MaxActivations int // 0 = unlimited
	DenyVM         bool
	DenyContainer  bool

	// ServerSyncInterval is the ssi claim; GracePeriod sets ssgpeat to iat + GracePeriod when
	// both are set.
	ServerSyncInterval time.Duration
	GracePeriod        time.Duration
	// AllowedClockOffset is the aco claim; 0 means 5 minutes, a negative value means 0.
	AllowedClockOffset time.Duration
	// LeaseDuration makes the license hosted-floating: each token's leat is iat + the lease (or
	// the request's leaseDuration, in seconds, when it sent a positive one).
	LeaseDuration time.Duration

	// Meters maps meter attribute names to their allowed uses.
	Meters map[string]int64

	// RequireAuthentication makes it a named-user license: an activation must carry the e-mail
	// and password of a [User] linked to it, else 400 AUTHENTICATION_FAILED.
	RequireAuthentication bool
	// MaxAllowedReleaseVersion, when set, is the newest release the license may install:
	// GET /v3/releases/{id}/allowed answers false for a newer one.
	MaxAllowedReleaseVersion string

	Name, Email, Company string
	Metadata             map[string]string // lmd
	ProductMetadata      map[string]string // pmd
	UserMetadata         map[string]string // umd
}

// activation is the server's state of one activation.
type activation struct {
	id, licenseKey                 string
	fingerprint, os, osVersion     string
	hostname, userHash, vmName     string
	container                      bool
	accountID, userID              string
	releaseVersion, releaseChannel string
	releasePlatform, appVersion    string
	releasePublishedAt             string
	leaseDuration                  *int64
	metadata                       []kv
	uses                           map[string]int64
	created, updated               time.Time
	updates                        int
	deactivated                    bool
}

type kv struct{ Key, Value string }

// Activation is a snapshot of an activation's state, for assertions.
type Activation struct {
	ID, LicenseKey, Fingerprint, OS, OSVersion, Hostname, UserHash, VMName string
	Container                                                              bool
	AccountID, UserID, ReleaseVersion, ReleaseChannel, ReleasePlatform     string
	ReleasePublishedAt                                                     string
	LeaseDuration                                                          *int64
	Metadata                                                               map[string]string
	// MeterUses is this activation's recorded uses per meter attribute.
	MeterUses map[string]int64
	// Updates counts the updates applied (PATCH requests that succeeded).
	Updates     int
	Deactivated bool
}

// AddLicense adds a license and returns its key.
func (s *Server) AddLicense(l License) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Key == "" {
		l.Key = "KEY-" + s.newID("L")
	}
	if l.ID == "" {
		l.ID = s.newID("lic")
	}
	if l.Type == "" {
		l.Type = "node-locked"
	}
	s.licenses[l.Key] = &l
	return l.Key
}

// UpdateLicense changes the license with key, for example to revoke or suspend it. It reports
// whether the license exists.
func (s *Server) UpdateLicense(key string, fn func(l *License)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.licenses[key]
	if ok {
		fn(l)
	}
	return ok
}

// AddActivation adds an activation of the license with key, bound to no machine yet: the first
// update binds it to the fingerprint it sends. It returns the activation id.
func (s *Server) AddActivation(licenseKey string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a := &activation{id: s.newID("act"), licenseKey: licenseKey, uses: map[string]int64{}, created: now, updated: now}
	s.activations[a.id] = a
	return a.id
}

// RemoveActivation deletes an activation, as an admin would; later requests for it get 404.
func (s *Server) RemoveActivation(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.activations, id)
}

// Activation returns a snapshot of the activation with id.
func (s *Server) Activation(id string) (Activation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.activations[id]
	if !ok {
		return Activation{}, false
	}
	snap := Activation{
		ID: a.id, LicenseKey: a.licenseKey, Fingerprint: a.fingerprint, OS: a.os, OSVersion: a.osVersion,
		Hostname: a.hostname, UserHash: a.userHash, VMName: a.vmName, Container: a.container,
		AccountID: a.accountID, UserID: a.userID, ReleaseVersion: a.releaseVersion,
		ReleaseChannel: a.releaseChannel, ReleasePlatform: a.releasePlatform,
		ReleasePublishedAt: a.releasePublishedAt, Metadata: map[string]string{}, MeterUses: map[string]int64{},
		Updates: a.updates, Deactivated: a.deactivated,
	}
	if a.leaseDuration != nil {
		v := *a.leaseDuration
		snap.LeaseDuration = &v
	}
	for _, m := range a.metadata {
		snap.Metadata[m.Key] = m.Value
	}
	for k, v := range a.uses {
		snap.MeterUses[k] = v
	}
	return snap, true
}

// MeterUses returns the total uses of a license's meter attribute over all its activations.
func (s *Server) MeterUses(licenseKey, name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totalUses(licenseKey, name)
}

func (s *Server) totalUses(licenseKey, name string) int64 {
	var n int64
	for _, a := range s.activations {
		if a.licenseKey == licenseKey {
			n += a.uses[name]
		}
	}
	return n
}

// activeCount counts a license's live activations bound to a machine.
func (s *Server) activeCount(licenseKey string) int {
	n := 0
	for _, a := range s.activations {
		if a.licenseKey == licenseKey && !a.deactivated && a.fingerprint != "" {
			n++
		}
	}
	return n
}

func sortedKV(m map[string]string) []map[string]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]string, 0, len(m))
	for _, k := range keys {
		out = append(out, map[string]string{"key": k, "value": m[k]})
	}
	return out
}

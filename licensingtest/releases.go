package licensingtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// releaseUpdatePath is GET /v3/releases/update.
const releaseUpdatePath = "/v3/releases/update"

// Release is a release the server offers through GET /v3/releases/update.
type Release struct {
	Version   string   // x.x, x.x.x or x.x.x.x
	Name      string   // "" = "v" + Version
	Channel   string   // "" = "stable"
	Platforms []string // the platforms it is for; none = every platform
	Notes     string
	// PublishedAt is when it was published; zero = the server's clock when added.
	PublishedAt time.Time
	Files       []ReleaseFile
	// OldShape answers with the release object's older JSON: "published" for "publishedAt" and
	// a single "platform" (the first of Platforms) for "platforms".
	OldShape bool
}

// ReleaseFile is a file of a Release.
type ReleaseFile struct {
	Name, URL, Checksum string
	Size                int64
}

// releaseQuery are the query parameters of GET /v3/releases/update (documented), and whether
// each is required. The API gives no lengths; the body's limits for the same fields apply.
var releaseQuery = map[string]struct {
	required bool
	max      int
}{
	"productId": {true, 256}, "platform": {true, 256}, "channel": {false, 256}, "version": {true, 256},
	"key": {false, 256}, "accountId": {false, 256},
}

// AddRelease offers r from now on.
func (s *Server) AddRelease(r Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Channel == "" {
		r.Channel = "stable"
	}
	if r.Name == "" {
		r.Name = "v" + r.Version
	}
	if r.PublishedAt.IsZero() {
		r.PublishedAt = s.now().UTC().Truncate(time.Second)
	}
	r.Files = append([]ReleaseFile(nil), r.Files...)
	s.ext().releases = append(s.ext().releases, r)
}

// releaseUpdate answers GET /v3/releases/update: 200 with the newest release of the product on
// the platform and channel that is newer than version, comparing only as many parts as version
// has (documented: with 1.2.3.4 the latest, 1.2.3 and 1.2 get 204), or 204 with no body.
func (s *Server) releaseUpdate(r *http.Request, body []byte) (int, []byte) {
	if r.Method != http.MethodGet {
		return errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
	}
	if len(body) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "a GET carries no body")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "query: not a valid query string")
	}
	var problems []string
	for name, vs := range q {
		f, ok := releaseQuery[name]
		switch {
		case !ok:
			problems = append(problems, name+": not a parameter of this request")
		case len(vs) != 1:
			problems = append(problems, name+": given more than once")
		case !utf8.ValidString(vs[0]) || utf8.RuneCountInString(vs[0]) > f.max:
			problems = append(problems, name+": longer than 256 characters or not UTF-8")
		}
	}
	for name, f := range releaseQuery {
		if f.required && q.Get(name) == "" {
			problems = append(problems, name+": required")
		}
	}
	if v := q.Get("version"); v != "" && !releaseRE().MatchString(v) {
		problems = append(problems, "version: not x.x, x.x.x or x.x.x.x")
	}
	if len(problems) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", joinProblems(sorted(problems)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("productId") != s.ProductID {
		return errorBody(http.StatusBadRequest, "INVALID_PRODUCT_ID", "The product id is invalid.")
	}
	if key := q.Get("key"); q.Has("key") {
		lic, ok := s.licenses[key]
		switch {
		case !ok:
			return errorBody(http.StatusBadRequest, "INVALID_LICENSE_KEY", "The license key is invalid.")
		case lic.Revoked:
			return errorBody(http.StatusBadRequest, "REVOKED_LICENSE", "The license has been revoked.")
		}
	}
	channel := q.Get("channel")
	if channel == "" {
		channel = "stable"
	}
	version, platform := q.Get("version"), q.Get("platform")
	n := strings.Count(version, ".") + 1
	var best *Release
	for i := range s.ext().releases {
		rel := &s.ext().releases[i]
		if rel.Channel != channel || !forPlatform(rel, platform) || compareParts(rel.Version, version, n) <= 0 {
			continue
		}
		if best == nil || compareParts(rel.Version, best.Version, 4) > 0 {
			best = rel
		}
	}
	if best == nil {
		return http.StatusNoContent, nil
	}
	return http.StatusOK, releaseJSON(best)
}

func forPlatform(r *Release, p string) bool {
	if len(r.Platforms) == 0 {
		return true
	}
	for _, rp := range r.Platforms {
		if rp == p {
			return true
		}
	}
	return false
}

// compareParts compares the first n parts of two release versions numerically; missing parts
// count as 0.
func compareParts(a, b string, n int) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < n; i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = strings.TrimLeft(pa[i], "0")
		}
		if i < len(pb) {
			y = strings.TrimLeft(pb[i], "0")
		}
		if len(x) != len(y) {
			if len(x) < len(y) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// releaseJSON writes the release object in its newer or older shape.
func releaseJSON(r *Release) []byte {
	files := make([]map[string]any, 0, len(r.Files))
	for _, f := range r.Files {
		files = append(files, map[string]any{"name": f.Name, "url": f.URL, "size": f.Size, "checksum": f.Checksum,
			"id": "file-" + f.Name, "downloads": 0})
	}
	m := map[string]any{
		"id": "rel-" + r.Version, "name": r.Name, "version": r.Version, "channel": r.Channel, "notes": r.Notes,
		"files": files, "createdAt": r.PublishedAt.Format(time.RFC3339), "totalFiles": len(files),
	}
	platforms := append([]string{}, r.Platforms...)
	if r.OldShape {
		m["published"] = r.PublishedAt.Format(time.RFC3339)
		if len(platforms) > 0 {
			m["platform"] = platforms[0]
		}
	} else {
		m["publishedAt"] = r.PublishedAt.Format(time.RFC3339)
		m["platforms"] = platforms
	}
	b, _ := json.Marshal(m)
	return b
}

func sorted(p []string) []string {
	sort.Strings(p)
	return p
}

// releaseAllowed answers GET /v3/releases/{id}/allowed?accountId=&key=: {"allowed": bool}, false
// when the key's license has a MaxAllowedReleaseVersion older than the release. An unknown release
// is 404. Without a key, or with a key of no license, it answers 400 (VALIDATION_FAILED,
// INVALID_LICENSE_KEY), never "allowed": the question is whether this license may install the
// release, and the API's other license calls refuse a missing or unknown key so (inferred; the
// endpoint's answers are not documented; package licensing reads them the safe way).
func (s *Server) releaseAllowed(r *http.Request, escapedID string, body []byte) (int, []byte) {
	if r.Method != http.MethodGet {
		return errorBody(http.StatusMethodNotAllowed, "BAD_REQUEST", "method not allowed")
	}
	if len(body) > 0 {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "a GET carries no body")
	}
	id, err := url.PathUnescape(escapedID)
	if err != nil || id == "" || strings.Contains(escapedID, "/") {
		return errorBody(http.StatusNotFound, "NOT_FOUND", "no such release")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "query: not a valid query string")
	}
	for name, vs := range q {
		if (name != "accountId" && name != "key") || len(vs) != 1 || utf8.RuneCountInString(vs[0]) > 256 {
			return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", name+": not a parameter of this request, repeated or too long")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rel *Release
	for i := range s.ext().releases {
		if "rel-"+s.ext().releases[i].Version == id {
			rel = &s.ext().releases[i]
		}
	}
	if rel == nil {
		return errorBody(http.StatusNotFound, "RELEASE_NOT_FOUND", "The release does not exist.")
	}
	key := q.Get("key")
	if key == "" {
		return errorBody(http.StatusBadRequest, "VALIDATION_FAILED", "key: is required")
	}
	lic, ok := s.licenses[key]
	switch {
	case !ok:
		return errorBody(http.StatusBadRequest, "INVALID_LICENSE_KEY", "The license key is invalid.")
	case lic.Revoked:
		return errorBody(http.StatusBadRequest, "REVOKED_LICENSE", "The license has been revoked.")
	}
	allowed := lic.MaxAllowedReleaseVersion == "" || compareParts(rel.Version, lic.MaxAllowedReleaseVersion, 4) <= 0
	b, _ := json.Marshal(map[string]bool{"allowed": allowed})
	return http.StatusOK, b
}

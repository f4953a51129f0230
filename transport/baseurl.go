package transport

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ParseBaseURL accepts https URLs, and http URLs whose host is a loopback address
// (127.0.0.0/8, ::1) or localhost, for tests and local servers. A path prefix is kept
// ("https://host/prefix" sends to "https://host/prefix/v3/..."); user info, a query and a
// fragment are refused, since they would leak into every request.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("BaseURL is not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("BaseURL must use https")
	case u.Host == "" || u.Opaque != "":
		return nil, errors.New("BaseURL must name a host")
	case u.User != nil:
		return nil, errors.New("BaseURL must not hold user info")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("BaseURL must not hold a query or fragment")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, errors.New("BaseURL must use https (http is allowed only for loopback hosts)")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

package licensing

import (
	"context"
	"fmt"
	"sync"

	"github.com/tollgate-dev/tollgate/transport"
)

// lazyTransport builds the HTTP client on the first request, not in New: an app that only
// validates offline at start-up never builds a transport. New has checked its config.
type lazyTransport struct {
	cfg transport.Config
	mu  sync.Mutex
	c   *transport.Client
}

// client returns the HTTP client, building it if build is true and it was not built yet.
func (l *lazyTransport) client(build bool) (*transport.Client, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.c == nil && build {
		c, err := transport.New(l.cfg)
		if err != nil {
			return nil, fmt.Errorf("licensing: invalid config: %w", err)
		}
		l.c = c
	}
	return l.c, nil
}

// Do is [transport.Client.Do] on the client, built now if this is the first request. Its
// error is licensing's (see fromTransport).
func (l *lazyTransport) Do(ctx context.Context, req transport.Request) (*transport.Response, error) {
	c, err := l.client(true)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, req)
	return resp, fromTransport(err)
}

// CloseIdleConnections closes the client's idle connections; with no client built, there are
// none, and none is built.
func (l *lazyTransport) CloseIdleConnections() {
	if c, _ := l.client(false); c != nil {
		c.CloseIdleConnections()
	}
}

// URL is [transport.Client.URL]: the base URL followed by path, as Do requests it.
func (l *lazyTransport) URL(path string) string {
	c, err := l.client(true)
	if err != nil {
		return ""
	}
	return c.URL(path)
}

package licensingtest

import (
	"io"
	"net"
	"sync/atomic"
)

// Silent is a peer that takes every TCP connection and never sends a byte: no TLS handshake,
// no answer, as a black hole or a middlebox that swallows the traffic does. Its URL is an
// https:// base URL on loopback, for licensing.Config.BaseURL.
type Silent struct {
	URL string
	l   net.Listener
	n   atomic.Int32
}

// NewSilent starts a Silent peer on a loopback port; it panics if it cannot listen, as
// httptest does. Close it when done.
func NewSilent() *Silent {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("licensingtest: silent peer: " + err.Error())
	}
	s := &Silent{URL: "https://" + l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.n.Add(1)
			go func() { _, _ = io.Copy(io.Discard, c); _ = c.Close() }() // until the client hangs up
		}
	}()
	return s
}

// Accepted returns how many connections the peer has taken.
func (s *Silent) Accepted() int { return int(s.n.Load()) }

// Close stops taking connections. A connection the client still holds ends when the client
// closes it.
func (s *Silent) Close() { _ = s.l.Close() }

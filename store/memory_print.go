package store

import (
	"fmt"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// The memory store's values are secret.Values, which never print, and its state is behind a
// pointer (see memoryStore). Format only makes printing it useful: how many values it holds.

// Format says how many values the store holds, never what.
func (s *memoryStore) Format(f fmt.State, verb rune) {
	s.mu.Lock()
	n := len(s.m)
	s.mu.Unlock()
	redact.Format(f, verb, "memory store ("+strconv.Itoa(n)+" values)")
}

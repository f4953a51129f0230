package store

import (
	"fmt"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// The memory store's values are secret.Values, which never print. It keeps Format for another
// reason: it reads the map under the lock. Printed field by field instead, fmt would walk the
// map while another goroutine saves to it, a race that can crash the process. (log/slog's text
// handler prints through Format; encoding/json and slog's JSON handler see no exported field
// and write {}.)

// Format says how many values the store holds, never what.
func (s *memoryStore) Format(f fmt.State, verb rune) {
	s.mu.Lock()
	n := len(s.m)
	s.mu.Unlock()
	redact.Format(f, verb, "memory store ("+strconv.Itoa(n)+" values)")
}

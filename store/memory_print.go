package store

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// The memory store holds records, tokens and license keys in them: printing it through fmt
// (every verb), log/slog or encoding/json shows how many it holds, never what.

func (s *memoryStore) String() string {
	s.mu.Lock()
	n := len(s.m)
	s.mu.Unlock()
	return "token memory store (" + strconv.Itoa(n) + " values)"
}

func (s *memoryStore) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String(), s.String()) }

func (s *memoryStore) LogValue() slog.Value { return slog.StringValue(s.String()) }

func (s *memoryStore) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

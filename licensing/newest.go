package licensing

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/token"
)

// newestTokens remembers, per cache slot, the newest genuine token this client has read from
// the cache or received from the server, and whether the server has ended that activation
// since (a drop after its answer). A copy of an older record put back into the store (restored
// from a backup, or the one from before a suspension) then does not win over what this client
// already knows: the cache loads the newer token in its place, or, after a drop, nothing. It
// holds in memory only: a new process knows what the store holds, no more
// (docs/THREAT-MODEL.md). The zero value is ready; it is safe for concurrent use.
type newestTokens struct {
	mu sync.Mutex
	by map[string]*newestToken // by slot name; changed only with mu held
}

type newestToken struct {
	rec     record.Record
	claims  *token.Claims // private: callers get copies
	dropped bool          // the server ended the activation after this token was issued
	endedAt int64         // iat (Unix seconds) of the last token whose activation the server ended; 0: none
}

// note keeps rec, whose token verified as claims, as the newest of slot unless a newer one is
// known. A token as new as the newest replaces it and clears its drop: a fresh token the server
// issued in the same second as the one it ended (iat counts whole seconds). Only the newest
// token is taken for it later; another token no newer than an ended one stays refused (ended).
func (n *newestTokens) note(slot string, rec record.Record, claims *token.Claims) {
	n.mu.Lock()
	defer n.mu.Unlock()
	cur := n.by[slot]
	if cur != nil && claims.IssuedAt.Before(cur.claims.IssuedAt) {
		return
	}
	if cur != nil && rec.Token == cur.rec.Token { // the same token again (each Validate): no copy
		cur.rec = rec
		return
	}
	if n.by == nil {
		n.by = map[string]*newestToken{}
	}
	next := &newestToken{rec: rec, claims: cloneClaims(claims)}
	if cur != nil {
		next.endedAt = cur.endedAt
	}
	n.by[slot] = next
}

// drop marks the newest token of slot as ended by the server when ended; else it clears that
// mark when the newest token is raw: the server has just answered with it again (the same
// claims in the same second), so it is no copy put back.
func (n *newestTokens) drop(slot, raw string, ended bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if cur := n.by[slot]; cur != nil && (ended || cur.rec.Token == raw) {
		cur.dropped = ended
		if ended {
			cur.endedAt = cur.claims.IssuedAt.Unix()
		}
	}
}

// ended reports whether raw, a token of slot issued as claims say, is a copy put back: the
// server ended an activation after a token issued no earlier than it, and raw is not the newest
// token this client received since.
func (n *newestTokens) ended(slot, raw string, claims *token.Claims) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	cur := n.by[slot]
	return cur != nil && cur.endedAt != 0 && claims.IssuedAt.Unix() <= cur.endedAt && (cur.dropped || raw != cur.rec.Token)
}

// newer returns the newest token of slot when it was issued after claims: the record and a copy
// of its claims.
func (n *newestTokens) newer(slot string, claims *token.Claims) (record.Record, *token.Claims, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	cur := n.by[slot]
	if cur == nil || cur.dropped || !cur.claims.IssuedAt.After(claims.IssuedAt) {
		return record.Record{}, nil, false
	}
	return cur.rec, cloneClaims(cur.claims), true
}

// newestOf returns what the cache of s is read as, given that it holds rec whose token verified
// as claims: rec itself, noted as the newest; or, when this client already knows a newer token of
// s, that one (an older copy was put back into the store; the next write puts the newer back).
// A copy of a token whose activation the server has ended since is ErrNotActivated.
func (k *cache) newestOf(ctx context.Context, s slot, rec record.Record, claims *token.Claims) (record.Record, *token.Claims, error) {
	if k.newest.ended(s.name, rec.Token, claims) {
		return record.Record{}, nil, fmt.Errorf("%w: %w: the server ended this activation after the cached token was issued; the cache holds a copy put back",
			errs.ErrNotActivated, ErrStaleToken)
	}
	if nrec, nclaims, ok := k.newest.newer(s.name, claims); ok {
		k.logger.LogAttrs(ctx, slog.LevelWarn, "licensing: the cache holds an older token than this client already has; the newer one is used",
			slog.Time("cached_issued_at", claims.IssuedAt), slog.Time("newer_issued_at", nclaims.IssuedAt))
		nrec.LastSeen = later(nrec.LastSeen, rec.LastSeen)
		return nrec, nclaims, nil
	}
	k.newest.note(s.name, rec, claims)
	return rec, claims, nil
}

// claimsOf returns a copy of the claims of the newest token of slot, ended or not; nil when
// there is none.
func (n *newestTokens) claimsOf(slot string) *token.Claims {
	n.mu.Lock()
	defer n.mu.Unlock()
	if cur := n.by[slot]; cur != nil {
		return cloneClaims(cur.claims)
	}
	return nil
}

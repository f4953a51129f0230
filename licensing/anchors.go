package licensing

import (
	"context"
	"errors"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/internal/record"
	"github.com/tollgate-dev/tollgate/store"
)

// reconcile returns m, this machine as collected, as the machine activated here, by
// fingerprint.Reconcile against the hardware anchors kept in the license's record (else the
// trial's): while most of them are still read, the fingerprint stays the activated one, so a
// swapped disk or network card keeps the seat; a clone, whose anchors all differ, keeps its own
// fingerprint and finds the copied token bound to another machine. With nothing cached, m is
// returned as collected. ok is false when the store could not be read: m is then as collected,
// and must not be remembered.
func (c *Client) reconcile(ctx context.Context, m fingerprint.Machine) (_ fingerprint.Machine, ok bool) {
	for _, s := range []slot{c.cache.license, c.cache.trial} {
		stored, err := c.cache.store.Load(ctx, s.name)
		switch {
		case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrCorrupt):
			continue
		case err != nil:
			return m, false
		}
		if anchors, found := record.AnchorsOf(stored); found {
			m, _ = fingerprint.Reconcile(m, anchors)
			return m, true
		}
	}
	return m, true
}

// anchors returns the anchors the known machine's fingerprint is bound to, as a record keeps
// them: "" when none (a Machine from Config, or none readable).
func (c *Client) anchors() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.machine != nil {
		return c.machine.AnchorList()
	}
	if c.idOnly != nil {
		return c.idOnly.AnchorList()
	}
	return ""
}

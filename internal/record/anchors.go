package record

import "strings"

// A record and a lapsed lease keep the hardware anchors of the machine they were activated on
// (fingerprint.Machine.AnchorStrings), which decide the fingerprint that the token is bound to
// (fingerprint.Reconcile). They are read before the record can be unsealed, since the seal key
// derives from that fingerprint, so the seal does not cover them. It need not: the fingerprint
// derived from an edited list is not the one the token carries, and the token's signature is
// checked before anything in the record is trusted.

// maxAnchors bounds the anchors a record may hold (the fingerprint package keeps 16 at most).
const maxAnchors = 64

// anchorsWellFormed reports whether the envelope's anchors, if any, are a list within bounds:
// comma-separated, none empty.
func anchorsWellFormed(e *envelope) bool {
	var list string
	switch {
	case e.Record != nil:
		list = e.Record.Anchors
	case e.Lapsed != nil:
		list = e.Lapsed.Anchors
	}
	if list == "" {
		return true
	}
	parts := strings.Split(list, ",")
	if len(parts) > maxAnchors {
		return false
	}
	for _, a := range parts {
		if a == "" || len(a) > 64 {
			return false
		}
	}
	return true
}

// AnchorsOf returns the anchors kept in the stored value s, a record or a lapsed lease, without
// checking its seal (see above); nil when it kept none. ok is false when s is neither: nothing
// was activated there.
func AnchorsOf(s string) (anchors []string, ok bool) {
	e, err := parse(s)
	list := ""
	switch {
	case err != nil:
		return nil, false
	case e.Record != nil:
		list = e.Record.Anchors
	case e.Lapsed != nil:
		list = e.Lapsed.Anchors
	default:
		return nil, false
	}
	if list == "" {
		return nil, true
	}
	return strings.Split(list, ","), true
}

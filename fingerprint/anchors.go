package fingerprint

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// AnchorKind names what a hardware anchor was read from.
type AnchorKind string

// The kinds of hardware anchors. Each is a value a clone of a disk image does not carry over:
// the hypervisor or the hardware gives every machine its own.
const (
	AnchorNIC   AnchorKind = "nic"   // AnchorNIC is the permanent MAC address of a physical network interface.
	AnchorDisk  AnchorKind = "disk"  // AnchorDisk is the serial number of a fixed disk (NVMe, ATA/SCSI).
	AnchorBoard AnchorKind = "board" // AnchorBoard is the SMBIOS system UUID.
)

// Anchor is one hardware anchor as the package exposes and keeps it: its kind and a keyed hash of
// its value, never the value. The hash is keyed by the machine id and the app id, so it can be
// neither reversed from the MAC or serial alone nor compared across applications.
type Anchor struct {
	Kind AnchorKind `json:"kind"`
	Hash string     `json:"hash"` // 32 lowercase hex digits
}

// String returns the anchor as kept in the activation cache: "kind:hash".
func (a Anchor) String() string { return string(a.Kind) + ":" + a.Hash }

// ParseAnchor reads the form String writes; ok is false for anything else.
func ParseAnchor(s string) (a Anchor, ok bool) {
	kind, hash, found := strings.Cut(s, ":")
	switch AnchorKind(kind) {
	case AnchorNIC, AnchorDisk, AnchorBoard:
	default:
		return Anchor{}, false
	}
	if !found || len(hash) != anchorHashLen || strings.Trim(hash, "0123456789abcdef") != "" {
		return Anchor{}, false
	}
	return Anchor{AnchorKind(kind), hash}, true
}

// AnchorCheck is one anchor in [Evidence]: where it was read and, when an activated set was
// given (see [ExplainActivated]), whether the activation saw it too.
type AnchorCheck struct {
	Anchor
	From    string `json:"from"`              // the file or interface it was read from
	Matched *bool  `json:"matched,omitempty"` // nil = no activated set to compare with
}

// AnchorMatch is what [Reconcile] decided.
type AnchorMatch struct {
	Matched []bool // per anchor kept at activation, in their order: read on this machine now
	Same    bool   // the machine is the activated one: its fingerprint is the activated one
	Why     string
}

const (
	anchorHashLen = 32 // hex digits kept of each anchor's HMAC
	maxAnchors    = 16 // anchors kept per machine: the lowest hashes, so the choice is stable
	maxAnchorDir  = 64 // directory entries looked at per class (net, nvme, block)
)

// rawAnchor is an anchor's value as read; it goes no further than hashing.
type rawAnchor struct {
	kind  AnchorKind
	value string
	from  string
}

// anchorKey derives the key that hashes anchors and makes the anchored fingerprint: from the
// machine id (raw, normalised) and the app id, so that it is neither the fingerprint nor
// computable from anything the package exposes.
func anchorKey(appID, id string) string {
	mac := hmac.New(sha256.New, []byte(id))
	mac.Write([]byte("tollgate/anchor-key/v1\x00"))
	mac.Write([]byte(appID))
	return hex.EncodeToString(mac.Sum(nil))
}

// hashAnchors hashes raw anchors with key, sorts them by hash, drops repeats, and keeps the
// maxAnchors lowest.
func hashAnchors(key string, raw []rawAnchor) []AnchorCheck {
	out := make([]AnchorCheck, 0, len(raw))
	mac := hmac.New(sha256.New, []byte(key))
	for _, r := range raw {
		mac.Reset()
		mac.Write([]byte(string(r.kind) + "\x00" + r.value))
		c := AnchorCheck{Anchor: Anchor{r.kind, hex.EncodeToString(mac.Sum(nil))[:anchorHashLen]}, From: r.from}
		// Insertion into place, by hash (the kind is hashed too): a few dozen anchors at most,
		// and no sort package for them.
		i := len(out)
		for i > 0 && c.Hash < out[i-1].Hash {
			i--
		}
		if i > 0 && out[i-1].Hash == c.Hash {
			continue
		}
		out = append(out, AnchorCheck{})
		copy(out[i+1:], out[i:])
		out[i] = c
	}
	if len(out) > maxAnchors {
		out = out[:maxAnchors]
	}
	return out
}

// anchoredFingerprint is the fingerprint of a machine whose anchors are set (sorted, as kept):
// hex(HMAC-SHA256(anchor key, "tollgate/fingerprint/v1" + the anchors)), 64 hex digits.
func anchoredFingerprint(key string, set []string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("tollgate/fingerprint/v1"))
	for _, a := range set {
		mac.Write([]byte("\n" + a))
	}
	return hex.EncodeToString(mac.Sum(nil))
}

// bindAnchors sets m's fingerprint from its id's fingerprint (base), the anchor key and the
// anchors read: with no anchor the fingerprint is base, as before anchors existed.
func (m *Machine) bindAnchors(base, key string, anchors []AnchorCheck) {
	set := make([]string, len(anchors))
	for i, a := range anchors {
		set[i] = a.String()
	}
	m.Fingerprint, m.bound = base, ""
	if len(set) > 0 {
		m.Fingerprint = anchoredFingerprint(key, set)
	}
	if len(key) == 64 && len(base) == 64 {
		m.bound = key + base + strings.Join(set, ",")
	}
}

// anchorKey, base and anchorList read m.bound.
func (m Machine) anchorKey() string {
	if len(m.bound) < 128 {
		return ""
	}
	return m.bound[:64]
}

func (m Machine) base() string {
	if len(m.bound) < 128 {
		return ""
	}
	return m.bound[64:128]
}

func (m Machine) anchorList() string {
	if len(m.bound) < 128 {
		return ""
	}
	return m.bound[128:]
}

// Anchors returns the hardware anchors m's fingerprint is bound to: those read by [Collect],
// or, after [Reconcile] found the machine the same, those kept at activation. Nil when none was
// readable, and for a Machine built by the caller.
func (m Machine) Anchors() []Anchor {
	if m.anchorList() == "" {
		return nil
	}
	var out []Anchor
	for _, s := range strings.Split(m.anchorList(), ",") {
		if a, ok := ParseAnchor(s); ok {
			out = append(out, a)
		}
	}
	return out
}

// AnchorStrings returns [Machine.Anchors] in the form the activation cache keeps them.
func (m Machine) AnchorStrings() []string {
	if m.anchorList() == "" {
		return nil
	}
	return strings.Split(m.anchorList(), ",")
}

// AnchorList is AnchorStrings joined by commas: "" when there are none.
func (m Machine) AnchorList() string { return m.anchorList() }

// Reconcile decides whether m, as collected now, is the machine that was activated with the
// anchors activated (the strings [Machine.AnchorStrings] gave then; nil when the activation
// kept none), and returns the Machine to use: see the package doc, "Identity".
//
//   - No activated anchors (an activation made before anchors existed, or where none was
//     readable): the machine is the same when its id is, and its fingerprint is the id's alone,
//     as then.
//   - Otherwise the machine is the same while at least half of the activated anchors, and at
//     least one, are read now: its fingerprint is then the one derived from the activated
//     anchors, and Anchors returns them. A clone, whose anchors all differ, is a new machine:
//     m is returned unchanged, with its own fingerprint.
//
// A Machine the caller built, or one replayed from a capture, has no anchor key: it is returned
// unchanged. An activated list edited by hand yields a fingerprint the activation's token does
// not carry, so it proves nothing.
func Reconcile(m Machine, activated []string) (Machine, AnchorMatch) {
	key := m.anchorKey()
	if key == "" {
		return m, AnchorMatch{Same: true, Why: "no anchor key (a Machine built by the caller, or a replayed capture): unchanged"}
	}
	if len(activated) == 0 {
		m.Fingerprint, m.bound = m.base(), key+m.base()
		return m, AnchorMatch{Same: true, Why: "the activation kept no anchors: bound to the machine id alone, as before anchors"}
	}
	now := "," + m.anchorList() + ","
	match := AnchorMatch{Matched: make([]bool, len(activated))}
	matched := 0
	for i, a := range activated {
		if a != "" && strings.Contains(now, ","+a+",") {
			match.Matched[i] = true
			matched++
		}
	}
	if matched == 0 || 2*matched < len(activated) {
		match.Why = "fewer than half of the anchors kept at activation are read now: another machine (a clone, or most of the hardware replaced)"
		return m, match
	}
	m.Fingerprint = anchoredFingerprint(key, activated)
	m.bound = m.bound[:128] + strings.Join(activated, ",")
	match.Same, match.Why = true, "at least half of the anchors kept at activation are read now: the same machine"
	return m, match
}

// ReconcileEvidence is [Reconcile] for the support tool: it also marks each anchor of ev (as
// [Explain] returned it with m) as kept at activation or not, lists after them the activation's
// anchors that are not read now, and says in ev.AnchorsWhy what Reconcile decided.
func ReconcileEvidence(m Machine, ev Evidence, activated []string) (Machine, Evidence, AnchorMatch) {
	r, match := Reconcile(m, activated)
	kept := map[string]bool{}
	for _, a := range activated {
		kept[a] = true
	}
	ev.Anchors = append([]AnchorCheck(nil), ev.Anchors...)
	read := map[Anchor]bool{}
	for i := range ev.Anchors {
		matched := kept[ev.Anchors[i].String()]
		ev.Anchors[i].Matched = &matched
		read[ev.Anchors[i].Anchor] = true
	}
	// The activation's anchors that are gone, so that the list says what changed.
	for i, s := range activated {
		if a, ok := ParseAnchor(s); ok && !match.Matched[i] && !read[a] {
			ev.Anchors = append(ev.Anchors, AnchorCheck{Anchor: a, From: "kept at activation, not read now", Matched: new(bool)})
		}
	}
	matched := 0
	for _, ok := range match.Matched {
		if ok {
			matched++
		}
	}
	if len(activated) > 0 && m.anchorKey() != "" {
		match.Why = strconv.Itoa(matched) + " of the " + strconv.Itoa(len(activated)) + " anchors kept at activation are read now; " + match.Why
	}
	ev.AnchorsWhy = match.Why
	return r, ev, match
}

// ExplainActivated is [Explain] on this machine followed by [ReconcileEvidence] with the
// anchors kept at activation: which anchors were read, which of them the activation saw, and
// the Machine the licensing client would use.
func ExplainActivated(ctx context.Context, appID string, activated []string) (Machine, Evidence, AnchorMatch, error) {
	m, ev, err := Explain(ctx, appID)
	if err != nil {
		return m, ev, AnchorMatch{}, err
	}
	m, ev, match := ReconcileEvidence(m, ev, activated)
	return m, ev, match, nil
}

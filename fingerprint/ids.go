package fingerprint

import (
	"errors"
	"io/fs"
	"strings"
)

// idSource is one place a Linux machine id is read from.
type idSource struct {
	source Source
	path   string // in the snapshot's file system
	mount  string // the absolute path that a mount may cover; "" = not a file one mounts
}

// linuxIDSources are tried in this order.
var linuxIDSources = []idSource{
	{SourceMachineID, "etc/machine-id", "/etc/machine-id"},
	{SourceDBusMachineID, "var/lib/dbus/machine-id", "/var/lib/dbus/machine-id"},
	{SourceProductUUID, "sys/class/dmi/id/product_uuid", ""},
}

// IDCheck is the verdict on one id source: whether its id was used or could have been, and why
// not. It never holds the id: only the fingerprint it yields for one app id.
type IDCheck struct {
	Source Source `json:"source"`
	// Usable is true when the id is a good machine id and the rules accept it here.
	Usable bool `json:"usable"`
	// Why says why the source was used or refused, or that it was not consulted.
	Why string `json:"why"`
	// Fingerprint is hex(HMAC-SHA256(id, app id)) whenever the id itself is well formed (even if
	// the rules refused it here); "" otherwise.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Anchored is, for the source used, the fingerprint bound to its id and the anchors read
	// (Machine.Fingerprint); "" when no anchor was read or the source was not used.
	Anchored string `json:"anchored,omitempty"`
}

// idContent is what one id source holds, reduced to what the rules need: whether it is a good
// id and, if so, the fingerprint it yields. The raw id goes no further than this.
type idContent struct {
	fingerprint string // "" = not a usable id
	why         string // why it is not, when it is not
	key         string // the anchor key of the id (see anchorKey); "" in a replayed capture
	anchored    string // a replayed capture's anchored fingerprint for this id; "" = none
}

// checkIDContent reads one id and judges it, keeping only its fingerprint for appID.
func checkIDContent(appID, raw string, err error) idContent {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return idContent{why: "missing"}
	case errors.Is(err, fs.ErrPermission):
		return idContent{why: "not readable by this user (root only)"}
	case err != nil:
		return idContent{why: "unreadable"}
	}
	if id := normalizeID(raw); id != "" {
		return idContent{fingerprint: protect(appID, id), key: anchorKey(appID, id)}
	}
	return idContent{why: whyUnusable(raw)}
}

// whyUnusable says why normalizeID refused raw, in the order normalizeID checks.
func whyUnusable(raw string) string {
	id := strings.ToLower(strings.TrimSpace(raw))
	id = strings.NewReplacer("-", "", "{", "", "}", "").Replace(id)
	switch {
	case id == "":
		return "empty"
	case id == "uninitialized":
		return `"uninitialized" (systemd's first boot, not yet committed)`
	case len(id) < 16 || len(id) > 128:
		return "not 16 to 128 hex digits"
	case strings.Trim(id, "0123456789abcdef") != "":
		return "not hexadecimal"
	case strings.Count(id, id[:1]) == len(id):
		return "one digit repeated"
	case knownSharedIDs[id]:
		return "an id known to be shared by many machines (a published image's or unset firmware's)"
	}
	return "unusable"
}

// transientFS are file systems whose content is gone at the next boot.
var transientFS = map[string]bool{"tmpfs": true, "ramfs": true}

// pickID runs the id rules: each source in order, the first usable one wins. With all, every
// source is judged (for Evidence and captures); otherwise sources after the winner are not read.
// content reads one source (from the file system, or from a capture's verdicts).
func (p *probe) pickID(container bool, content func(idSource) idContent, all bool) (chosen int, checks []IDCheck) {
	chosen = -1
	var transient []string // fingerprints of ids refused as transient
	for i, src := range linuxIDSources {
		if chosen >= 0 && !all {
			checks = append(checks, IDCheck{Source: src.source, Why: "not consulted: an earlier source was used"})
			continue
		}
		check := IDCheck{Source: src.source}
		refused, isTransient, hostFS := "", false, func() string { return "" }
		if src.mount != "" {
			refused, isTransient, hostFS = p.idMountRule(src.mount, container)
		}
		// An id refused for being the image's is not read at all (unless every verdict is wanted);
		// a transient one is, so that a later source linked to it is recognised.
		if refused != "" && !isTransient && !all {
			check.Why = refused
			checks = append(checks, check)
			continue
		}
		c := content(src)
		p.idc[src.source] = c // the anchors are keyed by the id that is used
		check.Fingerprint = c.fingerprint
		switch {
		case c.fingerprint == "":
			check.Why = c.why
		case refused != "":
			check.Why = refused
			if isTransient {
				transient = append(transient, c.fingerprint)
			}
		case containsString(transient, c.fingerprint):
			check.Why = "the same id as a source refused above (a link to it)"
		default:
			check.Usable = true
			if chosen < 0 {
				chosen = i
				check.Why = "used"
				if container {
					check.Why = "used: mounted into the container from the host (" + hostFS() + ")"
				}
			} else {
				check.Why = "usable, but an earlier source was used"
			}
		}
		checks = append(checks, check)
	}
	return chosen, checks
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

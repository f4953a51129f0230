package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"
)

// CaptureFormat is the value of Capture.Format that this package writes and reads.
const CaptureFormat = "tollgate-machine-capture/1"

// Capture is a Linux machine as the support tool records it (`tollgate machine --capture`),
// small enough to send by mail and replayable by [CollectFrom] through [Capture.Snapshot].
//
// # What it holds, and what it does not
//
// Files holds the files the rules read, as read, and Env the variables they looked up. The
// machine's ids never leave it: the id files (etc/machine-id, var/lib/dbus/machine-id,
// sys/class/dmi/id/product_uuid) and the install id are left out, and IDs keeps for each source
// only the verdict on its content and the fingerprint it yields for AppID, which is keyed by
// the app id and cannot be reversed. The user name is kept only as its hash, UserHash; mountinfo
// only as its lines for "/" and the id files.
//
// # Why replay gives the same answer
//
// CollectFrom computes fingerprints from ids, which a capture does not have. A Snapshot made by
// [Capture.Snapshot] therefore carries the capture's per-source verdicts in place of the id
// files: CollectFrom applies every rule as on the machine (the context rules, tmpfs mounts,
// containers, order, read from Files) and, where it would read an id, takes that id's recorded
// verdict and fingerprint instead. The answer is the same Machine; only a replay for another
// app id cannot be made, and fails with an error that says so.
type Capture struct {
	Format   string            `json:"format"`
	AppID    string            `json:"appId"`
	Taken    time.Time         `json:"taken"`
	Hostname string            `json:"hostname"`
	UserHash string            `json:"userHash"`
	Env      map[string]string `json:"env,omitempty"`
	// Files maps each file the rules looked at and found to its content ("" for a file only
	// looked for, or one that could not be read); files not there did not exist.
	Files map[string]string `json:"files"`
	// Binary holds files that are not text (the SMBIOS entry), base64 in JSON.
	Binary map[string][]byte `json:"binary,omitempty"`
	// Unreadable lists the files that exist but could not be read by the user who captured.
	Unreadable []string `json:"unreadable,omitempty"`
	// IDs is every id source's verdict and its fingerprint for AppID, the install id last.
	IDs []IDCheck `json:"ids"`
	// Answer is what collection answered on the machine itself.
	Answer Answer `json:"answer"`
	// Anchors are the hardware anchors read, as keyed hashes (see [Anchor]): never their
	// values, whose files are left out of Files. The id source used carries the fingerprint
	// bound to them (IDCheck.Anchored), which a replay answers.
	Anchors []AnchorCheck `json:"anchors,omitempty"`
}

// Answer is a Machine with the activation API's field names, plus the id source; the support
// tool prints it with --json.
type Answer struct {
	OS          string `json:"os"`
	OSVersion   string `json:"osVersion"`
	Hostname    string `json:"hostname"`
	Fingerprint string `json:"fingerprint"`
	UserHash    string `json:"userHash"`
	VMName      string `json:"vmName"`
	Container   bool   `json:"container"`
	Source      Source `json:"source"`
}

// AnswerOf returns m with the API's field names.
func AnswerOf(m Machine) Answer {
	return Answer{OS: m.OS, OSVersion: m.OSVersion, Hostname: m.Hostname, Fingerprint: m.Fingerprint,
		UserHash: m.UserHash, VMName: m.VMName, Container: m.Container, Source: m.Source}
}

// CaptureThisMachine collects this machine's signals for appID, as Collect does (creating the
// install id where Collect would), and records what the rules read. It works on Linux only:
// elsewhere it returns an error wrapping ErrUnsupportedOS, and `tollgate machine --json` says
// what there is to say.
func CaptureThisMachine(ctx context.Context, appID string) (*Capture, error) {
	c := defaultCollector()
	if c.goos != "linux" && c.goos != "android" {
		return nil, fmt.Errorf("%w: captures are of Linux machines, not %s", ErrUnsupportedOS, c.goos)
	}
	return c.capture(ctx, appID, time.Now())
}

func (c *collector) capture(ctx context.Context, appID string, now time.Time) (*Capture, error) {
	var p *probe
	c2 := *c
	c2.probeHook = func(pr *probe) { p = pr }
	m, ev, err := c2.collect(ctx, appID, true)
	if err != nil {
		return nil, err
	}
	capt := &Capture{Format: CaptureFormat, AppID: appID, Taken: now.UTC().Truncate(time.Second),
		Hostname: m.Hostname, UserHash: m.UserHash, Files: map[string]string{}, IDs: ev.IDs, Answer: AnswerOf(m),
		Anchors: ev.Anchors}
	for name, v := range p.vars {
		if v != nil {
			if capt.Env == nil {
				capt.Env = map[string]string{}
			}
			capt.Env[name] = *v
		}
	}
	for _, name := range p.order {
		if isIDFile(name) {
			continue
		}
		f := p.files[name]
		switch {
		case errors.Is(f.err, fs.ErrNotExist):
			continue
		case f.err != nil:
			capt.Unreadable = append(capt.Unreadable, name)
			capt.Files[name] = ""
		case name == "proc/self/mountinfo":
			capt.Files[name] = relevantMounts(f.content)
		case !utf8.ValidString(f.content):
			if capt.Binary == nil {
				capt.Binary = map[string][]byte{}
			}
			capt.Binary[name] = []byte(f.content)
		default:
			capt.Files[name] = f.content
		}
	}
	return capt, nil
}

func isIDFile(name string) bool {
	for _, src := range linuxIDSources {
		if src.path == name {
			return true
		}
	}
	return false
}

// relevantMounts keeps the mountinfo lines the rules read: those of "/" and of the id files
// and the directories above them. The others can name users' directories, and say nothing the
// rules use.
func relevantMounts(content string) string {
	var b strings.Builder
	for _, e := range parseMountinfo(content) {
		keep := e.point == "/"
		for _, src := range linuxIDSources {
			keep = keep || (src.mount != "" && (e.point == src.mount || strings.HasPrefix(src.mount, e.point+"/")))
		}
		if keep {
			b.WriteString(e.line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Check reports what is wrong with a capture read from a file, or nil.
func (c *Capture) Check() error {
	switch {
	case c.Format != CaptureFormat:
		return fmt.Errorf("fingerprint: not a capture of format %q (format %q)", CaptureFormat, c.Format)
	case c.AppID == "":
		return errors.New("fingerprint: the capture has no app id")
	case c.Hostname == "":
		return errors.New("fingerprint: the capture has no host name")
	}
	for _, id := range c.IDs {
		if id.Fingerprint != "" && !isHex64(id.Fingerprint) || id.Anchored != "" && !isHex64(id.Anchored) {
			return fmt.Errorf("fingerprint: the capture's %s fingerprint is not 64 hex digits", id.Source)
		}
	}
	return nil
}

func isHex64(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// Snapshot returns the captured machine as a Snapshot for [CollectFrom] and [ExplainFrom], to be
// called with the capture's AppID. See [Capture] for how it stands in for the ids.
func (c *Capture) Snapshot() Snapshot {
	files := make(memFS, len(c.Files)+len(c.Binary))
	for name, content := range c.Files {
		files[name] = content
	}
	for name, content := range c.Binary {
		files[name] = string(content)
	}
	return Snapshot{FS: files, Env: c.Env, Hostname: c.Hostname, captured: c}
}

// idContent returns the recorded verdict on src's content.
func (c *Capture) idContent(src idSource) idContent {
	for _, id := range c.IDs {
		if id.Source != src.source {
			continue
		}
		if id.Fingerprint != "" {
			return idContent{fingerprint: id.Fingerprint, anchored: id.Anchored}
		}
		return idContent{why: id.Why}
	}
	return idContent{why: "missing"}
}

func (c *Capture) installID() IDCheck {
	for _, id := range c.IDs {
		if id.Source == SourceInstallID {
			return id
		}
	}
	return IDCheck{Source: SourceInstallID, Why: "the capture has no install id"}
}

// memFS is a read-only file system of regular files, for replays.
type memFS map[string]string

func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	content, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, r: strings.NewReader(content), size: int64(len(content))}, nil
}

type memFile struct {
	name string
	r    *strings.Reader
	size int64
}

func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name[strings.LastIndex(i.f.name, "/")+1:] }
func (i memInfo) Size() int64        { return i.f.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

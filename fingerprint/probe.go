package fingerprint

import (
	"errors"
	"io"
	"io/fs"
	"strings"
)

// Read limits. Every file the rules read is small; the limits keep a hostile or odd tree from
// costing more. mountinfo is larger on hosts with many mounts (container hosts, snaps).
const (
	smallFileLimit = 64 << 10
	mountinfoLimit = 1 << 20
)

// probe reads one Linux machine lazily: each file and variable at most once, and only when a
// rule needs it. It records what it looked at, in order, for [Evidence] and for captures.
type probe struct {
	fsys  fs.FS
	env   func(string) (string, bool)
	files map[string]probeFile // every file looked at
	order []string             // their names, first look first
	seen  map[string]struct{}  // the names in order
	vars  map[string]*string   // every variable looked up; nil = unset
	dmi   map[fwField]string   // DMI strings read so far
	mi    []mountEntry         // /proc/self/mountinfo, parsed once miOK
	miIDs map[string]bool      // the mount ids in mi
	miOK  bool
	flag  cpuFlag // the CPU's hypervisor flag, once cpuOK
	cpuOK bool
	// stat asks the live kernel about a path (see mounts.go); nil = mountinfo answers alone.
	stat func(path string) (pathStat, error)
	idc  map[Source]idContent // the verdict on each id source read
}

// probeFile is one file as the probe saw it.
type probeFile struct {
	content string
	read    bool  // content was read (not only stat'ed)
	err     error // nil, or why it could not be opened or read
}

func newProbe(fsys fs.FS, env func(string) (string, bool)) *probe {
	return &probe{fsys: fsys, env: env, files: map[string]probeFile{}, vars: map[string]*string{},
		dmi: map[fwField]string{}, seen: map[string]struct{}{}, idc: map[Source]idContent{}}
}

func (p *probe) note(name string) {
	if _, ok := p.seen[name]; !ok {
		p.seen[name] = struct{}{}
		p.order = append(p.order, name)
	}
}

// readLimit returns up to limit bytes of name, and whether it could be read.
func (p *probe) readLimit(name string, limit int64) (string, error) {
	if f, ok := p.files[name]; ok && f.read {
		return f.content, f.err
	}
	p.note(name)
	content, err := readFile(p.fsys, name, limit)
	p.files[name] = probeFile{content: content, read: true, err: err}
	return content, err
}

// read returns a small file's content, "" when it cannot be read.
func (p *probe) read(name string) string {
	s, _ := p.readLimit(name, smallFileLimit)
	return s
}

// exists reports whether name exists, without reading it.
func (p *probe) exists(name string) bool {
	if f, ok := p.files[name]; ok {
		return f.err == nil || !errors.Is(f.err, fs.ErrNotExist)
	}
	p.note(name)
	_, err := fs.Stat(p.fsys, name)
	p.files[name] = probeFile{err: err}
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}

// lookup returns an environment variable.
func (p *probe) lookup(name string) (string, bool) {
	if v, ok := p.vars[name]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	v, ok := p.env(name)
	if !ok {
		p.vars[name] = nil
		return "", false
	}
	p.vars[name] = &v
	return v, true
}

func readFile(fsys fs.FS, name string, limit int64) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// Files in /proc report size 0 and are generated at each read: one large read is cheaper
	// than io.ReadAll's growing ones.
	initial := int64(1 << 10)
	if limit > smallFileLimit {
		initial = 16 << 10
	}
	buf := make([]byte, 0, min(limit, initial))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	return string(buf), nil
}

// kernel returns the kernel release (/proc/sys/kernel/osrelease), trimmed.
func (p *probe) kernel() string {
	return strings.TrimSpace(p.read("proc/sys/kernel/osrelease"))
}

// cpuFlag is what /proc/cpuinfo says about the CPU's hypervisor flag.
type cpuFlag int

const (
	flagUnknown cpuFlag = iota // no x86 "flags" line (arm64 lists no such flag), or no cpuinfo
	flagClear                  // an x86 flags line without "hypervisor": no hypervisor below
	flagSet                    // "hypervisor" is in the flags: running under a hypervisor
)

// cpuHypervisor reads the first processor's block of /proc/cpuinfo. Only x86's "flags" line
// carries the hypervisor bit (CPUID leaf 1, ECX bit 31); arm64's "Features" line never does,
// so there its absence says nothing.
func (p *probe) cpuHypervisor() cpuFlag {
	if p.cpuOK {
		return p.flag
	}
	p.cpuOK = true
	content, err := p.readLimit("proc/cpuinfo", smallFileLimit)
	if err != nil {
		return flagUnknown
	}
	// Keep only the first processor's block: it is all the rule reads, and all a capture keeps.
	if i := strings.Index(content, "\n\n"); i >= 0 {
		content = content[:i+1]
		f := p.files["proc/cpuinfo"]
		f.content = content
		p.files["proc/cpuinfo"] = f
	}
	p.flag = parseCPUFlag(content)
	return p.flag
}

func parseCPUFlag(block string) cpuFlag {
	for _, line := range strings.Split(block, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(key) != "flags" {
			continue
		}
		for _, fl := range strings.Fields(val) {
			if fl == "hypervisor" {
				return flagSet
			}
		}
		return flagClear
	}
	return flagUnknown
}

// mounts returns /proc/self/mountinfo, parsed once.
func (p *probe) mounts() []mountEntry {
	if !p.miOK {
		p.miOK = true
		content, _ := p.readLimit("proc/self/mountinfo", mountinfoLimit)
		p.mi = parseMountinfo(content)
		p.miIDs = make(map[string]bool, len(p.mi))
		for _, e := range p.mi {
			p.miIDs[e.id] = true
		}
	}
	return p.mi
}

// mountAt returns the mount in effect at path, if one is mounted there: the mount that holds
// path (see mountContaining), when its mount point is path itself.
func (p *probe) mountAt(path string) (mountEntry, bool) {
	m, found := p.mountContaining(path)
	return m, found && m.point == path
}

// mountContaining returns the mount in effect for path, found as the kernel finds it: from this
// namespace's root mount, down path's directories, each time into the mount made on the current
// mount at that directory, the last one stacked there. A mount over a parent directory hides
// whatever was mounted below it on the mount underneath: a mount at /etc/machine-id and then one
// over /etc leave the file on the /etc mount. Mountinfo whose ids do not form such a tree (no
// root mount) is read by mount points alone: the last listed of the mounts at path or at its
// longest parent directory.
func (p *probe) mountContaining(path string) (mountEntry, bool) {
	mounts, ids := p.mounts(), p.miIDs
	// on returns the mount last stacked on the mount cur at point, or cur.
	on := func(cur mountEntry, point string) mountEntry {
		for moved := true; moved; {
			moved = false
			for _, e := range mounts {
				if e.parent == cur.id && e.point == point && e.id != cur.id {
					cur, moved = e, true
					break
				}
			}
		}
		return cur
	}
	for _, root := range mounts {
		if root.point != "/" || ids[root.parent] && root.parent != root.id {
			continue
		}
		cur := on(root, "/")
		for i := 1; i <= len(path); i++ {
			if i == len(path) || path[i] == '/' {
				cur = on(cur, path[:i])
			}
		}
		return cur, true
	}
	var m mountEntry
	found := false
	for _, e := range mounts {
		under := e.point == path || e.point == "/" || strings.HasPrefix(path, e.point+"/")
		if under && (!found || len(e.point) >= len(m.point)) {
			m, found = e, true
		}
	}
	return m, found
}

// mountEntry is one line of mountinfo: "id parent major:minor root point options [optional...]
// - fstype source superoptions".
type mountEntry struct {
	id, parent                             string // mount ids: this mount's, the one it is mounted on
	root, point, fstype, source, superOpts string
	line                                   string
}

func parseMountinfo(content string) []mountEntry {
	var out []mountEntry
	for _, line := range strings.Split(content, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		e := mountEntry{id: fields[0], parent: fields[1], root: unescapeMount(fields[3]), point: unescapeMount(fields[4]), line: line}
		for i := 5; i < len(fields); i++ {
			if fields[i] == "-" {
				if i+1 < len(fields) {
					e.fstype = fields[i+1]
				}
				if i+2 < len(fields) {
					e.source = fields[i+2]
				}
				if i+3 < len(fields) {
					e.superOpts = fields[i+3]
				}
				break
			}
		}
		out = append(out, e)
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes of space, tab, newline and backslash.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// rootFSType returns the file-system type of the mount in effect at "/".
func rootFSType(mountinfo string) string {
	fstype := ""
	for _, e := range parseMountinfo(mountinfo) {
		if e.point == "/" {
			fstype = e.fstype
		}
	}
	return fstype
}

// isMountPoint reports whether path is itself a mount point in a mountinfo listing.
func isMountPoint(mountinfo, path string) bool {
	for _, e := range parseMountinfo(mountinfo) {
		if e.point == path {
			return true
		}
	}
	return false
}

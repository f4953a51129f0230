package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tollgate-dev/tollgate/fingerprint"
)

// maxCaptureSize bounds the capture files read: a capture is a few KiB.
const maxCaptureSize = 4 << 20

// placeholderAppID is collected for when no --app-id is given: the fingerprint and user hash
// are keyed by the app id, so they are not shown then.
const placeholderAppID = "tollgate-support-tool"

// machineOutput is what `machine --json` prints: the activation API's field names, the id
// source, and the evidence.
type machineOutput struct {
	fingerprint.Answer
	AppID    string               `json:"appId,omitempty"`
	Evidence fingerprint.Evidence `json:"evidence"`
	Replay   *replayVerdict       `json:"replay,omitempty"`
}

// replayVerdict says whether a replay matched the capture's own answer.
type replayVerdict struct {
	Matches bool               `json:"matches"`
	Machine fingerprint.Answer `json:"machine"` // what the machine itself answered
}

func (e env) machine(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("machine", flag.ContinueOnError)
	appID := fs.String("app-id", "", "the application's app id (Config.AppID, by default the product id); the fingerprint and user hash are keyed by it")
	asJSON := fs.Bool("json", false, "print a JSON object with the API's field names, the id source and the evidence")
	capture := fs.String("capture", "", "write a capture of this machine to `FILE`, a new file (an existing name or link is refused), to send to support; it holds no raw id, only fingerprints keyed by --app-id")
	from := fs.String("from", "", "replay the capture in `FILE` instead of reading this machine")
	activated := fs.String("activated", "", "the hardware anchors the activation kept, as `LIST` (kind:hash,...: the app's Client.Machine(ctx).AnchorStrings(), or a run's --json \"anchors\" at activation): say which of them this machine still has, and whether it is the activated machine")
	if ok, code := e.parse(fs, "tollgate machine [--app-id ID] [--json] [--capture FILE | --from FILE]\n\nPrints this machine's signals as the activation API receives them, which id source the\nfingerprint came from and why the others were refused, and why the machine counts as a VM or\na container. Like the application, it creates the install id when no machine id is usable.\n--capture writes what collection read, with no raw id, for support; --from replays one.", args); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		return e.usageError("machine", "unexpected argument %q", fs.Arg(0))
	case *capture != "" && *from != "":
		return e.usageError("machine", "--capture and --from cannot be used together")
	}

	if *capture != "" {
		id := *appID
		if id == "" {
			id = placeholderAppID
			fmt.Fprintf(e.stderr, "tollgate machine: no --app-id: the capture's fingerprints are keyed by %q and will not match the activation's; its decisions replay all the same\n", id)
		}
		return e.capture(ctx, id, *capture, *asJSON)
	}
	if *from != "" {
		return e.replay(ctx, *appID, *from, *asJSON)
	}
	id := *appID
	if id == "" {
		id = placeholderAppID
	}
	m, ev, err := fingerprint.Explain(ctx, id)
	if err != nil {
		return e.fail("machine", err)
	}
	if *activated != "" {
		m, ev, _ = fingerprint.ReconcileEvidence(m, ev, strings.Split(*activated, ","))
	}
	out := machineOutput{Answer: fingerprint.AnswerOf(m), AppID: *appID, Evidence: ev}
	if *appID == "" {
		out.Fingerprint, out.UserHash = "", ""
		for i := range out.Evidence.IDs {
			out.Evidence.IDs[i].Fingerprint = ""
		}
	}
	return e.print(out, *asJSON)
}

func (e env) capture(ctx context.Context, appID, file string, asJSON bool) int {
	c, err := fingerprint.CaptureThisMachine(ctx, appID)
	if err != nil {
		return e.fail("machine", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return e.fail("machine", err)
	}
	if err := writeNew(file, append(b, '\n')); err != nil {
		return e.fail("machine", err)
	}
	_, ev, err := fingerprint.ExplainFrom(ctx, appID, c.Snapshot())
	if err != nil {
		return e.fail("machine", err)
	}
	if code := e.print(machineOutput{Answer: c.Answer, AppID: appID, Evidence: ev}, asJSON); code != exitOK {
		return code
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "\nwrote %s: %d files, %d variables, and per id source only its verdict and fingerprint\n", file, len(c.Files)+len(c.Binary), len(c.Env))
	}
	return exitOK
}

func (e env) replay(ctx context.Context, appID, file string, asJSON bool) int {
	f, err := os.Open(file)
	if err != nil {
		return e.fail("machine", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCaptureSize+1))
	if err != nil {
		return e.fail("machine", err)
	}
	if len(b) > maxCaptureSize {
		return e.fail("machine", fmt.Errorf("%s is over %d bytes: not a capture", file, maxCaptureSize))
	}
	var c fingerprint.Capture
	if err := json.Unmarshal(b, &c); err != nil {
		return e.fail("machine", fmt.Errorf("%s: not a capture: %v", file, err))
	}
	if err := c.Check(); err != nil {
		return e.fail("machine", fmt.Errorf("%s: %w", file, err))
	}
	if appID == "" {
		appID = c.AppID
	}
	m, ev, err := fingerprint.ExplainFrom(ctx, appID, c.Snapshot())
	if err != nil {
		return e.fail("machine", err)
	}
	got := fingerprint.AnswerOf(m)
	out := machineOutput{Answer: got, AppID: appID, Evidence: ev, Replay: &replayVerdict{Matches: got == c.Answer, Machine: c.Answer}}
	code := e.print(out, asJSON)
	if !out.Replay.Matches {
		if !asJSON {
			fmt.Fprintf(e.stdout, "\nthe replay DIFFERS from what the machine answered (%s): %+v\n", c.Taken.Format("2006-01-02 15:04 MST"), c.Answer)
		}
		return exitFail
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "\nthe replay matches what the machine answered (%s)\n", c.Taken.Format("2006-01-02 15:04 MST"))
	}
	return code
}

func (e env) print(out machineOutput, asJSON bool) int {
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return e.fail("machine", err)
		}
		return exitOK
	}
	w := e.stdout
	fmt.Fprintf(w, "os           %s\n", out.OS)
	fmt.Fprintf(w, "osVersion    %s\n", out.OSVersion)
	fmt.Fprintf(w, "hostname     %s\n", out.Hostname)
	if out.AppID == "" {
		fmt.Fprintf(w, "fingerprint  (pass --app-id: it is keyed by the app id) from %s\n", out.Source)
		fmt.Fprintf(w, "userHash     (pass --app-id)\n")
	} else {
		fmt.Fprintf(w, "fingerprint  %s  (app id %q, from %s)\n", out.Fingerprint, out.AppID, out.Source)
		fmt.Fprintf(w, "userHash     %s\n", out.UserHash)
	}
	fmt.Fprintf(w, "vmName       %q: %s\n", out.VMName, out.Evidence.VM)
	fmt.Fprintf(w, "container    %v: %s\n", out.Container, out.Evidence.Container)
	fmt.Fprintf(w, "\nid sources, in order:\n")
	for _, id := range out.Evidence.IDs {
		verdict := "refused"
		switch {
		case id.Source == out.Source:
			verdict = "USED"
		case id.Usable:
			verdict = "usable"
		case strings.HasPrefix(id.Why, "not consulted"):
			verdict = "skipped"
		}
		fmt.Fprintf(w, "  %-20s %-8s %s\n", id.Source, verdict, id.Why)
	}
	fmt.Fprintf(w, "\nhardware anchors (hashed, never raw): %s\n", out.Evidence.AnchorsWhy)
	for _, a := range out.Evidence.Anchors {
		verdict := ""
		switch {
		case a.Matched == nil:
		case *a.Matched:
			verdict = "matched"
		default:
			verdict = "no match"
		}
		fmt.Fprintf(w, "  %-6s %s  %-24s %s\n", a.Kind, a.Hash, a.From, verdict)
	}
	if n := len(out.Evidence.Files); n > 0 {
		fmt.Fprintf(w, "\nfiles looked at (%d): %s\n", n, strings.Join(out.Evidence.Files, " "))
	}
	return exitOK
}

// Command tollgate is a small tool for a vendor's support desk, and for users asked "why did my
// activation move?".
//
//	tollgate machine [--app-id ID] [--json]          this machine's signals, and why
//	tollgate machine --capture FILE [--app-id ID]    record them for support (no raw id leaves the machine)
//	tollgate machine --from FILE [--app-id ID]       replay a capture through fingerprint.CollectFrom
//	tollgate token [--public-key FILE] [--now TIME] TOKEN|-
//	                                                 decode an activation token, verify it, apply the time rules
//
// Every subcommand takes --help. The exit status is 0 on success, 1 when the work failed (or a
// token does not verify or fails the time rules), and 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `tollgate: support tool for the tollgate licensing SDK

Usage:
  tollgate machine [--app-id ID] [--json]        this machine's signals, as the API receives them, and why
  tollgate machine --activated LIST [--app-id ID] which of the activation's hardware anchors this machine still has
  tollgate machine --capture FILE [--app-id ID]  write what collection reads, without any raw id, to send to support
  tollgate machine --from FILE [--app-id ID]     replay a capture and show the same answer
  tollgate token [--public-key FILE] TOKEN|-     decode an activation token: claims, signature, time rules

Run "tollgate <command> --help" for a command's flags.
`

// env is what a subcommand reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "machine":
		return e.machine(ctx, args[1:])
	case "token":
		return e.token(ctx, args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "tollgate: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parse parses a subcommand's flags. --help prints the usage on stdout and ends with exit
// status 0; a bad flag prints the error and usage on stderr and ends with 2. ok is false when
// the command must end with code.
func (e env) parse(fs *flag.FlagSet, synopsis string, args []string) (ok bool, code int) {
	fs.SetOutput(io.Discard)
	printUsage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s\n\nFlags:\n", synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(e.stdout)
			return false, exitOK
		}
		fmt.Fprintf(e.stderr, "tollgate %s: %v\n", fs.Name(), err)
		printUsage(e.stderr)
		return false, exitUsage
	}
	return true, exitOK
}

// usageError reports bad usage and returns exit status 2.
func (e env) usageError(cmd, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "tollgate %s: %s\nRun \"tollgate %s --help\" for usage.\n", cmd, fmt.Sprintf(format, a...), cmd)
	return exitUsage
}

func (e env) fail(cmd string, err error) int {
	fmt.Fprintf(e.stderr, "tollgate %s: %v\n", cmd, err)
	return exitFail
}

// Command timer runs the cold start-up comparison: ROUNDS rounds, in each of which each program
// runs twice in a row and the second run is timed (a process started right after the other
// program is slowed by it, so the first run of each pair only settles the machine). The order of
// the two programs alternates between rounds. It prints the median wall time of each and the
// median of the per-round ratios. Usage: timer ROUNDS SDK FLOOR DIR
package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"
)

func main() {
	rounds, err := strconv.Atoi(os.Args[1])
	if err != nil || rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: timer ROUNDS SDK FLOOR DIR")
		os.Exit(2)
	}
	sdk, floor, dir := os.Args[2], os.Args[3], os.Args[4]
	var ts, tf, ratios []float64
	for r := 0; r < rounds; r++ {
		var s, f time.Duration
		if r%2 == 0 {
			s, f = second(sdk, dir), second(floor, dir)
		} else {
			f, s = second(floor, dir), second(sdk, dir)
		}
		ts = append(ts, float64(s))
		tf = append(tf, float64(f))
		ratios = append(ratios, float64(s)/float64(f))
	}
	fmt.Printf("  sdk   median %7.3f ms (min %.3f)\n", median(ts)/1e6, slices.Min(ts)/1e6)
	fmt.Printf("  floor median %7.3f ms (min %.3f)\n", median(tf)/1e6, slices.Min(tf)/1e6)
	fmt.Printf("  ratio median %.3f over %d rounds (quartiles %.3f to %.3f; target <= 1.2)\n",
		median(ratios), rounds, quantile(ratios, 0.25), quantile(ratios, 0.75))
}

// second runs prog twice and returns the wall time of the second run.
func second(prog, dir string) time.Duration {
	run(prog, dir)
	return run(prog, dir)
}

func run(prog, dir string) time.Duration {
	cmd := exec.Command(prog, dir)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "timer: %s: %v\n", prog, err)
		os.Exit(1)
	}
	return d
}

func median(v []float64) float64 { return quantile(v, 0.5) }

func quantile(v []float64, q float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1)+0.5)]
}

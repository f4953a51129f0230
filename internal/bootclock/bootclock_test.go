package bootclock

import (
	"runtime"
	"testing"
	"time"
)

// TestRead: where the OS has a boot clock, two readings agree on the boot and on its start (to
// within the time the readings take and the clock's slewing), and the start is in the past.
func TestRead(t *testing.T) {
	a, ok := Read()
	switch runtime.GOOS {
	case "linux", "darwin", "windows":
		if !ok {
			t.Fatal("no reading")
		}
	default:
		if !ok {
			t.Skip("no boot clock on " + runtime.GOOS)
		}
	}
	b, _ := Read()
	if a.ID != b.ID {
		t.Errorf("boot id changed between two readings: %q, %q", a.ID, b.ID)
	}
	if d := b.Start.Sub(a.Start); d < -2*time.Second || d > 2*time.Second {
		t.Errorf("boot start moved by %v between two readings", d)
	}
	if !a.Start.Before(time.Now()) || a.Start.Before(time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("boot start %v", a.Start)
	}
	if runtime.GOOS == "linux" && len(a.ID) != 36 {
		t.Errorf("boot id %q is not a UUID", a.ID)
	}
}

// TestReader: a Reader gives Read's id and start.
func TestReader(t *testing.T) {
	a, ok := Read()
	if !ok {
		t.Skip("no boot clock on " + runtime.GOOS)
	}
	var r Reader
	for range 2 {
		b, ok := r.Read()
		if !ok || b.ID != a.ID || b.Start.Sub(a.Start).Abs() > 2*time.Second {
			t.Errorf("Reader: %+v, Read: %+v", b, a)
		}
	}
}

// BenchmarkReaderRead is the cost a Validate pays for the boot clock.
func BenchmarkReaderRead(b *testing.B) {
	var r Reader
	for b.Loop() {
		r.Read()
	}
}

//go:build linux

package sku_test

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuMeter reports, as "cpu-ns/op", the CPU time the benchmark's own
// thread spent per op: on a machine shared with other work, ns/op counts
// time spent waiting for a core and cpu-ns/op does not. It locks the
// calling goroutine to its thread until the returned func runs; call it
// right before the b.Loop loop and the returned func right after. Work on
// other threads (background GC) is not counted.
func cpuMeter(b *testing.B) (stop func()) {
	runtime.LockOSThread()
	start, ok := threadCPU()
	return func() {
		end, ok2 := threadCPU()
		runtime.UnlockOSThread()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

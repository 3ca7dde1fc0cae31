//go:build !linux

package sku_test

import "testing"

// cpuMeter reports nothing where the thread's CPU time is not available;
// see cpu_linux_test.go.
func cpuMeter(*testing.B) (stop func()) { return func() {} }

//go:build (amd64 || arm64) && !purego

package tree

// prefetch asks the processor to bring the cache lines holding addrs into
// its caches, without waiting for them and without faulting on any
// address: one call for a step's many reads. It keeps no reference to
// addrs.
//
//go:noescape
func prefetch(addrs []uintptr)

//go:build (amd64 || arm64) && !purego

package hierarchy

// prefetch asks the processor to bring the cache line holding addr into
// its caches, without waiting for it and without faulting on any address.
func prefetch(addr uintptr)

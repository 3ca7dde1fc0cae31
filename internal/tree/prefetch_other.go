//go:build (!amd64 && !arm64) || purego

package tree

// prefetch does nothing where the package has no prefetch instruction (or
// is built with the purego tag): Readahead then only takes its steps.
func prefetch(addrs []uintptr) {}

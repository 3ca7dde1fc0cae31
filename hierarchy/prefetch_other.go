//go:build !amd64 && !arm64

package hierarchy

// prefetch does nothing where the package has no prefetch instruction:
// Readahead then only takes its steps.
func prefetch(addr uintptr) {}

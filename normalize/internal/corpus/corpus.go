// Package corpus registers the -corpus test flag that
// `go test ./normalize/... -corpus ../shared/payloads` passes to every
// package under normalize: each of their test binaries must know the flag,
// so each imports this package from a test file. The real-payload check
// itself runs in normalize's tests.
package corpus

import "flag"

// Dir is the folder of real public payloads, one sub-folder per platform;
// empty when the flag is not given, and the check is skipped.
var Dir = flag.String("corpus", "", "folder of real platform payloads (shopify/, woocommerce/, magento/) to decode and reconcile")

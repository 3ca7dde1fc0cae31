package main

import (
	"path/filepath"
	"testing"

	"github.com/uplinehq/upline/examples/internal/webhookd"
	"github.com/uplinehq/upline/examples/internal/webhookd/killtest"
)

// TestKill kills the server with SIGKILL while 16 clients deliver, and
// starts it again on the same file inbox: every delivery answered 2xx is
// in the inbox, the restarted server (its memory ledger rebuilt from the
// inbox) and the platform's retries of the rest end in the ledger the
// deliveries in order make — nothing lost, nothing posted twice.
func TestKill(t *testing.T) {
	killtest.Run(t, webhookd.Config{Data: "../quickstart/data", Inbox: filepath.Join(t.TempDir(), "inbox.jsonl")})
}

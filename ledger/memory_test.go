package ledger_test

import (
	"testing"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
)

func TestMemoryConformance(t *testing.T) {
	ledgertest.Run(t, ledgertest.Features{}, func(*testing.T) ledger.Store { return ledger.NewMemory() })
}

// TestMemoryConformanceReopened runs the checks of a store that can be
// reopened, on a "reopened" Memory that is the same handle: it keeps the
// suite's Reopen checks themselves tested.
func TestMemoryConformanceReopened(t *testing.T) {
	reopen := func(_ *testing.T, s ledger.Store) ledger.Store { return s }
	ledgertest.Run(t, ledgertest.Features{Reopen: reopen}, func(*testing.T) ledger.Store { return ledger.NewMemory() })
}

func TestZeroMemoryConformance(t *testing.T) {
	ledgertest.Run(t, ledgertest.Features{}, func(*testing.T) ledger.Store { return new(ledger.Memory) })
}

package ledger_test

import (
	"testing"

	"github.com/uplinehq/upline/ledger"
	"github.com/uplinehq/upline/ledger/ledgertest"
)

func TestMemoryConformance(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) ledger.Store { return ledger.NewMemory() })
}

func TestZeroMemoryConformance(t *testing.T) {
	ledgertest.Run(t, func(*testing.T) ledger.Store { return new(ledger.Memory) })
}

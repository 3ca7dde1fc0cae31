package commissiontest_test

import (
	"testing"

	"github.com/uplinehq/upline/commission/commissiontest"
	"github.com/uplinehq/upline/internal/golden"
)

// TestScenarios plays every scenario under commission/testdata/scenarios
// against its golden files. go test -update rewrites them: read the diff
// and each scenario's README before accepting.
func TestScenarios(t *testing.T) {
	commissiontest.RunAll(t, "../testdata/scenarios", commissiontest.Update(golden.Updating()))
}

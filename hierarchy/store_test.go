package hierarchy_test

import (
	"errors"
	"testing"

	"github.com/uplinehq/upline/hierarchy"
	"github.com/uplinehq/upline/hierarchy/hierarchytest"
)

func TestMemoryStore(t *testing.T) {
	hierarchytest.Run(t, func() hierarchy.Store { return &hierarchy.Memory{} })
}

type failing struct{ hierarchy.Memory }

var errDisk = errors.New("disk full")

func (*failing) Append(...hierarchy.Change) error { return errDisk }

// A store that fails leaves the genealogy unchanged.
func TestRecordStoreFailure(t *testing.T) {
	var g hierarchy.Genealogy
	err := g.Record(&failing{}, hierarchy.Change{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Effective: date(1, 1), Recorded: date(1, 1)})
	if !errors.Is(err, errDisk) || g.Len() != 0 || g.Changes() != 0 {
		t.Fatalf("Record = %v with %d members; want the store's error and nothing applied", err, g.Len())
	}
}

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

// streaming is Memory as a Streamer, so the suite covers Open's
// streaming path as well as its plain one.
type streaming struct{ hierarchy.Memory }

func (s *streaming) Stream(fn func(hierarchy.Change) error) error {
	changes, err := s.Load()
	if err != nil {
		return err
	}
	for _, c := range changes {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func TestStreamingStore(t *testing.T) {
	hierarchytest.Run(t, func() hierarchy.Store { return &streaming{} })
}

// Open through Stream names the change refused, as Build does.
func TestOpenStreamRefused(t *testing.T) {
	for _, s := range []hierarchy.Store{&hierarchy.Memory{}, &streaming{}} {
		at := date(1, 1)
		s.Append(hierarchy.Change{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Effective: at, Recorded: at},
			hierarchy.Change{Op: hierarchy.OpEnroll, Member: "a", Kind: hierarchy.Distributor, Effective: at, Recorded: at})
		g, err := hierarchy.Open(s)
		var e *hierarchy.Error
		if g != nil || !errors.As(err, &e) || e.Index != 1 || !errors.Is(err, hierarchy.ErrDuplicateMember) {
			t.Errorf("%T: Open = %v, %v; want ErrDuplicateMember at index 1", s, g, err)
		}
	}
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

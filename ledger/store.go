package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Store is where entries are kept. It is append-only: entries are never
// updated or deleted. Entries are grouped into streams (one per order, one
// for payouts, one per adjustment); each stream has a version, the number
// of entries in it, which Append checks so that two writers racing on one
// stream cannot both append (optimistic concurrency).
//
// Implementations must be safe for concurrent use and pass
// ledgertest.Run.
type Store interface {
	// Append appends entries to stream atomically, if the stream's
	// version is expectedVersion (0 for a stream that does not exist).
	// It sets each stored entry's Stream and Seq (expectedVersion+1,
	// +2, ...). It fails with an error wrapping ErrVersionConflict when
	// the version differs, and with one wrapping ErrDuplicateID when an
	// entry's ID is already in the store or twice in entries; either way
	// nothing is appended.
	Append(ctx context.Context, stream string, expectedVersion int, entries []Entry) error
	// Stream returns the entries of stream in order, and its version. A
	// stream that does not exist has no entries and version 0.
	Stream(ctx context.Context, stream string) ([]Entry, int, error)
	// Scan calls fn for every entry f matches, ordered by Stream, then
	// Seq, and stops at the first error fn returns, returning it.
	Scan(ctx context.Context, f Filter, fn func(*Entry) error) error
}

// Store errors.
var (
	// ErrVersionConflict: another writer appended to the stream first.
	ErrVersionConflict = errors.New("ledger: stream version conflict")
	// ErrDuplicateID: an entry id is already in the store.
	ErrDuplicateID = errors.New("ledger: duplicate entry id")
	// ErrInvalidEntry: an entry cannot be stored (no id, no type).
	ErrInvalidEntry = errors.New("ledger: invalid entry")
)

// Memory is the in-memory Store, the embedded default. The zero Memory is
// ready to use and safe for concurrent use.
type Memory struct {
	mu      sync.RWMutex
	streams map[string][]Entry
	ids     map[string]struct{}
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{} }

// Append implements Store.
func (m *Memory) Append(ctx context.Context, stream string, expectedVersion int, entries []Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if stream == "" {
		return fmt.Errorf("%w: empty stream name", ErrInvalidEntry)
	}
	for i := range entries {
		if entries[i].ID == "" || entries[i].Type == 0 {
			return fmt.Errorf("%w: entry %d of stream %s has no id or no type", ErrInvalidEntry, i, stream)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.streams == nil {
		m.streams = make(map[string][]Entry)
		m.ids = make(map[string]struct{})
	}
	cur := m.streams[stream]
	if len(cur) != expectedVersion {
		return fmt.Errorf("%w: stream %s is at version %d, not %d", ErrVersionConflict, stream, len(cur), expectedVersion)
	}
	for i := range entries {
		id := entries[i].ID
		if _, dup := m.ids[id]; dup {
			return fmt.Errorf("%w: %s", ErrDuplicateID, id)
		}
		for j := range i {
			if entries[j].ID == id {
				return fmt.Errorf("%w: %s twice in one append", ErrDuplicateID, id)
			}
		}
	}
	out := slices.Grow(cur, len(entries))
	for i := range entries {
		e := entries[i]
		e.Stream, e.Seq = stream, len(cur)+i+1
		if e.Event != nil {
			ev := *e.Event
			e.Event = &ev
		}
		out = append(out, e)
		m.ids[e.ID] = struct{}{}
	}
	m.streams[stream] = out
	return nil
}

// Stream implements Store.
func (m *Memory) Stream(ctx context.Context, stream string) ([]Entry, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := m.streams[stream]
	return slices.Clone(s), len(s), nil
}

// Scan implements Store.
func (m *Memory) Scan(ctx context.Context, f Filter, fn func(*Entry) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var out []Entry
	m.mu.RLock()
	for _, s := range m.streams {
		for i := range s {
			if f.Match(&s[i]) {
				out = append(out, s[i])
			}
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Entry) int {
		if c := cmp.Compare(a.Stream, b.Stream); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	for i := range out {
		if err := fn(&out[i]); err != nil {
			return err
		}
	}
	return nil
}

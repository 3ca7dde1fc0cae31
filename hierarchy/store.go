package hierarchy

import "sync"

// Store keeps the change log, the source of truth a Genealogy is rebuilt
// from. Append adds changes at the end, in order; Load returns every change
// appended, in order. Implementations must be safe for concurrent use and
// pass hierarchytest.Run.
type Store interface {
	Append(changes ...Change) error
	Load() ([]Change, error)
}

// Streamer is a Store that can pass its log to fn one change at a time, in
// the order appended, instead of returning it whole; it stops at fn's
// first error and returns it. Open applies changes as a Streamer reads
// them, so a large log is never held twice and reading it overlaps
// building the genealogy (a database adapter's capability, as io.WriterTo
// is a Writer's).
type Streamer interface {
	Store
	Stream(fn func(Change) error) error
}

// Memory is the in-memory Store, the default. The zero value is an empty
// log ready to use.
type Memory struct {
	mu  sync.Mutex
	log []Change
}

var _ Store = (*Memory)(nil)

// Append adds changes at the end of the log.
func (s *Memory) Append(changes ...Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, changes...)
	return nil
}

// Load returns a copy of the log.
func (s *Memory) Load() ([]Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Change(nil), s.log...), nil
}

// Open builds a Genealogy from the log in s, through Stream when s is a
// Streamer. An error names the index of the change refused.
func Open(s Store) (*Genealogy, error) {
	if st, ok := s.(Streamer); ok {
		g := &Genealogy{}
		i := 0
		err := st.Stream(func(c Change) error {
			p, err := g.check(&c, i)
			if err != nil {
				return err
			}
			g.commit(&p)
			i++
			return nil
		})
		if err != nil {
			return nil, err
		}
		return g, nil
	}
	changes, err := s.Load()
	if err != nil {
		return nil, err
	}
	return Build(changes)
}

// Record checks c against g, appends it to s and then applies it to g, so
// that s holds exactly the changes g accepted. If s fails, g is unchanged
// and the store's error is returned.
func (g *Genealogy) Record(s Store, c Change) error {
	p, err := g.check(&c, -1)
	if err != nil {
		return err
	}
	if err := s.Append(c); err != nil {
		return err
	}
	g.commit(&p)
	return nil
}

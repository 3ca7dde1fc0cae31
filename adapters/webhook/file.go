package webhook

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// File is an Inbox kept in an append-only file of JSON lines, one record
// or settlement a line, each written and fsynced before Put returns: a
// process killed at any instant loses nothing Put returned for. It holds
// its records in memory too, to answer Get, Held and Scan; it is not
// compacted.
//
// A line cut short by a crash (written but never synced, so never
// acknowledged) is cut off when the file is opened again. A line that
// cannot be read anywhere else is an error: Open refuses the file.
type File struct {
	mu   sync.Mutex
	f    *os.File
	size int64
	// err, once set, fails every later Put: the file could not be
	// brought back to its last whole line after a failed write.
	err error
	mem Memory
}

var _ Inbox = (*File)(nil)

// OpenFile opens the inbox file at path, creating it if need be, and
// reads what it holds.
func OpenFile(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("webhook: open inbox: %w", err)
	}
	x := &File{f: f}
	if err := x.load(); err != nil {
		f.Close()
		return nil, err
	}
	// The file's name must survive a crash as well as its lines.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return x, nil
}

// load reads every whole line and cuts off a torn last one.
func (x *File) load() error {
	r := bufio.NewReaderSize(x.f, 1<<20)
	var off int64
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(line) > 0 {
				// Torn by a crash mid-write: never synced, never acknowledged.
				if err := x.f.Truncate(off); err != nil {
					return fmt.Errorf("webhook: inbox: cut a torn line: %w", err)
				}
				if err := x.f.Sync(); err != nil {
					return fmt.Errorf("webhook: inbox: %w", err)
				}
			}
			break
		}
		if err != nil {
			return fmt.Errorf("webhook: read inbox: %w", err)
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("webhook: inbox line %d: %w", n, err)
		}
		if err := checkRecord(&rec); err != nil {
			return fmt.Errorf("webhook: inbox line %d: %w", n, err)
		}
		x.mem.put(&rec)
		off += int64(len(line))
	}
	x.size = off
	_, err := x.f.Seek(off, io.SeekStart)
	return err
}

// Put implements Inbox: the line is on disk when it returns nil.
func (x *File) Put(ctx context.Context, r *Record) error {
	if err := checkRecord(r); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err != nil {
		return x.err
	}
	x.mem.mu.RLock()
	old, known := x.mem.recs[r.ID]
	final := known && old.State == Done && r.State != Done
	x.mem.mu.RUnlock()
	if final {
		return nil
	}
	line := r
	if known {
		// The body and headers are in the record's first line.
		line = &Record{ID: r.ID, State: r.State, Outcome: r.Outcome, Order: r.Order,
			Reason: r.Reason, Detail: r.Detail, Attempts: r.Attempts, Updated: r.Updated}
	}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("webhook: inbox: %w", err)
	}
	b = append(b, '\n')
	if err := x.append(b); err != nil {
		return err
	}
	x.mem.mu.Lock()
	x.mem.put(r)
	x.mem.mu.Unlock()
	return nil
}

// append writes b and syncs; on failure it cuts the file back to its
// last whole line, so a later line never follows a torn one.
func (x *File) append(b []byte) error {
	_, err := x.f.Write(b)
	if err == nil {
		err = x.f.Sync()
	}
	if err == nil {
		x.size += int64(len(b))
		return nil
	}
	err = fmt.Errorf("webhook: inbox write: %w", err)
	if terr := x.f.Truncate(x.size); terr != nil {
		x.err = fmt.Errorf("webhook: inbox unusable after a failed write: %w", errors.Join(err, terr))
	} else if _, serr := x.f.Seek(x.size, io.SeekStart); serr != nil {
		x.err = fmt.Errorf("webhook: inbox unusable after a failed write: %w", errors.Join(err, serr))
	}
	return err
}

// Get implements Inbox.
func (x *File) Get(ctx context.Context, id string) (Record, bool, error) {
	return x.mem.Get(ctx, id)
}

// Held implements Inbox.
func (x *File) Held(ctx context.Context, reason string) ([]Record, error) {
	return x.mem.Held(ctx, reason)
}

// Scan implements Inbox.
func (x *File) Scan(ctx context.Context, fn func(Record) error) error {
	return x.mem.Scan(ctx, fn)
}

// Len returns how many records x holds.
func (x *File) Len() int { return x.mem.Len() }

// Close closes the file; x must not be used after.
func (x *File) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err == nil {
		x.err = errors.New("webhook: inbox closed")
	}
	return x.f.Close()
}

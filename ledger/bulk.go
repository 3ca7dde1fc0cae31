package ledger

import (
	"context"
	"errors"
	"time"

	"github.com/uplinehq/upline/normalize"
)

// bulkOrders bounds the orders one batch of PostAll appends: a transaction
// of a few thousand rows commits at COPY's speed, and a failed batch costs
// at most that many posts one by one.
const bulkOrders = 256

// PostAll posts orders in turn, as calling Post for each would, and stops
// at the first one Post would refuse, returning the results of the orders
// before it and its own, with its error. When the store is a Batcher, the
// entries of many orders are appended in one batch, so that importing or
// replaying history is not bound by one commit per order; each order is
// still decided from its own stream and posted exactly once. A batch that
// another writer overtook (ErrVersionConflict, ErrDuplicateID) is posted
// again one order at a time, each read again. A replacement order
// (ReplacesOrderID) touches other orders' streams, and is posted on its
// own after the batch before it.
func (l *Ledger) PostAll(ctx context.Context, orders []normalize.Order, at time.Time) ([]Result, error) {
	results := make([]Result, 0, len(orders))
	b, ok := l.store.(Batcher)
	if !ok {
		for i := range orders {
			res, err := l.Post(ctx, &orders[i], at)
			results = append(results, res)
			if err != nil {
				return results, err
			}
		}
		return results, nil
	}
	var batch []Append
	var idx []int // the index in orders of each of batch's appends
	pending := make(map[normalize.Key]bool)
	// Orders are posted through a ledger whose store serves each
	// stream's first read from reads made together, ahead, of the
	// streams of the orders before ahead.
	cache := &readAhead{Store: l.store, b: b}
	lc := *l
	lc.store = cache
	ahead := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		for _, a := range batch {
			delete(cache.streams, a.Stream) // read again when the batch has appended
		}
		err := b.AppendBatch(ctx, batch)
		if errors.Is(err, ErrVersionConflict) || errors.Is(err, ErrDuplicateID) {
			err = nil
			for _, i := range idx {
				res, perr := lc.Post(ctx, &orders[i], at)
				results[i] = res
				if perr != nil {
					results, err = results[:i+1], perr
					break
				}
			}
		} else if err != nil {
			results = results[:idx[0]]
		}
		batch, idx = batch[:0], idx[:0]
		clear(pending)
		return err
	}
	for i := range orders {
		o := &orders[i]
		if pending[o.Key()] || isReplacement(o) || len(batch) == bulkOrders {
			if err := flush(); err != nil {
				return results, err
			}
		}
		if i >= ahead {
			ahead = min(i+bulkOrders, len(orders))
			cache.fill(ctx, orders[i:ahead])
		}
		var res Result
		var err error
		if isReplacement(o) {
			res, err = lc.Post(ctx, o, at)
		} else {
			res, err = lc.post(ctx, o, at, func(_ context.Context, stream string, version int, entries []Entry) error {
				batch = append(batch, Append{Stream: stream, ExpectedVersion: version, Entries: entries})
				idx = append(idx, i)
				pending[o.Key()] = true
				return nil
			})
		}
		results = append(results, res)
		if err != nil {
			if ferr := flush(); ferr != nil {
				return results, ferr
			}
			return results, err
		}
	}
	return results, flush()
}

// readAhead is a Store that serves the first read of a stream from one
// made ahead with Batcher.Streams, together with other streams' (fill):
// one round trip for a batch's orders instead of one each. A read ahead
// is as fresh as one made when it is served, but for other writers, whom
// a version conflict reveals as it does any read: every append through
// readAhead drops all that was read ahead, and PostAll drops a batch's
// streams before it appends the batch.
type readAhead struct {
	Store
	b       Batcher
	streams map[string][]Entry
}

// fill reads the streams of orders. A failed read is left to be made,
// and fail, when it is served.
func (r *readAhead) fill(ctx context.Context, orders []normalize.Order) {
	if r.streams == nil {
		r.streams = make(map[string][]Entry)
	}
	var streams []string
	for i := range orders {
		stream := OrderStream(orders[i].Key())
		if _, ok := r.streams[stream]; !ok {
			r.streams[stream] = nil
			streams = append(streams, stream)
		}
	}
	read, err := r.b.Streams(ctx, streams)
	for i, stream := range streams {
		if err != nil {
			delete(r.streams, stream)
		} else {
			r.streams[stream] = read[i]
		}
	}
}

func (r *readAhead) reset() { clear(r.streams) }

// Stream implements Store.
func (r *readAhead) Stream(ctx context.Context, stream string) ([]Entry, int, error) {
	if es, ok := r.streams[stream]; ok {
		delete(r.streams, stream)
		return es, len(es), nil
	}
	return r.Store.Stream(ctx, stream)
}

// Append implements Store.
func (r *readAhead) Append(ctx context.Context, stream string, expectedVersion int, entries []Entry) error {
	r.reset()
	return r.Store.Append(ctx, stream, expectedVersion, entries)
}

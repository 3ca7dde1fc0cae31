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
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := b.AppendBatch(ctx, batch)
		if errors.Is(err, ErrVersionConflict) || errors.Is(err, ErrDuplicateID) {
			err = nil
			for _, i := range idx {
				res, perr := l.Post(ctx, &orders[i], at)
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
		var res Result
		var err error
		if isReplacement(o) {
			res, err = l.Post(ctx, o, at)
		} else {
			res, err = l.post(ctx, o, at, func(_ context.Context, stream string, version int, entries []Entry) error {
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

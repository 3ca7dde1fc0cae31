package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uplinehq/upline/commission"
	"github.com/uplinehq/upline/normalize"
)

func isReplacement(o *normalize.Order) bool {
	return o.ReplacesOrderID != "" && o.ReplacesOrderID != o.PlatformOrderID
}

func replacedKey(o *normalize.Order) normalize.Key {
	return normalize.Key{Platform: o.Platform, Store: o.Store, OrderID: o.ReplacesOrderID}
}

// basisFor returns the basis to calculate a body o of the order st on:
// the order's own once it has one; else, for a replacement, the basis of
// the order it replaces when that was posted; else a lock at at and o's
// own OrderTS. orig is the original of a replacement whose own stream has
// no basis yet: Post brings it to zero and marks it replaced before
// posting o. A replacement of an order another order replaced already is
// ambiguous: a *HeldError wrapping ErrAmbiguousReplacement.
func (l *Ledger) basisFor(ctx context.Context, o *normalize.Order, st *orderState, at time.Time) (basis, *orderState, error) {
	if st.based {
		return st.basis(), nil, nil
	}
	own := basis{commission.Lock{Known: at}, o.OrderTS.UTC()}
	if !isReplacement(o) {
		return own, nil, nil
	}
	orig, err := l.readState(ctx, replacedKey(o))
	if err != nil {
		return basis{}, nil, err
	}
	if by := orig.replacedBy; by != (normalize.Key{}) && by != st.key {
		return basis{}, nil, ambiguous(o, by)
	}
	if orig.based {
		return orig.basis(), &orig, nil
	}
	return own, &orig, nil
}

func ambiguous(o *normalize.Order, by normalize.Key) error {
	return &HeldError{Order: o.Key(), Revision: o.Version.UTC(), Err: fmt.Errorf("%w: %s replaces order %s, which %s replaced already",
		ErrAmbiguousReplacement, o.Key(), o.ReplacesOrderID, by)}
}

// replace appends, atomically, the corrections that bring every slot of
// orig to zero and the record marking it replaced by the order by. The
// record is appended even to an original never posted, so that its late
// delivery is stale rather than paid beside its replacement.
func (l *Ledger) replace(ctx context.Context, orig *orderState, by normalize.Key, rev, at time.Time) ([]Entry, error) {
	rev = nextRevision(orig.last, rev)
	add, err := orig.zero(at, rev)
	if err != nil {
		return nil, err
	}
	add = append(add, Entry{ID: "replaced " + orig.stream, Type: TypeReplaced, Effective: rev, Posted: at,
		Order: orig.key, Revision: rev, Lock: orig.lock, ReplacedBy: by})
	if err := l.store.Append(ctx, orig.stream, orig.version, add); err != nil {
		return nil, err
	}
	return add, nil
}

// maxChain bounds how many replacements deep a chain of edits is followed.
const maxChain = 64

// adoptLink handles a late link of a chain of edits: o replaces an order
// P, but o itself was replaced already (its replacement arrived first and
// marked it). The chain's last order F — the one nothing replaces — is what
// pays. Unless P is marked already, adoptLink brings P to zero, marks it
// replaced by F, and calculates F again on the basis the chain starts
// from (P's when P was posted, else o's own), as if the edits had arrived
// in order. The delivery itself is Stale.
func (l *Ledger) adoptLink(ctx context.Context, o *normalize.Order, st *orderState, at time.Time, res *Result) (bool, error) {
	p, err := l.readState(ctx, replacedKey(o))
	if err != nil {
		return true, err
	}
	last, err := l.chainEnd(ctx, st.replacedBy)
	if err != nil {
		return true, err
	}
	switch p.replacedBy {
	case normalize.Key{}:
	case st.key, st.replacedBy, last.key:
		return true, nil
	default:
		return true, ambiguous(o, p.replacedBy)
	}
	b := basis{commission.Lock{Known: at}, o.OrderTS.UTC()}
	if p.based {
		b = p.basis()
	}
	if last.frozen != nil {
		return true, frozenError(&last, o.Version.UTC())
	}
	zeroed, err := l.replace(ctx, &p, last.key, o.Version.UTC(), at)
	if errors.Is(err, ErrVersionConflict) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	res.Replaced = p.key
	res.Entries = append(res.Entries, zeroed...)
	return l.rebase(ctx, last, b, at, res)
}

// adoptRoot handles the late first body of an order o that was replaced
// before it was ever posted (its edit arrived first): o is where the
// chain of edits starts, so the chain's last order is calculated again on
// o's basis — the lock at at and o's OrderTS — and o's stream records that
// basis, so that o delivered again changes nothing.
func (l *Ledger) adoptRoot(ctx context.Context, o *normalize.Order, st *orderState, at time.Time, res *Result) (bool, error) {
	last, err := l.chainEnd(ctx, st.replacedBy)
	if err != nil {
		return true, err
	}
	if last.frozen != nil {
		return true, frozenError(&last, o.Version.UTC())
	}
	b := basis{commission.Lock{Known: at}, o.OrderTS.UTC()}
	rev := nextRevision(st.last, o.Version)
	rec := []Entry{revisionEntry(st, o, b, at, rev)}
	if err := l.store.Append(ctx, st.stream, st.version, rec); errors.Is(err, ErrVersionConflict) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	res.Entries = append(res.Entries, rec...)
	return l.rebase(ctx, last, b, at, res)
}

// rebase calculates the chain's last order last again on basis b, unless
// it is calculated on it already. Should this fail, what was appended
// before stands: a later delivery of any order of the chain tries again.
func (l *Ledger) rebase(ctx context.Context, last orderState, b basis, at time.Time, res *Result) (bool, error) {
	for range l.attempts {
		if last.body == nil || last.lock.Known.Equal(b.lock.Known) && last.placed.Equal(b.placed) &&
			(b.lock.PlanID == "" || b.lock == last.lock) {
			return true, nil
		}
		merged, err := merge(last.body, last.refunds)
		if err != nil {
			return true, &HeldError{Order: last.key, Revision: last.body.Version.UTC(), Err: err}
		}
		calc, add, rev, err := l.calculate(&last, &merged, b, at)
		if err != nil {
			return true, err
		}
		add = append(add, revisionEntry(&last, last.body, basis{calc.Lock, b.placed}, at, rev))
		err = l.store.Append(ctx, last.stream, last.version, add)
		if err == nil {
			res.Entries = append(res.Entries, add...)
			return true, nil
		}
		if !errors.Is(err, ErrVersionConflict) {
			return true, err
		}
		if last, err = l.readState(ctx, last.key); err != nil {
			return true, err
		}
	}
	return true, fmt.Errorf("%w: order %s after %d attempts", ErrContention, last.key, l.attempts)
}

// chainEnd follows ReplacedBy from k to the order nothing replaces.
func (l *Ledger) chainEnd(ctx context.Context, k normalize.Key) (orderState, error) {
	for range maxChain {
		st, err := l.readState(ctx, k)
		if err != nil || st.replacedBy == (normalize.Key{}) {
			return st, err
		}
		k = st.replacedBy
	}
	return orderState{}, fmt.Errorf("%w: order %s: a chain of more than %d replacements", ErrInvalid, k, maxChain)
}

// freeze handles a delivery in another currency than the order's (what
// arrived at instant v, in currency): the ledger cannot tell which is
// right, so it pays neither. It brings every slot to zero, records the
// order frozen, and refuses the delivery with a *HeldError wrapping
// ErrCurrencyChanged; every later delivery of the order is held the same
// way.
func (l *Ledger) freeze(ctx context.Context, st *orderState, what string, v time.Time, currency string, at time.Time, res *Result) (bool, error) {
	rev := nextRevision(st.last, v)
	add, err := st.zero(at, rev)
	if err != nil {
		return true, err
	}
	add = append(add, Entry{ID: "frozen " + st.stream, Type: TypeFrozen, Currency: st.currency, Effective: rev, Posted: at,
		Order: st.key, Revision: rev, Lock: st.lock,
		Reason: fmt.Sprintf("%s of %s is in %s; the order is in %s", what, v.UTC().Format(time.RFC3339Nano), currency, st.currency)})
	if err := l.store.Append(ctx, st.stream, st.version, add); errors.Is(err, ErrVersionConflict) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	res.Entries = add
	return true, &HeldError{Order: st.key, Revision: v.UTC(), Err: fmt.Errorf("%w: %s", ErrCurrencyChanged, add[len(add)-1].Reason)}
}

func frozenError(st *orderState, rev time.Time) error {
	return &HeldError{Order: st.key, Revision: rev, Err: fmt.Errorf("%w: the order is frozen: %s", ErrCurrencyChanged, st.frozen.Reason)}
}

package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
		// Another order replaced the original — or a later edit of this
		// one did, through this order's own stream, since it was read.
		now, err := l.readState(ctx, st.key)
		if err != nil {
			return basis{}, nil, err
		}
		if now.version != st.version {
			return basis{}, nil, errReread
		}
		return basis{}, nil, ambiguous(o, by)
	}
	if orig.based {
		return orig.basis(), &orig, nil
	}
	return own, &orig, nil
}

// errReread: what a post read has changed meanwhile; read again.
var errReread = errors.New("ledger: the order changed while it was read")

func ambiguous(o *normalize.Order, by normalize.Key) error {
	return &HeldError{Order: o.Key(), Revision: o.Version.UTC(), Err: fmt.Errorf("%w: %s replaces order %s, which %s replaced already",
		ErrAmbiguousReplacement, o.Key(), o.ReplacesOrderID, by)}
}

// replace appends, atomically, the corrections that bring every slot of
// orig to zero and the record marking it replaced by the order by. The
// record is appended even to an original never posted, so that its late
// delivery is stale rather than paid beside its replacement. The
// corrections are effective at placed, the instant the replacement's
// commissions count from, so that the two cancel in every period: an edit
// made in the month after the sale does not pay the sale twice in the
// sale's month.
func (l *Ledger) replace(ctx context.Context, orig *orderState, by normalize.Key, placed, rev, at time.Time) ([]Entry, error) {
	rev = nextRevision(orig.last, rev)
	add, err := orig.zero(at, rev)
	if err != nil {
		return nil, err
	}
	for i := range add {
		add[i].Effective = placed.UTC()
		if ev := add[i].Event; ev != nil {
			ev.Effective = placed.UTC()
		}
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
	last, err := l.chainEnd(ctx, o, st.replacedBy)
	if err != nil {
		return true, err
	}
	if p.key == last.key || p.key == st.key {
		return true, &HeldError{Order: o.Key(), Revision: o.Version.UTC(), Err: fmt.Errorf("%w: %s replaces order %s, which replaces it",
			ErrAmbiguousReplacement, o.Key(), o.ReplacesOrderID)}
	}
	b := basis{commission.Lock{Known: at}, o.OrderTS.UTC()}
	if p.based {
		if b, err = l.chainBasis(ctx, &p); err != nil {
			return true, err
		}
	}
	if last.frozen != nil {
		return true, frozenError(&last, o.Version.UTC())
	}
	if !st.based {
		// Record o's body, so that the chain can be followed back through
		// it (chainBasis), and o delivered again changes nothing.
		rec := []Entry{revisionEntry(new(strings.Builder), st, o, b, at, nextRevision(st.last, o.Version))}
		if err := l.store.Append(ctx, st.stream, st.version, rec); errors.Is(err, ErrVersionConflict) {
			return false, nil
		} else if err != nil {
			return true, err
		}
		res.Entries = append(res.Entries, rec...)
	}
	switch p.replacedBy {
	case normalize.Key{}:
	case st.key, st.replacedBy, last.key:
		// P is marked already; the chain's last order may still wait for
		// its re-basing (a post that stopped midway): rebase does nothing
		// when it is on b already.
		return l.rebase(ctx, o, last, at, res)
	default:
		return true, ambiguous(o, p.replacedBy)
	}
	zeroed, err := l.replace(ctx, &p, last.key, b.placed, o.Version.UTC(), at)
	if errors.Is(err, ErrVersionConflict) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	res.Replaced = p.key
	res.Entries = append(res.Entries, zeroed...)
	return l.rebase(ctx, o, last, at, res)
}

// adoptRoot handles the late first body of an order o that was replaced
// before it was ever posted (its edit arrived first): o is where the
// chain of edits starts, so the chain's last order is calculated again on
// o's basis — the lock at at and o's OrderTS — and o's stream records that
// basis, so that o delivered again changes nothing.
func (l *Ledger) adoptRoot(ctx context.Context, o *normalize.Order, st *orderState, at time.Time, res *Result) (bool, error) {
	last, err := l.chainEnd(ctx, o, st.replacedBy)
	if err != nil {
		return true, err
	}
	if last.frozen != nil {
		return true, frozenError(&last, o.Version.UTC())
	}
	b := basis{commission.Lock{Known: at}, o.OrderTS.UTC()}
	rev := nextRevision(st.last, o.Version)
	rec := []Entry{revisionEntry(new(strings.Builder), st, o, b, at, rev)}
	if err := l.store.Append(ctx, st.stream, st.version, rec); errors.Is(err, ErrVersionConflict) {
		return false, nil
	} else if err != nil {
		return true, err
	}
	res.Entries = append(res.Entries, rec...)
	return l.rebase(ctx, o, last, at, res)
}

// rebase calculates the chain's last order last again on the basis its
// chain starts from (chainBasis), unless it is calculated on it already.
// It derives that basis afresh on every try, from what the store holds
// then, so that a post racing with the arrival of an earlier order of the
// chain cannot leave the last order on a stale basis: of two posts
// re-basing one order, the one that appends second reads what the first
// appended. Should it fail, what was appended before stands: a later
// delivery of the order's chain tries again.
func (l *Ledger) rebase(ctx context.Context, o *normalize.Order, last orderState, at time.Time, res *Result) (bool, error) {
	for range l.attempts {
		if last.replacedBy != (normalize.Key{}) {
			// Replaced meanwhile: the chain goes on, and its new last
			// order is what pays.
			var err error
			if last, err = l.chainEnd(ctx, o, last.replacedBy); err != nil {
				return true, err
			}
			continue
		}
		if last.frozen != nil {
			return true, frozenError(&last, o.Version.UTC())
		}
		if last.body == nil {
			return true, nil
		}
		b, err := l.chainBasis(ctx, &last)
		if err != nil {
			return true, err
		}
		if b == last.basis() || last.lock.Known.Equal(b.lock.Known) && last.placed.Equal(b.placed) && b.lock.PlanID == "" {
			return true, nil
		}
		merged, err := merge(last.body, last.refunds)
		if err != nil {
			return true, &HeldError{Order: last.key, Revision: last.body.Version.UTC(), Err: err}
		}
		var ids strings.Builder
		calc, add, rev, err := l.calculate(&last, &merged, b, at, &ids)
		if err != nil {
			return true, err
		}
		add = append(add, revisionEntry(&ids, &last, last.body, basis{calc.Lock, b.placed}, at, rev))
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

// chainBasis is the basis the chain of edits st belongs to starts from:
// that of the earliest order before st (following ReplacesOrderID back)
// whose body the ledger holds, or st's own.
func (l *Ledger) chainBasis(ctx context.Context, st *orderState) (basis, error) {
	b, cur := st.basis(), st
	for range maxChain {
		if cur.body == nil || !isReplacement(cur.body) {
			break
		}
		p, err := l.readState(ctx, replacedKey(cur.body))
		if err != nil {
			return basis{}, err
		}
		if !p.based {
			break
		}
		b, cur = p.basis(), &p
	}
	return b, nil
}

// chainEnd follows ReplacedBy from k to the order nothing replaces. A
// chain that does not end (a cycle) or is longer than maxChain holds o.
func (l *Ledger) chainEnd(ctx context.Context, o *normalize.Order, k normalize.Key) (orderState, error) {
	for range maxChain {
		st, err := l.readState(ctx, k)
		if err != nil || st.replacedBy == (normalize.Key{}) {
			return st, err
		}
		k = st.replacedBy
	}
	return orderState{}, &HeldError{Order: o.Key(), Revision: o.Version.UTC(), Err: fmt.Errorf("%w: order %s: a chain of more than %d replacements",
		ErrAmbiguousReplacement, k, maxChain)}
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

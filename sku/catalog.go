package sku

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/strtab"
	"github.com/uplinehq/upline/normalize"
)

// Lookup and mapping errors. Map wraps them in a *MapError that names the
// order, the line and the key.
var (
	// ErrUnknownSKU: no key of the line is in the catalog, or a record
	// names an internal SKU the catalog does not define.
	ErrUnknownSKU = errors.New("sku: unknown SKU")
	// ErrNotInForce: the key is in the catalog, but neither it nor its SKU
	// has a version that took effect at or before the instant asked about.
	ErrNotInForce = errors.New("sku: no version in force")
)

// Load errors. Every error New, LoadCSV and LoadJSON return is a *LoadError
// wrapping one of these (or ErrUnknownSKU for a record that names an
// internal SKU the catalog does not define).
var (
	// ErrMalformed: the bytes are not CSV or JSON of the documented shape.
	ErrMalformed = errors.New("sku: malformed catalog")
	// ErrInvalid: a field is missing or its value cannot be right.
	ErrInvalid = errors.New("sku: invalid catalog value")
	// ErrDuplicate: two records have the same identity (SKU id and
	// effective instant, or key and effective instant).
	ErrDuplicate = errors.New("sku: duplicate catalog record")
)

// Kind says what a key's Value is on its platform.
type Kind string

// The key kinds.
const (
	// KindSKU keys on the platform's SKU code (Line.PlatformSKU).
	KindSKU Kind = "sku"
	// KindVariant keys on the platform's variant or variation id
	// (Line.VariantID); it is tried first, because WooCommerce variations
	// and some Shopify products share one SKU code.
	KindVariant Kind = "variant"
)

// Key identifies a product the way a platform reports it on an order line.
// Store "" means any store of the platform: a line tries its own store's
// key first and falls back to the platform-wide one.
type Key struct {
	Platform normalize.Platform
	Store    string
	Kind     Kind
	Value    string
}

// String renders the key as platform/store/kind:value, with "*" for any
// store.
func (k Key) String() string {
	store := k.Store
	if store == "" {
		store = "*"
	}
	return string(k.Platform) + "/" + store + "/" + string(k.Kind) + ":" + k.Value
}

// Version is one version of an internal SKU: what it is and what one unit
// of it is worth in volume from EffectiveFrom on, until the SKU's next
// version.
type Version struct {
	ID            string
	EffectiveFrom time.Time
	Name          string
	Category      string
	// Class is the commission class a plan chooses rates by, such as
	// "consumable", "starter_kit" or "service".
	Class string
	// NonCommissionable says this version earns nothing: it maps with zero
	// volumes and zero net. Such a version must declare zero volumes.
	NonCommissionable bool
	// PV, QV and CV are volumes per unit, never negative.
	PV, QV, CV decimal.Decimal
	// Components, when present, make this version a kit: a line of it
	// expands into one mapped line per component, splitting the kit's
	// volumes and net by Share.
	Components []Component
}

// IsKit reports whether the version expands into components.
func (v *Version) IsKit() bool { return len(v.Components) > 0 }

// Component is one part of a kit.
type Component struct {
	// SKU is the component's internal SKU id. It must not itself be a kit.
	SKU string
	// Qty is how many units of the component one kit holds (1 to 10^6).
	Qty int64
	// Share is the fraction of the kit's volumes and net the component
	// carries, from 0 to 1; a kit's shares sum to exactly 1.
	Share decimal.Decimal
}

// Binding says that from EffectiveFrom on, Key maps to the internal SKU
// with id SKU. A zero EffectiveFrom means since always.
type Binding struct {
	Key           Key
	EffectiveFrom time.Time
	SKU           string
}

// Data is a catalog's records: what New builds a Catalog from and what
// Catalog.Data returns. Record order does not matter.
type Data struct {
	SKUs []Version
	Keys []Binding
}

// Catalog answers which SKU version a platform key maps to at an instant.
// It is immutable once built and safe for concurrent use. Build one with
// New, LoadCSV or LoadJSON.
type Catalog struct {
	// Keys are found by hashing the value once, seeded with the key's
	// scope (platform, store, kind; a catalog has few), in an
	// open-addressing table of slots that lead to one 64-byte record per
	// key (see index.go). A record holds the key's binding, or for a key
	// re-bound over time the span of its bindings in binds. A binding
	// holds the span of its SKU's versions, whose effective instants are
	// contiguous in verAt, so a lookup touches few cache lines.
	scopes   []scopeKey
	scopeTab strtab.Index // scopes by scopeHash, when there are more than scopeScan
	slots    strtab.Index // records by hashKey
	recs     []keyRec
	long     []byte // values longer than inlineLen
	binds    []bind // the bindings of keys bound more than once, ascending by instant per key
	bindings []Binding

	ids      map[string]int32 // SKU id → its versions at skuStart[i]:skuStart[i+1]
	skuStart []int32
	verAt    []int64
	vers     []Version
	kits     map[int32]*kit // by index in vers
	// units are, by index in vers, where a commissionable non-kit
	// version's PV, QV and CV are in prods (-1: not there); prods hold
	// each distinct volume (coefficient and exponent) of the catalog times
	// 2 to maxUnits units, computed once here so that mapping the usual
	// line allocates nothing (see scaleUnits). Catalogs repeat a few
	// volumes over many SKUs, so this costs 12 bytes a version and little
	// more.
	units [][3]int32
	prods [][maxUnits - 1]decimal.Decimal
}

// maxUnits is the most earning units whose volumes a catalog holds
// precomputed.
const maxUnits = 4

// kit is what Map needs of a kit version besides the Version.
type kit struct {
	shares []decimal.Decimal // the components' shares, as normalize.Allocate takes them
	comps  []span            // each component SKU's versions in vers and verAt
}

type scopeKey struct {
	platform normalize.Platform
	store    string
	kind     Kind
}

// span is a range [lo, hi) of a slice.
type span struct{ lo, hi int32 }

// bind is a Binding as the hot path reads it: Unix ns and the bound SKU's
// versions in vers and verAt.
type bind struct {
	at   int64
	vers span
}

// scopeScan is how many scopes are searched one by one before using
// scopeTab.
const scopeScan = 4

// Limits on catalog values. They keep every value exactly representable
// in both file formats and keep arithmetic on them small.
const (
	maxVolumeDigits   = 15 // integer digits of a volume or share
	maxFractionDigits = 12 // decimal places of a volume or share
	maxComponentQty   = 1_000_000
	maxTextLen        = 256
)

// recordError is a validation error at one record; the loaders turn it
// into a *LoadError that names a CSV line or a JSON path.
type recordError struct {
	table string // "skus" or "keys"
	index int
	field string // e.g. "pv", "components[1].share"
	err   error
}

func recErr(table string, index int, field string, kind error, format string, args ...any) *recordError {
	return &recordError{table: table, index: index, field: field, err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// New builds a catalog from records, after checking them: every text
// field is printable UTF-8; an id, class and effective instant are
// present; volumes are not negative and a non-commissionable version has
// none; a kit's components name known SKUs that are not kits and are in
// force when the kit version takes effect, and their shares sum to
// exactly 1; no two versions share an id and effective instant, and no
// two bindings a key and effective instant; every binding names a known
// SKU. Errors are *LoadError values whose Path names the record, such as
// "skus[3].pv".
func New(d Data) (*Catalog, error) {
	c, rerr := build(d)
	if rerr != nil {
		return nil, &LoadError{Path: rerr.path(), Offset: -1, Err: rerr.err}
	}
	return c, nil
}

func (e *recordError) path() string {
	p := fmt.Sprintf("%s[%d]", e.table, e.index)
	if e.field != "" {
		p += "." + e.field
	}
	return p
}

func build(d Data) (*Catalog, *recordError) {
	c := &Catalog{}

	// SKU versions.
	ats := make([]int64, len(d.SKUs))
	for i := range d.SKUs {
		at, err := checkVersion(&d.SKUs[i], i)
		if err != nil {
			return nil, err
		}
		ats[i] = at
	}
	order := make([]int, len(d.SKUs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(strings.Compare(d.SKUs[a].ID, d.SKUs[b].ID), cmp.Compare(ats[a], ats[b]))
	})
	c.ids = make(map[string]int32)
	c.vers = make([]Version, 0, len(order))
	c.verAt = make([]int64, 0, len(order))
	for k, i := range order {
		v := d.SKUs[i]
		if k > 0 {
			p := order[k-1]
			if d.SKUs[p].ID == v.ID && ats[p] == ats[i] {
				return nil, recErr("skus", max(i, p), "effective_from", ErrDuplicate,
					"SKU %q already has a version effective %s (skus[%d])", v.ID, formatTime(v.EffectiveFrom), min(i, p))
			}
		}
		if _, ok := c.ids[v.ID]; !ok {
			c.ids[v.ID] = int32(len(c.skuStart))
			c.skuStart = append(c.skuStart, int32(len(c.vers)))
		}
		v.EffectiveFrom = time.Unix(0, ats[i]).UTC()
		v.Components = slices.Clone(v.Components)
		v.QV, v.CV = same(v.QV, v.PV), same(same(v.CV, v.PV), v.QV)
		c.vers = append(c.vers, v)
		c.verAt = append(c.verAt, ats[i])
	}
	c.skuStart = append(c.skuStart, int32(len(c.vers)))
	c.units = make([][3]int32, len(c.vers))
	type volKey struct {
		coef int64
		exp  int32
	}
	seen := make(map[volKey]int32)
	for k := range c.vers {
		v := &c.vers[k]
		for j, d := range [3]decimal.Decimal{v.PV, v.QV, v.CV} {
			c.units[k][j] = -1
			if v.IsKit() || v.NonCommissionable || d == (decimal.Decimal{}) || d.NumDigits() > 18 {
				continue
			}
			vk := volKey{d.CoefficientInt64(), d.Exponent()}
			i, ok := seen[vk]
			if !ok {
				i = int32(len(c.prods))
				seen[vk] = i
				var p [maxUnits - 1]decimal.Decimal
				for n := range p {
					p[n] = d.Mul(decimal.NewFromInt(int64(n + 2)))
				}
				c.prods = append(c.prods, p)
			}
			c.units[k][j] = i
		}
	}

	// Kit components refer to other SKUs, so they are checked once all are known.
	for k, i := range order {
		v := &c.vers[k]
		if v.IsKit() {
			if c.kits == nil {
				c.kits = make(map[int32]*kit)
			}
			c.kits[int32(k)] = &kit{shares: make([]decimal.Decimal, len(v.Components)), comps: make([]span, len(v.Components))}
		}
		for j, comp := range v.Components {
			field := fmt.Sprintf("components[%d].sku_id", j)
			ci, ok := c.ids[comp.SKU]
			if !ok {
				return nil, recErr("skus", i, field, ErrUnknownSKU, "kit %q names component %q, which the catalog does not define", v.ID, comp.SKU)
			}
			lo, hi := c.skuStart[ci], c.skuStart[ci+1]
			for _, cv := range c.vers[lo:hi] {
				if cv.IsKit() {
					return nil, recErr("skus", i, field, ErrInvalid, "component %q of kit %q is itself a kit (version effective %s); kits do not nest",
						comp.SKU, v.ID, formatTime(cv.EffectiveFrom))
				}
			}
			if c.verAt[lo] > c.verAt[k] {
				return nil, recErr("skus", i, field, ErrNotInForce, "component %q takes effect %s, after kit %q's version effective %s",
					comp.SKU, formatTime(c.vers[lo].EffectiveFrom), v.ID, formatTime(v.EffectiveFrom))
			}
			c.kits[int32(k)].shares[j] = comp.Share
			c.kits[int32(k)].comps[j] = span{lo: lo, hi: hi}
		}
	}

	// Bindings.
	bats := make([]int64, len(d.Keys))
	for i := range d.Keys {
		at, err := checkBinding(&d.Keys[i], i, c.ids)
		if err != nil {
			return nil, err
		}
		bats[i] = at
	}
	border := make([]int, len(d.Keys))
	for i := range border {
		border[i] = i
	}
	slices.SortStableFunc(border, func(a, b int) int {
		return cmp.Or(compareKeys(d.Keys[a].Key, d.Keys[b].Key), cmp.Compare(bats[a], bats[b]))
	})
	scopeOf := make(map[scopeKey]int32)
	c.bindings = make([]Binding, 0, len(border))
	for k, i := range border {
		b := d.Keys[i]
		if k > 0 {
			p := border[k-1]
			if d.Keys[p].Key == b.Key && bats[p] == bats[i] {
				return nil, recErr("keys", max(i, p), "effective_from", ErrDuplicate,
					"key %s already has a binding effective %s (keys[%d])", b.Key, formatBindingTime(b.EffectiveFrom), min(i, p))
			}
		}
		sk := scopeKey{platform: b.Key.Platform, store: b.Key.Store, kind: b.Key.Kind}
		si, ok := scopeOf[sk]
		if !ok {
			si = int32(len(c.scopes))
			scopeOf[sk] = si
			c.scopes = append(c.scopes, sk)
		}
		if bats[i] == math.MinInt64 {
			b.EffectiveFrom = time.Time{}
		} else {
			b.EffectiveFrom = time.Unix(0, bats[i]).UTC()
		}
		c.bindings = append(c.bindings, b)
		ski := c.ids[b.SKU]
		bd := bind{at: bats[i], vers: span{lo: c.skuStart[ski], hi: c.skuStart[ski+1]}}
		if k > 0 && d.Keys[border[k-1]].Key == b.Key {
			// The key is re-bound: its bindings move to binds.
			r := &c.recs[len(c.recs)-1]
			if r.n&rebound == 0 {
				r.n |= rebound
				c.binds = append(c.binds, bind{at: r.at, vers: r.vers})
				r.vers = span{lo: int32(len(c.binds) - 1), hi: int32(len(c.binds))}
				r.last = math.MaxInt64
			}
			r.vers.hi++
			c.binds = append(c.binds, bd)
			continue
		}
		c.recs = append(c.recs, keyRec{at: bd.at, vers: bd.vers, last: c.verAt[bd.vers.hi-1], scope: uint32(si)})
		c.setValue(&c.recs[len(c.recs)-1], b.Key.Value)
	}
	c.indexScopes()
	c.index()
	return c, nil
}

// same returns b in place of a when they are the same number written the
// same way (the same coefficient and exponent), so that Map, which scales
// PV, QV and CV alike, can compute equal volumes once and share them.
// Decimals are immutable values: sharing one changes nothing a caller sees.
func same(a, b decimal.Decimal) decimal.Decimal {
	if a == b || a == (decimal.Decimal{}) || b == (decimal.Decimal{}) {
		return a
	}
	if a.Exponent() == b.Exponent() && a.Equal(b) {
		return b
	}
	return a
}

func compareKeys(a, b Key) int {
	return cmp.Or(
		strings.Compare(string(a.Platform), string(b.Platform)),
		strings.Compare(a.Store, b.Store),
		strings.Compare(string(a.Kind), string(b.Kind)),
		strings.Compare(a.Value, b.Value),
	)
}

func checkVersion(v *Version, i int) (int64, *recordError) {
	if err := checkID(v.ID); err != nil {
		return 0, recErr("skus", i, "sku_id", ErrInvalid, "%v", err)
	}
	at, err := effective(v.EffectiveFrom)
	if err != nil {
		return 0, recErr("skus", i, "effective_from", ErrInvalid, "%v", err)
	}
	for _, f := range []struct{ name, v string }{{"name", v.Name}, {"category", v.Category}, {"class", v.Class}} {
		if err := checkText(f.v); err != nil {
			return 0, recErr("skus", i, f.name, ErrInvalid, "%v", err)
		}
	}
	if v.Class == "" {
		return 0, recErr("skus", i, "class", ErrInvalid, "class is missing")
	}
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"pv", v.PV}, {"qv", v.QV}, {"cv", v.CV}} {
		if err := checkDecimal(f.v); err != nil {
			return 0, recErr("skus", i, f.name, ErrInvalid, "%s %v", f.name, err)
		}
		if v.NonCommissionable && !f.v.IsZero() {
			return 0, recErr("skus", i, f.name, ErrInvalid, "non-commissionable version declares %s %s; it must be 0", f.name, f.v)
		}
	}
	sum := decimal.Zero
	seen := make(map[string]bool, len(v.Components))
	for j, comp := range v.Components {
		path := fmt.Sprintf("components[%d]", j)
		if err := checkID(comp.SKU); err != nil {
			return 0, recErr("skus", i, path+".sku_id", ErrInvalid, "%v", err)
		}
		if comp.SKU == v.ID {
			return 0, recErr("skus", i, path+".sku_id", ErrInvalid, "kit %q names itself as a component", v.ID)
		}
		if seen[comp.SKU] {
			return 0, recErr("skus", i, path+".sku_id", ErrDuplicate, "kit %q names component %q twice", v.ID, comp.SKU)
		}
		seen[comp.SKU] = true
		if comp.Qty < 1 || comp.Qty > maxComponentQty {
			return 0, recErr("skus", i, path+".qty", ErrInvalid, "quantity per kit %d is not from 1 to %d", comp.Qty, maxComponentQty)
		}
		if err := checkDecimal(comp.Share); err != nil {
			return 0, recErr("skus", i, path+".share", ErrInvalid, "share %v", err)
		}
		if comp.Share.GreaterThan(decimal.NewFromInt(1)) {
			return 0, recErr("skus", i, path+".share", ErrInvalid, "share %s is more than 1", comp.Share)
		}
		sum = sum.Add(comp.Share)
	}
	if len(v.Components) > 0 && !sum.Equal(decimal.NewFromInt(1)) {
		return 0, recErr("skus", i, "components", ErrInvalid, "kit %q shares sum to %s, not 1", v.ID, sum)
	}
	return at, nil
}

func checkBinding(b *Binding, i int, ids map[string]int32) (int64, *recordError) {
	if b.Key.Platform == "" {
		return 0, recErr("keys", i, "platform", ErrInvalid, "platform is missing")
	}
	for _, f := range []struct{ name, v string }{{"platform", string(b.Key.Platform)}, {"store", b.Key.Store}, {"key", b.Key.Value}} {
		if err := checkText(f.v); err != nil {
			return 0, recErr("keys", i, f.name, ErrInvalid, "%v", err)
		}
	}
	if b.Key.Kind != KindSKU && b.Key.Kind != KindVariant {
		return 0, recErr("keys", i, "kind", ErrInvalid, "kind %q is neither %q nor %q", b.Key.Kind, KindSKU, KindVariant)
	}
	if b.Key.Value == "" {
		return 0, recErr("keys", i, "key", ErrInvalid, "key is missing")
	}
	at := int64(math.MinInt64)
	if !b.EffectiveFrom.IsZero() {
		var err error
		if at, err = effective(b.EffectiveFrom); err != nil {
			return 0, recErr("keys", i, "effective_from", ErrInvalid, "%v", err)
		}
	}
	if err := checkID(b.SKU); err != nil {
		return 0, recErr("keys", i, "sku_id", ErrInvalid, "%v", err)
	}
	if _, ok := ids[b.SKU]; !ok {
		return 0, recErr("keys", i, "sku_id", ErrUnknownSKU, "key %s names SKU %q, which the catalog does not define", b.Key, b.SKU)
	}
	return at, nil
}

// checkID holds internal SKU ids to what every format can carry: present,
// printable, no spaces, and none of the characters the CSV components
// column uses as separators.
func checkID(id string) error {
	if id == "" {
		return errors.New("SKU id is missing")
	}
	if err := checkText(id); err != nil {
		return err
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(";*@", r) }); i >= 0 {
		return fmt.Errorf("SKU id %q contains a space or one of ; * @", id)
	}
	return nil
}

func checkText(s string) error {
	if len(s) > maxTextLen {
		return fmt.Errorf("text of %d bytes is longer than %d", len(s), maxTextLen)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("text %q is not valid UTF-8", s)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("text %q contains a control character", s)
	}
	return nil
}

func checkDecimal(d decimal.Decimal) error {
	if d.IsNegative() {
		return fmt.Errorf("%s is negative", d)
	}
	if d.Exponent() < -maxFractionDigits && !d.Shift(maxFractionDigits).IsInteger() {
		return fmt.Errorf("%s has more than %d decimal places", d, maxFractionDigits)
	}
	if d.GreaterThanOrEqual(decimal.New(1, maxVolumeDigits)) {
		return fmt.Errorf("%s is 10^%d or more", d, maxVolumeDigits)
	}
	return nil
}

// effective converts a version's effective instant to Unix nanoseconds,
// which covers 1970 to 2262.
func effective(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, errors.New("effective_from is missing")
	}
	if s := t.Unix(); s < 0 || s >= math.MaxInt64/int64(time.Second) {
		return 0, fmt.Errorf("effective_from %s is not between 1970 and 2262", t.UTC().Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

// instant converts a lookup instant to Unix nanoseconds, clamping those
// outside what int64 nanoseconds hold: before 1970 no version is in force
// anyway, and after 2262 the latest is.
func instant(t time.Time) int64 {
	switch s := t.Unix(); {
	case s < math.MinInt64/int64(time.Second):
		return math.MinInt64
	case s >= math.MaxInt64/int64(time.Second):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// latest returns the index of the last instant in ats (ascending) that is
// at or before t, or -1.
func latest(ats []int64, t int64) int {
	lo, hi := 0, len(ats)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ats[m] <= t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// Lookup returns the SKU version that key k maps to at instant at: the
// key's binding in force at that instant (the latest whose EffectiveFrom
// is at or before it) and the bound SKU's version in force then. A key
// with a store that is not in the catalog falls back to the same key for
// any store (Store ""). It returns ErrUnknownSKU when neither key is in
// the catalog and ErrNotInForce when the binding or the SKU has no version
// in force yet. Lookup does not allocate. The returned Version shares its
// Components with the catalog: do not modify them.
func (c *Catalog) Lookup(k Key, at time.Time) (Version, error) {
	i, err := c.find(&k, instant(at))
	if err != nil {
		return Version{}, err
	}
	return c.vers[i], nil
}

// version returns SKU id's version in force at t.
func (c *Catalog) version(id string, t int64) (*Version, bool) {
	si, ok := c.ids[id]
	if !ok {
		return nil, false
	}
	lo, hi := c.skuStart[si], c.skuStart[si+1]
	v := latest(c.verAt[lo:hi], t)
	if v < 0 {
		return nil, false
	}
	return &c.vers[int(lo)+v], true
}

// SKU returns the version of the internal SKU id in force at instant at,
// with the same errors as Lookup.
func (c *Catalog) SKU(id string, at time.Time) (Version, error) {
	if _, ok := c.ids[id]; !ok {
		return Version{}, ErrUnknownSKU
	}
	v, ok := c.version(id, instant(at))
	if !ok {
		return Version{}, ErrNotInForce
	}
	return *v, nil
}

// Data returns a copy of the catalog's records in a canonical order: SKU
// versions by id and effective instant, bindings by key and effective
// instant. New(c.Data()) builds an equal catalog.
func (c *Catalog) Data() Data {
	d := Data{SKUs: make([]Version, len(c.vers)), Keys: slices.Clone(c.bindings)}
	for i, v := range c.vers {
		v.Components = slices.Clone(v.Components)
		d.SKUs[i] = v
	}
	return d
}

// Len returns how many internal SKUs and how many keys the catalog holds.
func (c *Catalog) Len() (skus, keys int) { return len(c.ids), len(c.recs) }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func formatBindingTime(t time.Time) string {
	if t.IsZero() {
		return "always"
	}
	return formatTime(t)
}

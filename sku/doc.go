// Package sku is upline's catalog: it says which internal SKU an order
// line is, in which version, and what the line earns in volume — PV, QV
// and CV — and in commissionable net.
//
// Start with Catalog.Map. It takes a canonical order (see normalize) and
// returns one Mapped per line, or per component of a kit line, carrying
// the SKU version applied, the commission class, units sold and earning,
// volumes and net. A line whose key the catalog does not know fails with
// a *MapError naming the order, the line and the key; Map then returns no
// lines at all, so an order is held for an operator, never half-paid.
//
//	c, err := sku.LoadJSON(catalogJSON)
//	...
//	lines, err := c.Map(&order)
//	var me *sku.MapError
//	if errors.As(err, &me) && errors.Is(err, sku.ErrUnknownSKU) { /* hold the order */ }
//
// # Two tables
//
// A catalog has two kinds of record, both effective-dated:
//
//   - A Version of an internal SKU (your own product code): name,
//     category, commission class, volumes per unit, and for a kit its
//     components. A SKU has one or more versions; the one in force at an
//     instant is the latest whose EffectiveFrom is at or before it.
//   - A Binding of a platform Key to an internal SKU id. A Key is
//     (platform, store, kind, value), where kind says whether value is the
//     platform's SKU code ("sku") or its variant id ("variant"). A key may
//     be re-bound over time; a zero EffectiveFrom means since always.
//
// Nothing is ever keyed by product name. Lines map through a key in force
// at the order's OrderTS to the SKU version in force at that same instant.
// No version in force (an order placed before a SKU or binding took
// effect) is ErrNotInForce; no key at all is ErrUnknownSKU.
//
// # Which key a line maps by
//
// A line tries, in order, and the first key the catalog holds decides:
//
//  1. variant id at the order's store,
//  2. variant id at any store of the platform (a binding with Store ""),
//  3. platform SKU at the order's store,
//  4. platform SKU at any store of the platform.
//
// Variant ids come first because they are the most specific: WooCommerce
// variations and some Shopify products share one SKU code. A key that is
// found but has no version in force fails with ErrNotInForce; it does not
// fall back to a less specific key, because which SKU a line is must not
// silently depend on dates. Bind the specific key from the earlier
// instant too if that is what you mean.
//
// # Volumes, refunds and classes
//
// Volumes follow units and net follows money. A line's volumes are per
// unit × EarningQty, the units sold less the units refunded; its Net is
// normalize.Commissionable's, the line's net less refunded net (a refund of
// money without units lowers Net and leaves volumes). Only paid value earns:
// an order that is not paid or partially refunded maps every line with
// zero earning units, zero volumes and zero net. A version marked
// NonCommissionable (gift cards, shipping protection, literature) maps
// with zero volumes and zero net rather than failing; it must declare zero
// volumes. The class is passed through for the plan to choose rates by.
//
// # Kits
//
// A version with Components is a kit: a line of it expands into one Mapped
// per component, in order, and none for the kit itself. Each component
// names an internal SKU (never a kit), a quantity per kit, and a Share of
// the kit's volumes and net; shares sum to exactly 1. A component's
// volumes are the kit's volumes × Share (exact); its net is the line's net
// split by the shares with normalize.Allocate, so the parts sum to the
// cent. Its SKU, class and NonCommissionable flag are the component SKU's
// version in force at OrderTS; New makes sure one is, by requiring every
// component to take effect no later than the kit version that names it.
//
// # CSV form
//
// Two files with a header row; columns may come in any order, optional
// columns may be left out, unknown columns are refused. skus.csv has one
// row per SKU version:
//
//	sku_id,effective_from,name,category,class,non_commissionable,pv,qv,cv,components
//	STARTER,2025-01-01T00:00:00Z,Starter kit,kits,starter_kit,,100,100,80,VITC*2@0.6;GUIDE*1@0.4
//
// sku_id, effective_from (RFC 3339; without a zone it is UTC), class, pv,
// qv and cv are required; non_commissionable is "true", "false" or empty;
// components is empty or SKU*QTY@SHARE items separated by ";". keys.csv
// has one row per binding:
//
//	platform,store,kind,key,effective_from,sku_id
//	shopify,acme.myshopify.com,sku,KIT-STARTER-001,,STARTER
//
// store and effective_from may be empty (any store; since always). Errors
// name the file, the line (the header is line 1) and the column.
//
// # JSON form
//
// One object with the same records and field names:
//
//	{"skus": [{"sku_id": "STARTER", "effective_from": "2025-01-01T00:00:00Z",
//	           "name": "Starter kit", "category": "kits", "class": "starter_kit",
//	           "pv": "100", "qv": "100", "cv": "80",
//	           "components": [{"sku_id": "VITC", "qty": 2, "share": "0.6"},
//	                          {"sku_id": "GUIDE", "qty": 1, "share": "0.4"}]}],
//	 "keys": [{"platform": "shopify", "store": "acme.myshopify.com",
//	           "kind": "sku", "key": "KIT-STARTER-001", "sku_id": "STARTER"}]}
//
// Amounts may be strings or numbers; they never pass through float64.
// Unknown fields, keys given twice, keys that differ from a field only in
// case ("PV") and text that is not valid UTF-8 are refused. Errors name
// the JSON path, such as "skus[0].components[1].share".
//
// # Rules every form is held to
//
// New, LoadCSV and LoadJSON check the same rules and return a *LoadError:
// text fields are printable UTF-8 of at most 256 bytes; internal SKU ids
// have no spaces and none of ; * @; effective instants lie between 1970
// and 2262; volumes and shares are not negative, below 10^15 and have at
// most 12 decimal places; a version's (sku_id, effective_from) and a
// binding's (key, effective_from) are unique (ErrDuplicate); bindings and
// components name SKUs the catalog defines (ErrUnknownSKU); shares sum to
// exactly 1 and quantities per kit are 1 to 10^6 (ErrInvalid). SaveCSV
// and SaveJSON write a catalog in a canonical order, so equal catalogs
// give equal bytes and a saved catalog loads back equal.
//
// # Speed
//
// A Catalog is immutable and safe for concurrent use. The zero Catalog is
// empty: every lookup is ErrUnknownSKU.
//
// Lookup does not allocate. It hashes the key's value once, seeded with
// its scope (platform, store, kind), into an open-addressing table of
// 8-byte fingerprinted slots; the slot leads to the key's 64-byte record,
// which holds the value and its binding, and the bound SKU's effective
// instants are contiguous, so a lookup reads about three cache lines, two
// when the instant is at or after the SKU's last version.
//
// Map looks every line up through the same table. MapInto is Map for a
// hot loop: it appends to a buffer the caller reuses and returns the same
// lines and errors (on an error it appends nothing):
//
//	buf, err = c.MapInto(buf[:0], &order)
//
// With room in the buffer, MapInto allocates nothing for a line that
// earns one unit or none (an unpaid order, a refunded unit) or is
// non-commissionable. Nor for a line earning two to four units: the
// catalog computes each distinct volume times 2, 3 and 4 once, when it is
// built (12 bytes a version, and the products of each distinct volume). A
// line earning five units or more needs its volumes computed as decimals,
// per unit × units: one product, two allocations, for each distinct
// volume (PV, QV and CV written the same way share one). A refunded
// order adds normalize.Commissionable's nets; a kit line what
// normalize.Allocate needs to split its net. Map allocates its result
// besides.
//
// BenchmarkLookup, BenchmarkMap and BenchmarkMapInto measure these paths;
// the README's Performance section lists what they measured.
package sku

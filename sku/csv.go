package sku

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/normalize"
)

// The CSV form is two files; see the package documentation for their
// columns.
var (
	skuColumns = []string{"sku_id", "effective_from", "name", "category", "class", "non_commissionable", "pv", "qv", "cv", "components"}
	keyColumns = []string{"platform", "store", "kind", "key", "effective_from", "sku_id"}
)

// Columns a file must have; the others may be left out.
var (
	skuRequired = []string{"sku_id", "effective_from", "class", "pv", "qv", "cv"}
	keyRequired = []string{"platform", "kind", "key", "sku_id"}
)

// LoadCSV builds a catalog from its CSV form: skus holds one row per SKU
// version, keys one row per binding of a platform key to a SKU. Errors
// are *LoadError values naming the file, the line and the column.
func LoadCSV(skus, keys []byte) (*Catalog, error) {
	var d Data
	skuLines, err := readCSV("skus.csv", skus, skuColumns, skuRequired, func(i int, line int, get func(string) string) *LoadError {
		v, lerr := csvVersion(i, get)
		if lerr != nil {
			return lerr
		}
		d.SKUs = append(d.SKUs, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	keyLines, err := readCSV("keys.csv", keys, keyColumns, keyRequired, func(i int, line int, get func(string) string) *LoadError {
		b, lerr := csvBinding(i, get)
		if lerr != nil {
			return lerr
		}
		d.Keys = append(d.Keys, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, rerr := build(d)
	if rerr != nil {
		e := &LoadError{Path: rerr.path(), Offset: -1, Err: rerr.err, Column: column(rerr.field)}
		if rerr.table == "skus" {
			e.File, e.Line = "skus.csv", skuLines[rerr.index]
		} else {
			e.File, e.Line = "keys.csv", keyLines[rerr.index]
		}
		return nil, e
	}
	return c, nil
}

// column turns a record field such as "components[1].share" into the CSV
// column that holds it.
func column(field string) string {
	if i := strings.IndexAny(field, "[."); i >= 0 {
		return field[:i]
	}
	return field
}

// readCSV reads a header and rows, calling row for each with a getter by
// column name, and returns each row's line number.
func readCSV(file string, data []byte, columns, required []string, row func(i, line int, get func(string) string) *LoadError) ([]int, error) {
	fail := func(line int, col string, format string, args ...any) *LoadError {
		return &LoadError{File: file, Line: line, Column: col, Offset: -1, Err: fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)}
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	header, err := r.Read()
	if err == io.EOF {
		return nil, fail(1, "", "no header row")
	}
	if err != nil {
		return nil, csvError(file, err)
	}
	at := make(map[string]int, len(header))
	for i, h := range header {
		if !slices.Contains(columns, h) {
			return nil, fail(1, h, "unknown column %q (columns are %s)", h, strings.Join(columns, ","))
		}
		if _, dup := at[h]; dup {
			return nil, fail(1, h, "column %q appears twice", h)
		}
		at[h] = i
	}
	for _, h := range required {
		if _, ok := at[h]; !ok {
			return nil, fail(1, h, "column %q is missing", h)
		}
	}
	var lines []int
	for i := 0; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := r.FieldPos(0)
		get := func(col string) string {
			if j, ok := at[col]; ok {
				return rec[j]
			}
			return ""
		}
		if lerr := row(i, line, get); lerr != nil {
			lerr.File, lerr.Line = file, line
			return nil, lerr
		}
		lines = append(lines, line)
	}
}

func csvError(file string, err error) *LoadError {
	e := &LoadError{File: file, Offset: -1, Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e.Line = pe.Line
		e.Err = fmt.Errorf("%w: %v", ErrMalformed, pe.Err)
	}
	return e
}

// fieldError is a *LoadError for one field of record i; readCSV adds the
// file and line.
func fieldError(table string, i int, field string, err error) *LoadError {
	return &LoadError{Column: column(field), Path: fmt.Sprintf("%s[%d].%s", table, i, field), Offset: -1, Err: err}
}

func csvVersion(i int, get func(string) string) (Version, *LoadError) {
	v := Version{
		ID:       get("sku_id"),
		Name:     get("name"),
		Category: get("category"),
		Class:    get("class"),
	}
	var err error
	if v.EffectiveFrom, err = parseTime(get("effective_from")); err != nil {
		return v, fieldError("skus", i, "effective_from", err)
	}
	switch s := get("non_commissionable"); s {
	case "", "false":
	case "true":
		v.NonCommissionable = true
	default:
		return v, fieldError("skus", i, "non_commissionable", fmt.Errorf("%w: non_commissionable %q is neither true, false nor empty", ErrInvalid, s))
	}
	for _, f := range []struct {
		name string
		dst  *decimal.Decimal
	}{{"pv", &v.PV}, {"qv", &v.QV}, {"cv", &v.CV}} {
		if *f.dst, err = parseDecimal(f.name, get(f.name)); err != nil {
			return v, fieldError("skus", i, f.name, err)
		}
	}
	if s := get("components"); s != "" {
		for j, part := range strings.Split(s, ";") {
			comp, field, err := parseComponent(part)
			if err != nil {
				return v, fieldError("skus", i, fmt.Sprintf("components[%d]%s", j, field), err)
			}
			v.Components = append(v.Components, comp)
		}
	}
	return v, nil
}

// parseComponent reads "SKU*QTY@SHARE".
func parseComponent(s string) (Component, string, error) {
	star, at := strings.IndexByte(s, '*'), strings.IndexByte(s, '@')
	if star < 0 || at < star {
		return Component{}, "", fmt.Errorf("%w: component %q is not SKU*QTY@SHARE", ErrMalformed, s)
	}
	c := Component{SKU: s[:star]}
	q, err := strconv.ParseInt(s[star+1:at], 10, 64)
	if err != nil {
		return c, ".qty", fmt.Errorf("%w: component %q quantity %q is not a whole number", ErrInvalid, s, s[star+1:at])
	}
	c.Qty = q
	if c.Share, err = parseDecimal("share", s[at+1:]); err != nil {
		return c, ".share", err
	}
	return c, "", nil
}

func csvBinding(i int, get func(string) string) (Binding, *LoadError) {
	b := Binding{
		Key: Key{
			Platform: normalize.Platform(get("platform")),
			Store:    get("store"),
			Kind:     Kind(get("kind")),
			Value:    get("key"),
		},
		SKU: get("sku_id"),
	}
	if s := get("effective_from"); s != "" {
		var err error
		if b.EffectiveFrom, err = parseTime(s); err != nil {
			return b, fieldError("keys", i, "effective_from", err)
		}
	}
	return b, nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: effective_from is missing", ErrInvalid)
	}
	t, err := normalize.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: effective_from %q is not RFC 3339", ErrInvalid, s)
	}
	return t, nil
}

func parseDecimal(name, s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, fmt.Errorf("%w: %s is missing", ErrInvalid, name)
	}
	d, err := normalize.ParseAmount(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%w: %s %q is not a decimal number", ErrInvalid, name, s)
	}
	return d, nil
}

// SaveCSV writes the catalog in its CSV form, records in the order of
// Data, so the same catalog always gives the same bytes. LoadCSV reads
// them back into an equal catalog.
func (c *Catalog) SaveCSV() (skus, keys []byte) {
	d := c.Data()
	var sb, kb bytes.Buffer
	w := csv.NewWriter(&sb)
	_ = w.Write(skuColumns) // a bytes.Buffer does not fail
	for _, v := range d.SKUs {
		comps := make([]string, len(v.Components))
		for j, comp := range v.Components {
			comps[j] = comp.SKU + "*" + strconv.FormatInt(comp.Qty, 10) + "@" + comp.Share.String()
		}
		nc := ""
		if v.NonCommissionable {
			nc = "true"
		}
		_ = w.Write([]string{v.ID, formatTime(v.EffectiveFrom), v.Name, v.Category, v.Class, nc,
			v.PV.String(), v.QV.String(), v.CV.String(), strings.Join(comps, ";")})
	}
	w.Flush()
	w = csv.NewWriter(&kb)
	_ = w.Write(keyColumns)
	for _, b := range d.Keys {
		at := ""
		if !b.EffectiveFrom.IsZero() {
			at = formatTime(b.EffectiveFrom)
		}
		_ = w.Write([]string{string(b.Key.Platform), b.Key.Store, string(b.Key.Kind), b.Key.Value, at, b.SKU})
	}
	w.Flush()
	return sb.Bytes(), kb.Bytes()
}

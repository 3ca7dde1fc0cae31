package sku

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/normalize"
)

// The JSON form; see the package documentation. Field names are the CSV
// column names, so a path in an error reads the same in both forms.

type catalogJSON struct {
	SKUs []json.RawMessage `json:"skus"`
	Keys []json.RawMessage `json:"keys"`
}

type versionJSON struct {
	ID                string          `json:"sku_id"`
	EffectiveFrom     string          `json:"effective_from"`
	Name              string          `json:"name,omitempty"`
	Category          string          `json:"category,omitempty"`
	Class             string          `json:"class"`
	NonCommissionable bool            `json:"non_commissionable,omitempty"`
	PV                json.RawMessage `json:"pv"`
	QV                json.RawMessage `json:"qv"`
	CV                json.RawMessage `json:"cv"`
	Components        []componentJSON `json:"components,omitempty"`
}

type componentJSON struct {
	SKU   string          `json:"sku_id"`
	Qty   json.RawMessage `json:"qty"`
	Share json.RawMessage `json:"share"`
}

type bindingJSON struct {
	Platform      normalize.Platform `json:"platform"`
	Store         string             `json:"store,omitempty"`
	Kind          Kind               `json:"kind"`
	Key           string             `json:"key"`
	EffectiveFrom string             `json:"effective_from,omitempty"`
	SKU           string             `json:"sku_id"`
}

// LoadJSON builds a catalog from its JSON form. Unknown, repeated and
// case-variant keys are refused, as is text that is not valid UTF-8, so a
// misspelt or repeated field never silently becomes zero or replaces the
// real one. Amounts may be
// strings or JSON numbers and never pass through float64. Errors are
// *LoadError values naming the JSON path, such as "skus[3].pv".
func LoadJSON(body []byte) (*Catalog, error) {
	fail := func(path string, offset int64, err error) error {
		return &LoadError{File: "json", Path: path, Offset: offset, Err: err}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fail("", -1, fmt.Errorf("%w: the catalog is not a JSON object", ErrMalformed))
	}
	var top catalogJSON
	if err := decode(fail, "", body, &top); err != nil {
		return nil, err
	}
	var d Data
	for i, raw := range top.SKUs {
		path := fmt.Sprintf("skus[%d]", i)
		var j versionJSON
		if err := decode(fail, path, raw, &j); err != nil {
			return nil, err
		}
		v := Version{ID: j.ID, Name: j.Name, Category: j.Category, Class: j.Class, NonCommissionable: j.NonCommissionable}
		var err error
		if v.EffectiveFrom, err = parseTime(j.EffectiveFrom); err != nil {
			return nil, fail(path+".effective_from", -1, err)
		}
		for _, f := range []struct {
			name string
			raw  json.RawMessage
			dst  *decimal.Decimal
		}{{"pv", j.PV, &v.PV}, {"qv", j.QV, &v.QV}, {"cv", j.CV, &v.CV}} {
			if *f.dst, err = jsonDecimal(f.name, f.raw); err != nil {
				return nil, fail(path+"."+f.name, -1, err)
			}
		}
		for k, cj := range j.Components {
			cpath := fmt.Sprintf("%s.components[%d]", path, k)
			comp := Component{SKU: cj.SKU}
			q, err := jsonDecimal("qty", cj.Qty)
			if err == nil && (!q.IsInteger() || q.IsNegative() || q.GreaterThan(decimal.NewFromInt(maxComponentQty))) {
				err = fmt.Errorf("%w: quantity per kit %s is not a whole number from 1 to %d", ErrInvalid, q, maxComponentQty)
			}
			if err != nil {
				return nil, fail(cpath+".qty", -1, err)
			}
			comp.Qty = q.IntPart()
			if comp.Share, err = jsonDecimal("share", cj.Share); err != nil {
				return nil, fail(cpath+".share", -1, err)
			}
			v.Components = append(v.Components, comp)
		}
		d.SKUs = append(d.SKUs, v)
	}
	for i, raw := range top.Keys {
		path := fmt.Sprintf("keys[%d]", i)
		var j bindingJSON
		if err := decode(fail, path, raw, &j); err != nil {
			return nil, err
		}
		b := Binding{Key: Key{Platform: j.Platform, Store: j.Store, Kind: j.Kind, Value: j.Key}, SKU: j.SKU}
		if j.EffectiveFrom != "" {
			var err error
			if b.EffectiveFrom, err = parseTime(j.EffectiveFrom); err != nil {
				return nil, fail(path+".effective_from", -1, err)
			}
		}
		d.Keys = append(d.Keys, b)
	}
	c, rerr := build(d)
	if rerr != nil {
		return nil, fail(rerr.path(), -1, rerr.err)
	}
	return c, nil
}

// decode reads one JSON value at path strictly (see internal/strictjson)
// into v. Byte offsets are given only at the top level, where they count
// from the start of the body.
func decode(fail func(string, int64, error) error, path string, body []byte, v any) error {
	err := strictjson.Decode(body, v)
	if err == nil {
		return nil
	}
	e := strictjson.Explain(err)
	at, offset := e.Path, e.Offset
	if path != "" {
		offset = -1
		if at == "" {
			at = path
		} else {
			at = path + "." + at
		}
	}
	return fail(at, offset, fmt.Errorf("%w: %s", ErrMalformed, e.Why))
}

// jsonDecimal reads an amount sent as a JSON string or number, exactly.
func jsonDecimal(name string, raw json.RawMessage) (decimal.Decimal, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return parseDecimal(name, "")
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return decimal.Zero, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
		}
		return parseDecimal(name, s)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return parseDecimal(name, string(raw))
	}
	return decimal.Zero, fmt.Errorf("%w: %s is JSON %s, want a number or a numeric string", ErrMalformed, name, raw)
}

// SaveJSON writes the catalog in its JSON form, indented, records in the
// order of Data, amounts as strings, so the same catalog always gives the
// same bytes. LoadJSON reads them back into an equal catalog.
func (c *Catalog) SaveJSON() []byte {
	d := c.Data()
	type out struct {
		SKUs []versionJSON `json:"skus"`
		Keys []bindingJSON `json:"keys"`
	}
	o := out{SKUs: make([]versionJSON, len(d.SKUs)), Keys: make([]bindingJSON, len(d.Keys))}
	str := func(d decimal.Decimal) json.RawMessage { return json.RawMessage(strconv.Quote(d.String())) }
	for i, v := range d.SKUs {
		j := versionJSON{
			ID: v.ID, EffectiveFrom: formatTime(v.EffectiveFrom), Name: v.Name, Category: v.Category,
			Class: v.Class, NonCommissionable: v.NonCommissionable, PV: str(v.PV), QV: str(v.QV), CV: str(v.CV),
		}
		for _, comp := range v.Components {
			j.Components = append(j.Components, componentJSON{
				SKU: comp.SKU, Qty: json.RawMessage(strconv.FormatInt(comp.Qty, 10)), Share: str(comp.Share),
			})
		}
		o.SKUs[i] = j
	}
	for i, b := range d.Keys {
		j := bindingJSON{Platform: b.Key.Platform, Store: b.Key.Store, Kind: b.Key.Kind, Key: b.Key.Value, SKU: b.SKU}
		if !b.EffectiveFrom.IsZero() {
			j.EffectiveFrom = formatTime(b.EffectiveFrom)
		}
		o.Keys[i] = j
	}
	body, err := json.MarshalIndent(o, "", "  ")
	if err != nil { // only strings, bools and well-formed raw values: cannot fail
		return nil
	}
	return append(body, '\n')
}

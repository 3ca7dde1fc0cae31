package commission

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/normalize"
)

// object is one JSON object of a plan being read, with its path, so that
// every error names where it is and unknown fields are refused.
type object struct {
	path string
	m    map[string]json.RawMessage
	used map[string]bool
}

func planErr(path, format string, args ...any) error {
	return &Error{Path: path, Why: fmt.Sprintf(format, args...), Err: ErrPlan}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func readObject(raw json.RawMessage, path string) (*object, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, planErr(path, "want a JSON object")
	}
	var m map[string]json.RawMessage
	if err := strictjson.Decode(raw, &m); err != nil {
		return nil, jsonErr(path, err)
	}
	return &object{path: path, m: m, used: make(map[string]bool, len(m))}, nil
}

// jsonErr turns a strictjson error inside the value at path (a repeated
// key, text that is not UTF-8, bad syntax) into a plan error.
func jsonErr(path string, err error) error {
	e := strictjson.Explain(err)
	switch {
	case e.Path == "":
	case path == "" || e.Path[0] == '[':
		path += e.Path
	default:
		path += "." + e.Path
	}
	return planErr(path, "%s", e.Why)
}

// absent is the error for a required key that is not there. A key that
// differs from it only in case is named instead: keys match exactly.
func (o *object) absent(key string) error {
	for _, k := range sortedKeys(o.m) {
		if strings.EqualFold(k, key) {
			return planErr(join(o.path, k), "key %q is not %q: keys must match exactly, case included", k, key)
		}
	}
	return planErr(join(o.path, key), "missing")
}

func (o *object) get(key string) (json.RawMessage, bool) {
	raw, ok := o.m[key]
	o.used[key] = true
	if ok && string(bytes.TrimSpace(raw)) == "null" {
		return nil, false
	}
	return raw, ok
}

// done refuses fields no one read, naming the first in sorted order.
func (o *object) done() error {
	var unknown []string
	for k := range o.m {
		if !o.used[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		for used := range o.used {
			if strings.EqualFold(k, used) {
				return planErr(join(o.path, k), "key %q is not %q: keys must match exactly, case included", k, used)
			}
		}
	}
	return planErr(join(o.path, unknown[0]), "unknown field")
}

func (o *object) str(key string, required bool) (string, error) {
	raw, ok := o.get(key)
	if !ok {
		if required {
			return "", o.absent(key)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", planErr(join(o.path, key), "want a string")
	}
	if required && s == "" {
		return "", planErr(join(o.path, key), "empty")
	}
	return s, nil
}

// integer reads a JSON integer (or a string holding one) from lo to hi.
func readInt(raw json.RawMessage, path string, lo, hi int64) (int64, error) {
	t := string(bytes.TrimSpace(raw))
	if len(t) > 1 && t[0] == '"' {
		t = t[1 : len(t)-1]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, planErr(path, "want an integer from %d to %d", lo, hi)
	}
	return n, nil
}

func (o *object) integer(key string, required bool, lo, hi int64) (int64, bool, error) {
	raw, ok := o.get(key)
	if !ok {
		if required {
			return 0, false, o.absent(key)
		}
		return 0, false, nil
	}
	n, err := readInt(raw, join(o.path, key), lo, hi)
	return n, err == nil, err
}

func (o *object) boolean(key string) (bool, error) {
	raw, ok := o.get(key)
	if !ok {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, planErr(join(o.path, key), "want true or false")
	}
	return b, nil
}

// readRate reads a rate written as a string or a JSON number, never
// through float64.
func readRate(raw json.RawMessage, path string) (int64, error) {
	t := string(bytes.TrimSpace(raw))
	if len(t) > 1 && t[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, planErr(path, "want a rate")
		}
		t = s
	}
	r, ok := parseRate(t)
	if !ok {
		return 0, planErr(path, "want a rate from 0 to 1000 with at most 9 decimal places, as a string")
	}
	return r, nil
}

func readArray(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	var a []json.RawMessage
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '[' {
		return nil, planErr(path, "want an array")
	}
	if err := strictjson.Decode(t, &a); err != nil {
		return nil, jsonErr(path, err)
	}
	return a, nil
}

func readRates(raw json.RawMessage, path string) ([]int64, error) {
	a, err := readArray(raw, path)
	if err != nil {
		return nil, err
	}
	if len(a) > maxLevels {
		return nil, planErr(path, "more than %d levels", maxLevels)
	}
	out := make([]int64, len(a))
	for i, r := range a {
		if out[i], err = readRate(r, index(path, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortedKeys returns an object's keys in order, so errors are stable.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func readTime(s, path string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = normalize.ParseTime(s); err != nil {
			return time.Time{}, planErr(path, "want an RFC 3339 instant")
		}
	}
	return t.UTC(), nil
}

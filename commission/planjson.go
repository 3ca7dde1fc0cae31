package commission

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/uplinehq/upline/internal/strictjson"
	"github.com/uplinehq/upline/normalize"
)

// object is one JSON object of a plan being read, with its path, so that
// every error names where it is and unknown fields are refused.
type object struct {
	path string
	m    map[string]json.RawMessage
	used map[string]bool
	// fields are the keys the object accepts, when they are fixed: a
	// key that is not one of them is a misspelling of the nearest.
	fields []string
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
// differs from it only in case, or a key the object does not accept that
// is a misspelling of it, is named instead.
func (o *object) absent(key string) error {
	if err := o.misspelt(key); err != nil {
		return err
	}
	return planErr(join(o.path, key), "missing")
}

// misspelt returns the error naming a key of the object that stands for
// key, which is not there: one that differs from it only in case, or one
// the object does not accept that is a misspelling of it; nil if none.
func (o *object) misspelt(key string) error {
	for _, k := range sortedKeys(o.m) {
		if strings.EqualFold(k, key) {
			return planErr(join(o.path, k), "key %q is not %q: keys must match exactly, case included", k, key)
		}
	}
	if o.fields != nil {
		for _, k := range sortedKeys(o.m) {
			if !slices.Contains(o.fields, k) && near(k, key) {
				return planErr(join(o.path, k), "unknown field; did you mean %q?", key)
			}
		}
	}
	return nil
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
	k := unknown[0]
	best, bestD := "", 0
	for _, f := range o.fields {
		if _, there := o.m[f]; there || !near(k, f) {
			continue
		}
		if d := distance(k, f); best == "" || d < bestD {
			best, bestD = f, d
		}
	}
	if best != "" {
		return planErr(join(o.path, k), "unknown field; did you mean %q?", best)
	}
	return planErr(join(o.path, k), "unknown field")
}

// near reports whether key is close enough to field to be a misspelling
// of it: at most one edit for fields of up to five letters, two beyond.
func near(key, field string) bool {
	limit := 1
	if len(field) > 5 {
		limit = 2
	}
	return distance(key, field) <= limit
}

// distance is the optimal string alignment distance between a and b: the
// fewest insertions, deletions, substitutions and swaps of adjacent bytes
// that turn one into the other.
func distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
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

// rateText returns the text of a rate or share and whether it was written
// as a JSON number; ok is false when it is neither a string nor a number.
func rateText(raw json.RawMessage) (t string, number, ok bool) {
	t = string(bytes.TrimSpace(raw))
	switch {
	case len(t) > 1 && t[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, false
		}
		return s, false, true
	case t != "" && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
		return t, true, true
	}
	return "", false, false
}

// rates reads a rule's rates: decimal strings from 0 to 1 (100% of the
// basis), or to 1000 when the rule says "allow_rates_above_one": true.
type rates struct{ aboveOne bool }

func readRatesOption(o *object) (rates, error) {
	b, err := o.boolean("allow_rates_above_one")
	return rates{aboveOne: b}, err
}

// rate reads one rate. A JSON number is refused, with the string to write
// instead: a number of 1 or more is as often a percentage written as a
// whole number as it is a multiple of the basis, and only its author knows
// which.
func (rs rates) rate(raw json.RawMessage, path string) (int64, error) {
	t, number, ok := rateText(raw)
	r, valid := parseRate(t)
	if !ok || !valid {
		return 0, planErr(path, "want a rate from 0 to 1000 with at most 9 decimal places, as a string")
	}
	d := decimal.New(r, -rateDigits)
	if number {
		if r < rateOne {
			return 0, planErr(path, "%s is a JSON number; write it as a string: %q", t, t)
		}
		optIn := ""
		if r > rateOne && !rs.aboveOne {
			optIn = `, which needs "allow_rates_above_one": true on the rule`
		}
		return 0, planErr(path, "%s is a JSON number; write it as a string: %q for %s%%, or %q for %s%s",
			t, percentAsShare(t), t, t, times(d), optIn)
	}
	if r > rateOne && !rs.aboveOne {
		return 0, planErr(path, "%q is more than 1 (100%% of the basis): a rate is a share of the basis; write %q for %s%%, or set \"allow_rates_above_one\": true on the rule to pay %s",
			t, percentAsShare(t), t, times(d))
	}
	return r, nil
}

func (rs rates) list(raw json.RawMessage, path string) ([]int64, error) {
	a, err := readArray(raw, path)
	if err != nil {
		return nil, err
	}
	if len(a) > maxLevels {
		return nil, planErr(path, "more than %d levels", maxLevels)
	}
	out := make([]int64, len(a))
	for i, r := range a {
		if out[i], err = rs.rate(r, index(path, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// percentAsShare returns the share a percentage written as t is, with at
// least two places: "10" → "0.10", "12.5" → "0.125", "7" → "0.07".
func percentAsShare(t string) string {
	d, _ := decimal.NewFromString(t)
	places := int32(2)
	if e := d.Exponent(); e < 0 {
		places -= e
	}
	return d.Shift(-2).StringFixed(places)
}

// times says what paying rate d of a basis is, for rates of 1 or more.
func times(d decimal.Decimal) string {
	if d.Equal(decimal.NewFromInt(1)) {
		return "the whole basis"
	}
	return d.String() + " times the basis"
}

// readShare reads max_payout_share: a decimal string above 0 and at most
// 1, or "none" (uncapped true).
func readShare(raw json.RawMessage, path string) (share int64, uncapped bool, err error) {
	t, number, ok := rateText(raw)
	if ok && !number && t == "none" {
		return 0, true, nil
	}
	r, valid := parseRate(t)
	if !ok || !valid || r == 0 || (r > rateOne && !number) {
		return 0, false, planErr(path, "want a share above 0 and at most 1 with at most 9 decimal places, as a string, or \"none\"")
	}
	if number {
		if r > rateOne {
			return 0, false, planErr(path, "%s is a JSON number; write it as a string: %q for %s%%", t, percentAsShare(t), t)
		}
		return 0, false, planErr(path, "%s is a JSON number; write it as a string: %q", t, t)
	}
	return r, false, nil
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

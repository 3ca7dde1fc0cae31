// Package strictjson reads the JSON forms upline defines itself (canonical
// orders and refunds, the referral webhook, plans, catalogs, genealogies)
// so that nothing in a body is silently dropped, merged or replaced:
//
//	if err := strictjson.Decode(body, &v); err != nil {
//		var e *strictjson.Error // where (Path, Offset) and what (Why)
//	}
//
// encoding/json on its own turns invalid UTF-8 into U+FFFD (so the ids
// "1\xff" and "1\xfe" become one), lets the last of two equal keys win and
// matches keys to fields without regard to case (so "AMOUNT": "0.01"
// replaces "amount": "99.00"). Decode refuses all of these, keys a struct
// does not declare, and anything after the value. Check refuses only the
// text that is not valid Unicode, for the platforms' bodies, whose other
// fields are theirs to add.
//
// Each package turns an *Error into its own error type and kind.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error says where in a body a problem is and what it is.
type Error struct {
	// Path is the JSON path of the value or key, such as
	// "items[2].amount" or "[3].effective"; "" for the body as a whole.
	Path string
	// Offset is the byte offset in the body, -1 when it is not known.
	Offset int64
	// Why says what is wrong, without encoding/json's "json: " prefix.
	Why string
}

func (e *Error) Error() string {
	s := e.Why
	if e.Offset >= 0 {
		s = "at byte " + strconv.FormatInt(e.Offset, 10) + ": " + s
	}
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	return s
}

// Decode decodes body, exactly one JSON value, into v. Besides what
// encoding/json refuses, it refuses with an *Error naming the path: text
// that is not valid Unicode (invalid UTF-8 or a lone surrogate escape), a
// key that appears twice in one object, a key that names no field of the
// struct it is decoded into or differs from a field's name only in case,
// and anything after the value. Values decoded by their own UnmarshalJSON
// (json.RawMessage, say) are checked for text and duplicate keys only; an
// error such a method returns is returned as it is.
func Decode(body []byte, v any) error {
	w := walker{data: body, strict: true, fields: map[reflect.Type][]field{}}
	if err := w.walk(reflect.TypeOf(v)); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) {
			return Explain(err)
		}
		return err
	}
	if w.bad { // encoding/json accepted what the walk took for a syntax error
		return &Error{Offset: int64(w.pos), Why: "malformed JSON"}
	}
	return nil
}

// Check refuses body if a string in it, key or value, is not valid
// Unicode: invalid UTF-8, or a \u escape of half a surrogate pair. Syntax
// errors are left to encoding/json, which says them better.
func Check(body []byte) error {
	if utf8.Valid(body) && pairedSurrogates(body) {
		return nil
	}
	w := walker{data: body}
	return w.walk(nil)
}

// pairedSurrogates reports whether every \u escape of a surrogate in body
// is a high one followed by a low one (an emoji, say), without a walk: in
// JSON a backslash occurs only in escapes, so reading escape by escape
// from each backslash finds them all. A false answer only costs a walk.
func pairedSurrogates(body []byte) bool {
	for i := 0; i < len(body); {
		k := bytes.IndexByte(body[i:], '\\')
		if k < 0 {
			return true
		}
		i += k + 1
		if i >= len(body) || body[i] != 'u' {
			i++ // a two-character escape, such as \\
			continue
		}
		r, ok := hex4(body[i+1:])
		i += 5
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
		case r >= 0xDC00:
			return false
		case i+1 < len(body) && body[i] == '\\' && body[i+1] == 'u':
			lo, ok := hex4(body[i+2:])
			if !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 6
		default:
			return false
		}
	}
	return true
}

// Explain turns an error of encoding/json into an *Error; an *Error is
// returned as it is and nil stays nil. Callers with error types of their
// own (from UnmarshalJSON methods) look for them first.
func Explain(err error) *Error {
	if err == nil {
		return nil
	}
	var own *Error
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &own):
		return own
	case errors.As(err, &syn):
		return &Error{Offset: syn.Offset, Why: syn.Error()}
	case errors.As(err, &typ):
		e := &Error{Path: typ.Field, Offset: -1, Why: fmt.Sprintf("got JSON %s, want %s", typ.Value, TypeName(typ.Type))}
		if typ.Offset > 0 { // encoding/json leaves 0 for errors of UnmarshalJSON methods
			e.Offset = typ.Offset
		}
		return e
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Offset: -1, Why: "unexpected end of JSON input"}
	}
	return &Error{Offset: -1, Why: strings.TrimPrefix(err.Error(), "json: ")}
}

// TypeName says in words what a Go type accepts. A type can say it
// itself with a method WantJSON() string.
func TypeName(t reflect.Type) string {
	if t == nil {
		return "something else"
	}
	if w, ok := reflect.Zero(t).Interface().(interface{ WantJSON() string }); ok {
		return w.WantJSON()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// maxDepth is encoding/json's own nesting limit; deeper bodies are left
// to it to refuse.
const maxDepth = 10000

// walker reads a body once, beside the Go type it is decoded into, and
// stops at the first problem. A syntax error only stops it (bad):
// encoding/json reports those.
type walker struct {
	data   []byte
	pos    int
	strict bool // also keys: duplicates, case variants, unknown fields
	depth  int
	path   []any // keys (string) and indexes (int) down to the value read
	fields map[reflect.Type][]field
	bad    bool
	err    *Error
}

type field struct {
	name string
	typ  reflect.Type
}

func (w *walker) walk(t reflect.Type) error {
	w.space()
	if !w.value(t) {
		return w.result()
	}
	end := w.pos
	w.space()
	if w.strict && w.pos < len(w.data) {
		w.err = &Error{Offset: int64(end), Why: "data after the JSON value"}
	}
	return w.result()
}

func (w *walker) result() error {
	if w.err != nil {
		return w.err
	}
	return nil
}

func (w *walker) fail(offset int, format string, args ...any) bool {
	w.err = &Error{Path: w.pathString(), Offset: int64(offset), Why: fmt.Sprintf(format, args...)}
	return false
}

func (w *walker) syntax() bool {
	w.bad = true
	return false
}

func (w *walker) pathString() string {
	var b strings.Builder
	for _, p := range w.path {
		switch p := p.(type) {
		case int:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p))
			b.WriteByte(']')
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

func (w *walker) space() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value reads one value decoded into t (nil: a type not followed).
func (w *walker) value(t reflect.Type) bool {
	if w.pos >= len(w.data) {
		return w.syntax()
	}
	switch c := w.data[w.pos]; {
	case c == '{':
		return w.object(follow(t))
	case c == '[':
		return w.array(follow(t))
	case c == '"':
		_, ok := w.str("a string")
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		return w.number()
	case c == 't':
		return w.literal("true")
	case c == 'f':
		return w.literal("false")
	case c == 'n':
		return w.literal("null")
	}
	return w.syntax()
}

var (
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// follow returns the type whose keys and elements the walk checks: t
// without pointers, or nil when t reads itself or takes anything.
func follow(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) ||
			t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
			return nil
		}
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array:
			return t
		default:
			return nil
		}
	}
	return nil
}

func (w *walker) enter() bool {
	w.depth++
	if w.depth > maxDepth {
		return w.syntax()
	}
	w.pos++
	w.space()
	return true
}

func (w *walker) object(t reflect.Type) bool {
	if !w.enter() {
		return false
	}
	var fields []field
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = w.structFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	var seen []string
	var seenSet map[string]bool
	if w.pos < len(w.data) && w.data[w.pos] == '}' {
		w.pos++
		w.depth--
		return true
	}
	for {
		if w.pos >= len(w.data) || w.data[w.pos] != '"' {
			return w.syntax()
		}
		start := w.pos
		raw, ok := w.str("a key")
		if !ok {
			return false
		}
		key := string(raw)
		if w.strict {
			key = unquote(w.data[start:w.pos], raw)
		}
		w.path = append(w.path, key)
		vt := elem
		if w.strict {
			if slicesContains(seen, seenSet, key) {
				return w.fail(start, "duplicate key %q", key)
			}
			if len(seen) < 16 {
				seen = append(seen, key)
			} else {
				if seenSet == nil {
					seenSet = make(map[string]bool, 32)
					for _, k := range seen {
						seenSet[k] = true
					}
				}
				seenSet[key] = true
			}
			if t != nil && t.Kind() == reflect.Struct {
				f, ok := match(fields, key)
				switch {
				case !ok:
					return w.fail(start, "unknown field %q", key)
				case f.name != key:
					return w.fail(start, "key %q is not %q: keys must match exactly, case included", key, f.name)
				}
				vt = f.typ
			}
		}
		w.space()
		if w.pos >= len(w.data) || w.data[w.pos] != ':' {
			return w.syntax()
		}
		w.pos++
		w.space()
		if !w.value(vt) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
		if more, ok := w.next('}'); !more {
			return ok
		}
	}
}

func slicesContains(seen []string, set map[string]bool, key string) bool {
	if set != nil {
		return set[key]
	}
	for _, k := range seen {
		if k == key {
			return true
		}
	}
	return false
}

// match finds the field a key names: exactly, or else (as encoding/json
// would match it) without regard to case.
func match(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

func (w *walker) array(t reflect.Type) bool {
	if !w.enter() {
		return false
	}
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	if w.pos < len(w.data) && w.data[w.pos] == ']' {
		w.pos++
		w.depth--
		return true
	}
	for i := 0; ; i++ {
		w.path = append(w.path, i)
		if !w.value(elem) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
		if more, ok := w.next(']'); !more {
			return ok
		}
	}
}

// next reads what follows a member or element: a comma (more) or the
// closing bracket.
func (w *walker) next(closing byte) (more, ok bool) {
	w.space()
	switch {
	case w.pos >= len(w.data):
		return false, w.syntax()
	case w.data[w.pos] == ',':
		w.pos++
		w.space()
		return true, true
	case w.data[w.pos] == closing:
		w.pos++
		w.depth--
		return false, true
	}
	return false, w.syntax()
}

// str reads a string from its opening quote and returns its content as
// written, refusing text that is not valid Unicode.
func (w *walker) str(what string) ([]byte, bool) {
	w.pos++ // the opening quote
	start := w.pos
	for w.pos < len(w.data) {
		c := w.data[w.pos]
		switch {
		case c == '"':
			w.pos++
			return w.data[start : w.pos-1], true
		case c < 0x20:
			return nil, w.syntax()
		case c == '\\':
			if !w.escape(what) {
				return nil, false
			}
		case c < utf8.RuneSelf:
			w.pos++
		default:
			r, size := utf8.DecodeRune(w.data[w.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, w.fail(w.pos, "invalid UTF-8 (byte %#x) in %s", c, what)
			}
			w.pos += size
		}
	}
	return nil, w.syntax()
}

// escape reads one escape sequence; a \u escape of half a surrogate pair
// without its other half is not text.
func (w *walker) escape(what string) bool {
	at := w.pos
	if w.pos+1 >= len(w.data) {
		return w.syntax()
	}
	switch w.data[w.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		w.pos += 2
		return true
	case 'u':
	default:
		return w.syntax()
	}
	r, ok := hex4(w.data[w.pos+2:])
	if !ok {
		return w.syntax()
	}
	w.pos += 6
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return w.fail(at, "lone surrogate escape \\u%04x in %s", r, what)
	case r >= 0xD800 && r <= 0xDBFF:
		if w.pos+1 < len(w.data) && w.data[w.pos] == '\\' && w.data[w.pos+1] == 'u' {
			if lo, ok := hex4(w.data[w.pos+2:]); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				w.pos += 6
				return true
			}
		}
		return w.fail(at, "lone surrogate escape \\u%04x in %s", r, what)
	}
	return true
}

// hex4 reads the four hexadecimal digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// unquote returns a key's text: as written, unless it has escapes.
func unquote(quoted, raw []byte) string {
	for _, c := range raw {
		if c == '\\' {
			var s string
			if json.Unmarshal(quoted, &s) == nil {
				return s
			}
			break
		}
	}
	return string(raw)
}

func (w *walker) number() bool {
	d := w.data
	i := w.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return w.syntax()
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return w.syntax()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return w.syntax()
		}
	}
	w.pos = i
	return true
}

func (w *walker) literal(s string) bool {
	if len(w.data)-w.pos < len(s) || string(w.data[w.pos:w.pos+len(s)]) != s {
		return w.syntax()
	}
	w.pos += len(s)
	return true
}

// structFields lists the keys encoding/json decodes into a struct.
func (w *walker) structFields(t reflect.Type) []field {
	if fs, ok := w.fields[t]; ok {
		return fs
	}
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				fs = append(fs, w.structFields(et)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, field{name: name, typ: f.Type})
	}
	w.fields[t] = fs
	return fs
}

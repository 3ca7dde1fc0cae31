// Package jsondec decodes a platform's webhook body into the wire structs
// of its decoder in one pass, without encoding/json's separate validation
// scan and reflection per value. It is a fast path, never the authority:
// Decode either finishes with exactly what encoding/json.Unmarshal would
// have produced, or says it did not, and the caller decodes again with
// encoding/json, which then also describes any error.
//
// To stay exact it handles only what the wire structs use — structs,
// strings, bools, pointers, slices and types with their own UnmarshalJSON
// (wire.Num, wire.ID, json.RawMessage) — and gives up on anything where
// encoding/json's behaviour is subtle: a field given twice (encoding/json
// merges), a key with an escape or a non-ASCII byte (Unicode case folding),
// a type mismatch, a syntax error, deep nesting, text that is not valid
// Unicode. Numbers are handed to UnmarshalJSON as their literal text;
// nothing passes through a float.
package jsondec

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Decode decodes body into v, a pointer to a zero struct. It reports
// false, with v zero again, when it did not finish: the caller then
// decodes with encoding/json. It finishes only on text that is valid
// Unicode — valid UTF-8 in every string, skipped or not, and no \u escape
// of half a surrogate pair — so a body it finishes is one that
// strictjson.Check accepts, and Check need only run when it does not.
func Decode(body []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !zeroBytes(rv.UnsafePointer(), rv.Type().Elem().Size()) {
		return false // encoding/json decodes into what is there: not handled
	}
	p := planFor(rv.Type().Elem())
	if p == nil || p.kind != kindStruct {
		return false
	}
	d := decoder{data: body}
	d.space()
	ok := d.i < len(d.data) && d.data[d.i] == '{' && d.value(p, rv.UnsafePointer())
	d.space()
	if !ok || d.i != len(d.data) {
		rv.Elem().SetZero()
		return false
	}
	return true
}

// zeroBytes reports whether the size bytes at p are all zero, which a
// zero value's are (a value that is zero in another way, such as with
// non-zero padding, is merely left to encoding/json).
func zeroBytes(p unsafe.Pointer, size uintptr) bool {
	b := unsafe.Slice((*byte)(p), size)
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

type kind uint8

const (
	kindString kind = iota + 1
	kindBool
	kindUnmarshaler
	kindPointer
	kindSlice
	kindStruct
)

// plan says how to decode one Go type.
type plan struct {
	kind kind
	typ  reflect.Type
	elem *plan // pointer and slice elements

	fields []field        // structs
	exact  table          // name → index in fields
	folded map[string]int // ASCII-lowercased name → index
	upper  bool           // a name has an upper-case letter

	unmarshaler json.Unmarshaler // a *typ: its method table, for any value's address
	empty       unsafe.Pointer   // slices: the array of an empty, non-nil slice
	first       reflect.Type     // slices: the array a list's first elements go in

	shapes atomic.Pointer[[]shape] // structs: the members of the last objects read, the latest first
}

// iface is the layout of an interface value with methods: the method
// table of its dynamic type, then its data pointer.
type iface struct {
	tab, data unsafe.Pointer
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

type field struct {
	name   string
	offset uintptr
	plan   *plan
}

// table finds a struct's field by its exact name: open addressing on a
// hash of the name's length and three of its bytes, cheaper than a map's
// hash of the whole key, which every key of a body pays. (strtab, the
// project's string table, hashes every byte: 7% more instructions for a
// whole Shopify body.)
type table struct {
	slots []int8 // index in fields + 1; 0 is empty
	mask  uint32
}

func hashKey[S string | []byte](k S) uint32 {
	n := uint32(len(k))
	if n == 0 {
		return 0
	}
	return n*0x9E3779B1 ^ uint32(k[0])*0x85EBCA77 ^ uint32(k[n-1])*0xC2B2AE3D ^ uint32(k[n/2])*0x27D4EB2F
}

func newTable(fields []field) table {
	size := uint32(8)
	for size < 4*uint32(len(fields)) {
		size *= 2
	}
	t := table{slots: make([]int8, size), mask: size - 1}
	for i, f := range fields {
		h := hashKey(f.name) & t.mask
		for t.slots[h] != 0 {
			h = (h + 1) & t.mask
		}
		t.slots[h] = int8(i + 1)
	}
	return t
}

// lookupFolded finds the field whose name equals key but for ASCII case,
// as encoding/json matches a key that names no field exactly.
func (p *plan) lookupFolded(key []byte) (int, bool) {
	var buf [64]byte
	if len(key) > len(buf) {
		return 0, false
	}
	low := buf[:len(key)]
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[j] = c
	}
	f, ok := p.folded[string(low)]
	return f, ok
}

func (p *plan) lookup(key []byte) (int, bool) {
	t := &p.exact
	for h := hashKey(key) & t.mask; ; h = (h + 1) & t.mask {
		s := t.slots[h]
		if s == 0 {
			return 0, false
		}
		if p.fields[s-1].name == string(key) {
			return int(s - 1), true
		}
	}
}

// maxFields bounds a struct's fields so a bit set can track which were
// seen; maxDepth bounds nesting, far below encoding/json's own limit;
// firstCap is the room a decoded list gets at first.
const (
	firstCap  = 4
	maxFields = 64
	maxDepth  = 500
)

var plans sync.Map // reflect.Type → *plan (nil: not handled)

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := build(t, map[reflect.Type]*plan{})
	plans.Store(t, p)
	return p
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// build returns t's plan, or nil when t holds anything Decode does not
// handle exactly as encoding/json does. seen breaks recursive types.
func build(t reflect.Type, seen map[reflect.Type]*plan) *plan {
	if p, ok := seen[t]; ok {
		return p
	}
	pt := reflect.PointerTo(t)
	if t.Kind() != reflect.Pointer && pt.Implements(unmarshalerType) {
		return &plan{kind: kindUnmarshaler, typ: t, unmarshaler: reflect.New(t).Interface().(json.Unmarshaler)}
	}
	if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return nil
	}
	p := &plan{typ: t}
	seen[t] = p
	switch t.Kind() {
	case reflect.String:
		p.kind = kindString
	case reflect.Bool:
		p.kind = kindBool
	case reflect.Pointer:
		p.kind = kindPointer
		if p.elem = build(t.Elem(), seen); p.elem == nil {
			return nil
		}
	case reflect.Slice:
		p.kind = kindSlice
		if t.Elem().Kind() == reflect.Uint8 { // base64 in encoding/json
			return nil
		}
		if p.elem = build(t.Elem(), seen); p.elem == nil {
			return nil
		}
		p.empty = reflect.MakeSlice(t, 0, 0).UnsafePointer()
		p.first = reflect.ArrayOf(firstCap, t.Elem())
	case reflect.Struct:
		p.kind = kindStruct
		p.folded = map[string]int{}
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				return nil // embedded fields promote theirs: not handled
			}
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := cut(tag, ',')
			if opts != "" || name == "" || !plainASCII(name) {
				return nil
			}
			fp := build(f.Type, seen)
			if fp == nil {
				return nil
			}
			low := lower(name)
			if _, dup := p.folded[low]; dup {
				return nil
			}
			p.upper = p.upper || low != name
			p.folded[low] = len(p.fields)
			p.fields = append(p.fields, field{name: name, offset: f.Offset, plan: fp})
		}
		if len(p.fields) > maxFields {
			return nil
		}
		p.exact = newTable(p.fields)
	default:
		return nil
	}
	return p
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

type decoder struct {
	data  []byte
	i     int
	depth int
}

// space skips whitespace; after a newline, indentation eight spaces at
// a time. Most calls find none: that much is inlined.
func (d *decoder) space() {
	if d.i < len(d.data) && d.data[d.i] > ' ' {
		return
	}
	d.spaces()
}

func (d *decoder) spaces() {
	d.i = skipSpace(d.data, d.i)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch c := b[i]; {
		case c > ' ':
			return i
		case c == ' ' || c == '\n':
			// A newline starts indentation, a run of spaces: a word at a time.
			for i++; i+8 <= len(b); i += 8 {
				if x := binary.LittleEndian.Uint64(b[i:]) ^ (ones * ' '); x != 0 {
					i += bits.TrailingZeros64(x) / 8
					break
				}
			}
		case c == '\t' || c == '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value decodes the value at d.i into *ptr, a value of p's type.
func (d *decoder) value(p *plan, ptr unsafe.Pointer) bool {
	if d.i >= len(d.data) {
		return false
	}
	c := d.data[d.i]
	switch p.kind {
	case kindUnmarshaler:
		start := d.i
		if !d.skip() {
			return false
		}
		u := p.unmarshaler // the same method table, on the value at ptr
		(*iface)(unsafe.Pointer(&u)).data = ptr
		return u.UnmarshalJSON(d.data[start:d.i]) == nil
	case kindString:
		if c == 'n' {
			return d.literal("null")
		}
		if c != '"' {
			return false
		}
		s, ok := d.str()
		if ok {
			*(*string)(ptr) = s
		}
		return ok
	case kindBool:
		switch c {
		case 'n':
			return d.literal("null")
		case 't':
			*(*bool)(ptr) = true
			return d.literal("true")
		case 'f':
			*(*bool)(ptr) = false
			return d.literal("false")
		}
		return false
	case kindPointer:
		if c == 'n' {
			*(*unsafe.Pointer)(ptr) = nil
			return d.literal("null")
		}
		e := reflect.New(p.elem.typ).UnsafePointer()
		if !d.value(p.elem, e) {
			return false
		}
		*(*unsafe.Pointer)(ptr) = e
		return true
	case kindSlice:
		if c == 'n' {
			reflect.NewAt(p.typ, ptr).Elem().SetZero()
			return d.literal("null")
		}
		if c != '[' {
			return false
		}
		return d.array(p, ptr)
	case kindStruct:
		if c == 'n' {
			return d.literal("null")
		}
		if c != '{' {
			return false
		}
		return d.object(p, ptr)
	}
	return false
}

func (d *decoder) enter() bool {
	d.depth++
	d.i++
	return d.depth <= maxDepth
}

// array decodes a JSON array into a fresh slice: elements start zero, and
// an empty array gives an empty, non-nil slice, as with encoding/json.
func (d *decoder) array(p *plan, ptr unsafe.Pointer) bool {
	if !d.enter() {
		return false
	}
	h := (*sliceHeader)(ptr)
	*h = sliceHeader{data: p.empty}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		d.depth--
		return true
	}
	size := p.elem.typ.Size()
	for n := 0; ; n++ {
		if n == h.cap {
			if n == 0 { // bodies' lists are mostly short: one allocation, an array
				*h = sliceHeader{data: reflect.New(p.first).UnsafePointer(), cap: firstCap}
			} else {
				grown := reflect.MakeSlice(p.typ, n, 2*n)
				reflect.Copy(grown, reflect.NewAt(p.typ, ptr).Elem())
				*h = sliceHeader{data: grown.UnsafePointer(), len: n, cap: 2 * n}
			}
		}
		h.len = n + 1
		d.space()
		if !d.value(p.elem, unsafe.Add(h.data, uintptr(n)*size)) {
			return false
		}
		if d.comma() {
			continue
		}
		if done, ok := d.after(']'); done || !ok {
			return ok
		}
	}
}

// object decodes a JSON object into the struct at ptr. A platform sends
// the same keys in the same order, with the same spacing, body after
// body, so p keeps the members of the last few objects it read (see
// shape): a member whose text is byte for byte the one remembered at its
// place names the same field, and is read with one comparison instead of
// a scan, a lookup and a check of its key. Any other member is read in
// full, and the object's members are remembered once it is read.
func (d *decoder) object(p *plan, ptr unsafe.Pointer) bool {
	if !d.enter() {
		return false
	}
	var known []shape
	if k := p.shapes.Load(); k != nil {
		known = *k
	}
	var cur shape // the remembered members this object has matched so far
	if len(known) > 0 {
		cur = known[0]
	}
	var read shape  // this object's members, once they differ from every known shape
	forget := false // read is not to be remembered
	var seen uint64
	for n := 0; ; n++ {
		start := d.i
		var f int
		if n < len(cur) && begins(d.data[start:], cur[n].text) {
			f = cur[n].field
			d.i += len(cur[n].text)
			if read != nil {
				read = append(read, cur[n])
			}
		} else if next, ok := match(known, cur, n, d.data[start:]); ok {
			cur = next
			f = cur[n].field
			d.i += len(cur[n].text)
			if read != nil {
				read = append(read, cur[n])
			}
		} else {
			d.space()
			if n == 0 && d.i < len(d.data) && d.data[d.i] == '}' {
				d.i++
				d.depth--
				return true
			}
			var ok bool
			if f, ok = d.member(p); !ok {
				return false
			}
			if read == nil {
				read = append(make(shape, 0, max(len(cur), n+1)), cur[:min(n, len(cur))]...)
			}
			if d.i-start > maxMemberText {
				forget = true
			} else {
				read = append(read, member{text: string(d.data[start:d.i]), field: f})
			}
		}
		if f >= 0 {
			if seen&(1<<f) != 0 {
				return false // encoding/json would merge the two: leave it to it
			}
			seen |= 1 << f
			if !d.value(p.fields[f].plan, unsafe.Add(ptr, p.fields[f].offset)) {
				return false
			}
		} else if !d.skip() {
			return false
		}
		if d.comma() {
			continue
		}
		done, ok := d.after('}')
		if !ok {
			return false
		}
		if done {
			if read != nil && !forget && len(read) <= maxShapeMembers {
				shapes := append([]shape{read}, known[:min(len(known), maxShapes-1)]...)
				p.shapes.Store(&shapes)
			}
			return true
		}
	}
}

// maxShapes bounds the shapes a struct's plan remembers (a body's lines,
// say, may come in a few); maxShapeMembers and maxMemberText bound what
// one remembers, so a freak body cannot make a plan keep much of it.
const (
	maxShapes       = 4
	maxShapeMembers = 256
	maxMemberText   = 128
)

// match returns a known shape other than cur whose member n begins b,
// among those that begin with cur's first n members (the members already
// read), and whether there is one.
func match(known []shape, cur shape, n int, b []byte) (shape, bool) {
	for _, s := range known {
		if n < len(s) && samePrefix(s, cur, n) && begins(b, s[n].text) {
			return s, true
		}
	}
	return nil, false
}

// samePrefix reports whether a and b begin with the same n members.
func samePrefix(a, b shape, n int) bool {
	if n > len(b) {
		return false
	}
	for i := range n {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// member reads a member's key, at d.i, and the colon after it, and says
// which of p's fields it names, or -1 for none; ok is false for a key
// Decode cannot match exactly as encoding/json would.
func (d *decoder) member(p *plan) (field int, ok bool) {
	key, ok := d.key()
	if !ok || !d.colonSpace() && !d.colon() {
		return 0, false
	}
	f, found := p.lookup(key)
	if !found {
		plain, upper := plainKey(key)
		if !plain {
			return 0, false
		}
		if upper || p.upper {
			f, found = p.lookupFolded(key)
		}
	}
	if !found {
		return -1, true
	}
	return f, true
}

// shape is the members of an object as a body last sent them.
type shape []member

// member is the text of one member up to its value — from just after the
// brace or comma before it: space, the quoted key, the colon and the
// space after it — and the field it names, or -1.
type member struct {
	text  string
	field int
}

// begins reports whether b begins with the text of a member, m, and its
// value: what follows the text in b is not space, as a member's text
// takes in all the space before its value.
func begins(b []byte, m string) bool {
	return len(b) > len(m) && b[len(m)] > ' ' && string(b[:len(m)]) == m
}

// key reads an object key up to the next quote. It is the whole key
// when the key names a field (names are printable ASCII); plainKey tells
// whether any other key is one Decode can match exactly.
func (d *decoder) key() (key []byte, ok bool) {
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	if start+8 <= len(d.data) { // most keys are short: look at one word first
		if m := zeroByte(binary.LittleEndian.Uint64(d.data[start:]) ^ (ones * '"')); m != 0 {
			n := bits.TrailingZeros64(m) / 8
			d.i = start + n + 1
			return d.data[start : start+n], true
		}
	}
	n := bytes.IndexByte(d.data[start:], '"')
	if n < 0 {
		return nil, false
	}
	d.i = start + n + 1
	return d.data[start : start+n], true
}

// plainKey reports whether key, read by key, is printable ASCII without
// escapes, and whether it has an upper-case letter. Any other key could
// match a field only by rules left to encoding/json.
func plainKey(key []byte) (plain, upper bool) {
	if len(key) < 8 {
		for _, c := range key {
			if c == '\\' || c < 0x20 || c >= 0x7f {
				return false, false
			}
			upper = upper || ('A' <= c && c <= 'Z')
		}
		return true, upper
	}
	var bad, up uint64
	for j := 0; ; j += 8 {
		if j > len(key)-8 {
			j = len(key) - 8 // the last word overlaps the one before
		}
		x := binary.LittleEndian.Uint64(key[j:])
		// A byte is bad when 0x7f or above (high bit of x or of x+1), below
		// 0x20 or a backslash; for ASCII bytes, upper when from 'A' to 'Z'.
		bad |= x | (x + ones) | (x-ones*0x20)&^x | zeroByte(x^(ones*'\\'))
		up |= (x + ones*(0x80-'A')) &^ (x + ones*(0x80-'Z'-1))
		if j == len(key)-8 {
			break
		}
	}
	return bad&highs == 0, up&highs != 0
}

const ones, highs = 0x0101010101010101, 0x8080808080808080

// zeroByte has the high bit of a byte of x set where that byte is zero,
// and maybe on bytes after a zero one, never before: the lowest set bit
// is exact.
func zeroByte(x uint64) uint64 {
	return (x - ones) &^ x & highs
}

// special marks, as zeroByte does, the bytes of x that end a plain run
// of a string: a quote, a backslash, a control character or a byte of a
// character beyond ASCII, whose UTF-8 is to be checked.
func special(x uint64) uint64 {
	return zeroByte(x^(ones*'"')) | zeroByte(x^(ones*'\\')) | ((x-ones*0x20)|x)&highs
}

// plainRun returns the index, from j, of the first byte of b that is a
// quote, a backslash, a control character or not ASCII, or len(b): eight
// bytes at a time.
func plainRun(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		if m := special(binary.LittleEndian.Uint64(b[j:])); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	for ; j < len(b); j++ {
		if c := b[j]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return j
		}
	}
	return j
}

// textRun is plainRun stepping over characters beyond ASCII: it returns
// the index of the first quote, backslash or control character, or
// len(b), and -1 at bytes that are not valid UTF-8, which Decode leaves
// to strictjson.Check to refuse.
func textRun(b []byte, j int) int {
	for {
		if j = plainRun(b, j); j == len(b) || b[j] < utf8.RuneSelf {
			return j
		}
		if j = runeEnd(b, j); j < 0 {
			return -1
		}
	}
}

// runeEnd returns the index just after the UTF-8 character at b[j], or
// -1 when the bytes there are not valid UTF-8.
func runeEnd(b []byte, j int) int {
	if r, n := utf8.DecodeRune(b[j:]); r != utf8.RuneError || n > 1 {
		return j + n
	}
	return -1
}

// str reads a string value.
func (d *decoder) str() (string, bool) {
	start := d.i + 1
	j := textRun(d.data, start)
	if j < 0 || j == len(d.data) {
		return "", false
	}
	switch d.data[j] {
	case '"':
		d.i = j + 1
		return string(d.data[start:j]), true
	case '\\':
		return d.escaped(start)
	}
	return "", false
}

// escaped reads a string with escapes from start, just after its quote.
func (d *decoder) escaped(start int) (string, bool) {
	out := make([]byte, 0, 64)
	j := start
	for j < len(d.data) {
		c := d.data[j]
		switch {
		case c == '"':
			d.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			n := runeEnd(d.data, j)
			if n < 0 {
				return "", false
			}
			out = append(out, d.data[j:n]...)
			j = n
			continue
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(d.data) {
			return "", false
		}
		j += 2
		switch d.data[j-1] {
		case '"', '\\', '/':
			out = append(out, d.data[j-1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(d.data[j:])
			if !ok {
				return "", false
			}
			j += 4
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || j+6 > len(d.data) || d.data[j] != '\\' || d.data[j+1] != 'u' {
					return "", false // a lone half: encoding/json writes U+FFFD
				}
				lo, ok := hex4(d.data[j+2:])
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", false
				}
				r = utf16.DecodeRune(r, lo)
				j += 6
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(n), err == nil
}

func (d *decoder) literal(word string) bool {
	if j := literalEnd(d.data, d.i, word); j >= 0 {
		d.i = j
		return true
	}
	return false
}

// skip reads over one value, checking its syntax as encoding/json would.
func (d *decoder) skip() bool {
	if d.i >= len(d.data) {
		return false
	}
	switch c := d.data[d.i]; {
	case c == '"':
		return d.skipString()
	case c == '{' || c == '[':
		return d.skipNested()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return d.number()
	}
	return false
}

func (d *decoder) skipString() bool {
	if j := stringEnd(d.data, d.i); j >= 0 {
		d.i = j
		return true
	}
	return false
}

// stringEnd returns the index just after the string whose quote is at
// b[i], or -1 when it is not a valid string.
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; j++ {
		if j = textRun(b, j); j < 0 || j == len(b) {
			return -1
		}
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			if j = escapeEnd(b, j); j < 0 {
				return -1
			}
			j--
		default:
			return -1 // a control character
		}
	}
}

// escapeEnd returns the index just after the escape at b[j], or -1 when
// it is not a valid one or is half a surrogate pair (which
// strictjson.Check refuses), the high half read with the low one after it.
func escapeEnd(b []byte, j int) int {
	if j+1 >= len(b) {
		return -1
	}
	switch b[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return j + 2
	case 'u':
		r, ok := hex4(b[j+2:])
		switch {
		case !ok:
		case !utf16.IsSurrogate(r):
			return j + 6
		case r < 0xDC00 && j+12 <= len(b) && b[j+6] == '\\' && b[j+7] == 'u':
			if lo, ok := hex4(b[j+8:]); ok && 0xDC00 <= lo && lo <= 0xDFFF {
				return j + 12
			}
		}
	}
	return -1
}

// skipNested is skip for an object or an array, in one loop: the
// members, elements, strings and space of a value the wire structs do
// not hold (an address, a list of tax lines) are read without a call
// each. Which of the two each open level is sits in a bit set; a value
// nested deeper than it holds is left to encoding/json.
func (d *decoder) skipNested() bool {
	b, i := d.data, d.i
	var objects uint64 // bit k: the kth innermost open level is an object
	depth := 0
	key := false // the value at i is a member's key
	for {
		if i >= len(b) || key && b[i] != '"' {
			return false
		}
		switch c := b[i]; {
		case c == '"':
			j := i + 1
			for {
				for ; j+8 <= len(b); j += 8 {
					if m := special(binary.LittleEndian.Uint64(b[j:])); m != 0 {
						j += bits.TrailingZeros64(m) / 8
						break
					}
				}
				for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 && b[j] < utf8.RuneSelf {
					j++
				}
				if j >= len(b) {
					return false
				}
				if b[j] >= utf8.RuneSelf {
					if j = runeEnd(b, j); j < 0 {
						return false
					}
					continue
				}
				if b[j] == '"' {
					break
				}
				if b[j] != '\\' {
					return false // a control character
				}
				if j = escapeEnd(b, j); j < 0 {
					return false
				}
			}
			i = j + 1
			if key {
				key = false
				if i < len(b) && b[i] <= ' ' {
					i = skipSpace(b, i)
				}
				if i >= len(b) || b[i] != ':' {
					return false
				}
				if i++; i < len(b) && b[i] <= ' ' {
					i = skipSpace(b, i)
				}
				continue
			}
		case c == '{' || c == '[':
			if depth == 64 || d.depth+depth >= maxDepth {
				return false
			}
			depth++
			objects <<= 1
			end := byte(']')
			if c == '{' {
				objects |= 1
				end = '}'
			}
			if i++; i < len(b) && b[i] <= ' ' {
				i = skipSpace(b, i)
			}
			if i >= len(b) || b[i] != end {
				key = c == '{'
				continue
			}
			i++
			objects >>= 1
			depth--
		case c == 't':
			if i = literalEnd(b, i, "true"); i < 0 {
				return false
			}
		case c == 'f':
			if i = literalEnd(b, i, "false"); i < 0 {
				return false
			}
		case c == 'n':
			if i = literalEnd(b, i, "null"); i < 0 {
				return false
			}
		default:
			if i = numberEnd(b, i); i < 0 {
				return false
			}
		}
		// After a value: a comma and the next, or the end of its level.
		for ; depth > 0; depth-- {
			if i < len(b) && b[i] <= ' ' {
				i = skipSpace(b, i)
			}
			if i >= len(b) {
				return false
			}
			if b[i] == ',' {
				if i++; i < len(b) && b[i] <= ' ' {
					i = skipSpace(b, i)
				}
				key = objects&1 != 0
				break
			}
			end := byte(']')
			if objects&1 != 0 {
				end = '}'
			}
			if b[i] != end {
				return false
			}
			i++
			objects >>= 1
		}
		if depth == 0 {
			d.i = i
			return true
		}
	}
}

func literalEnd(b []byte, i int, word string) int {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// colon reads the colon after a key and the space around it, most
// often none before it and one after.
func (d *decoder) colon() bool {
	if d.colonSpace() {
		return true
	}
	d.space()
	if d.i >= len(d.data) || d.data[d.i] != ':' {
		return false
	}
	d.i++
	d.space()
	return true
}

// colonSpace reads the most common colon, followed by one space, and
// reports whether it was there. It is inlined where keys are read.
func (d *decoder) colonSpace() bool {
	if i := d.i; i+2 < len(d.data) && d.data[i] == ':' && d.data[i+1] == ' ' && d.data[i+2] > ' ' {
		d.i = i + 2
		return true
	}
	return false
}

// comma reads a comma right after a member or an element, the most
// common case of after, and reports whether it was there. It is inlined.
func (d *decoder) comma() bool {
	if i := d.i; i < len(d.data) && d.data[i] == ',' {
		d.i = i + 1
		return true
	}
	return false
}

// open steps over the opening bracket of an object or an array at d.i,
// and reads close at once when it is empty (depth back down). ok is false
// when it is nested too deep.
func (d *decoder) open(close byte) (empty, ok bool) {
	if !d.enter() {
		return false, false
	}
	d.space()
	if d.i < len(d.data) && d.data[d.i] == close {
		d.i++
		d.depth--
		return true, true
	}
	return false, true
}

// after reads what follows a member or an element: a comma, more to
// come, or close, the end (depth back down). done reports the end; ok is
// false on anything else.
func (d *decoder) after(close byte) (done, ok bool) {
	d.space()
	if d.i >= len(d.data) {
		return false, false
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		return false, true
	case close:
		d.i++
		d.depth--
		return true, true
	}
	return false, false
}

func (d *decoder) number() bool {
	if j := numberEnd(d.data, d.i); j >= 0 {
		d.i = j
		return true
	}
	return false
}

// numberEnd returns the index just after the JSON number at b[i],
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, or -1 when there is none.
func numberEnd(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && '1' <= b[j] && b[j] <= '9':
		j = digits(b, j)
	default:
		return -1
	}
	if j < len(b) && b[j] == '.' {
		k := digits(b, j+1)
		if k == j+1 {
			return -1
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := digits(b, j)
		if k == j {
			return -1
		}
		j = k
	}
	return j
}

func digits(b []byte, j int) int {
	for j < len(b) && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	return j
}

// Members calls yield with the key and the raw value of each member of
// the JSON object obj, in document order, and reports whether it read the
// whole object. Like Decode it reads only what it reads exactly as
// encoding/json would: on false, which may come after some calls, the
// caller discards what it was given and reads obj with encoding/json.
func Members(obj []byte, yield func(key string, value []byte)) bool {
	d := decoder{data: obj}
	d.space()
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		return false
	}
	done, ok := d.open('}')
	for ok && !done {
		d.space()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return false
		}
		key, read := d.str()
		if !read || !d.colon() {
			return false
		}
		start := d.i
		if !d.skip() {
			return false
		}
		yield(key, d.data[start:d.i])
		if done, ok = d.after('}'); !ok {
			return false
		}
	}
	d.space()
	return ok && d.i == len(d.data)
}

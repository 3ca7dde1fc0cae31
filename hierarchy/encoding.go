package hierarchy

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/uplinehq/upline/internal/strictjson"
)

// The CSV form of a change log has this header and one change per row.
// Names are lower case words (op: enroll, sponsor, place, status, rank,
// code; kind: distributor, retail; status: active, inactive, suspended,
// terminated); leg and ranks are decimal integers; instants are RFC 3339
// with nanoseconds; a zero field is written empty.
var csvHeader = []string{"op", "member", "kind", "sponsor", "parent", "leg", "status", "paid_as", "highest", "code", "effective", "recorded"}

// jsonChange is the JSON form of a change; a log is a JSON array of them.
// The field names are those of the CSV header.
type jsonChange struct {
	Op        string `json:"op"`
	Member    string `json:"member"`
	Kind      string `json:"kind,omitempty"`
	Sponsor   string `json:"sponsor,omitempty"`
	Parent    string `json:"parent,omitempty"`
	Leg       uint16 `json:"leg,omitempty"`
	Status    string `json:"status,omitempty"`
	PaidAs    uint16 `json:"paid_as,omitempty"`
	Highest   uint16 `json:"highest,omitempty"`
	Code      string `json:"code,omitempty"`
	Effective string `json:"effective"`
	Recorded  string `json:"recorded"`
}

func malformed(index, line int, path, why string) *Error {
	return &Error{Index: index, Line: line, Path: path, Why: why, Err: ErrMalformed}
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// toJSON names the enumerations of c, failing on values with no name.
func toJSON(i int, c *Change) (jsonChange, error) {
	j := jsonChange{Op: c.Op.String(), Member: c.Member, Sponsor: c.Sponsor, Parent: c.Parent, Leg: uint16(c.Leg),
		PaidAs: uint16(c.PaidAs), Highest: uint16(c.Highest), Code: c.Code,
		Effective: formatTime(c.Effective), Recorded: formatTime(c.Recorded)}
	if _, ok := parseName(opNames[:], j.Op); !ok {
		return j, &Error{Index: i, Path: "op", Why: "cannot encode " + j.Op, Err: ErrInvalid}
	}
	if c.Kind != 0 {
		if j.Kind = c.Kind.String(); !isName(kindNames[:], j.Kind) {
			return j, &Error{Index: i, Path: "kind", Why: "cannot encode " + j.Kind, Err: ErrInvalid}
		}
	}
	if c.Status != 0 {
		if j.Status = c.Status.String(); !isName(statusNames[:], j.Status) {
			return j, &Error{Index: i, Path: "status", Why: "cannot encode " + j.Status, Err: ErrInvalid}
		}
	}
	return j, nil
}

func isName(names []string, s string) bool { _, ok := parseName(names, s); return ok }

// fromJSON parses the names and instants of j; path prefixes error paths.
func fromJSON(i, line int, path string, j *jsonChange) (Change, error) {
	c := Change{Member: j.Member, Sponsor: j.Sponsor, Parent: j.Parent, Leg: Leg(j.Leg),
		PaidAs: Rank(j.PaidAs), Highest: Rank(j.Highest), Code: j.Code}
	v, ok := parseName(opNames[:], j.Op)
	if !ok {
		return c, malformed(i, line, path+"op", "unknown op "+strconv.Quote(j.Op))
	}
	c.Op = Op(v)
	if j.Kind != "" {
		if v, ok = parseName(kindNames[:], j.Kind); !ok {
			return c, malformed(i, line, path+"kind", "unknown kind "+strconv.Quote(j.Kind))
		}
		c.Kind = Kind(v)
	}
	if j.Status != "" {
		if v, ok = parseName(statusNames[:], j.Status); !ok {
			return c, malformed(i, line, path+"status", "unknown status "+strconv.Quote(j.Status))
		}
		c.Status = Status(v)
	}
	var err error
	if c.Effective, err = parseTime(j.Effective); err != nil {
		return c, malformed(i, line, path+"effective", err.Error())
	}
	if c.Recorded, err = parseTime(j.Recorded); err != nil {
		return c, malformed(i, line, path+"recorded", err.Error())
	}
	return c, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("instant " + strconv.Quote(s) + " is not RFC 3339")
	}
	return t.UTC(), nil
}

// EncodeCSV writes changes in the CSV form, header first.
func EncodeCSV(changes []Change) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(csvHeader)
	row := make([]string, len(csvHeader))
	num := func(v uint16) string {
		if v == 0 {
			return ""
		}
		return strconv.Itoa(int(v))
	}
	for i := range changes {
		j, err := toJSON(i, &changes[i])
		if err != nil {
			return nil, err
		}
		row = append(row[:0], j.Op, j.Member, j.Kind, j.Sponsor, j.Parent, num(j.Leg), j.Status, num(j.PaidAs), num(j.Highest), j.Code, j.Effective, j.Recorded)
		_ = w.Write(row) // a bytes.Buffer does not fail
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// DecodeCSV reads a change log in the CSV form. Errors wrap ErrMalformed
// and name the line and the column.
func DecodeCSV(data []byte) ([]Change, error) {
	changes, _, err := decodeCSV(data)
	return changes, err
}

func decodeCSV(data []byte) ([]Change, []int, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = len(csvHeader)
	r.ReuseRecord = true
	var changes []Change
	var lines []int
	for i := -1; ; i++ {
		row, err := r.Read()
		if err == io.EOF {
			if i < 0 {
				return nil, nil, malformed(-1, 1, "", "no header")
			}
			return changes, lines, nil
		}
		if err != nil {
			// FieldPos is only defined after a successful Read.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, nil, malformed(max(i, -1), line, "", csvWhy(err))
		}
		line, _ := r.FieldPos(0)
		if i < 0 {
			for k, h := range csvHeader {
				if row[k] != h {
					return nil, nil, malformed(-1, line, h, "header must be "+strings.Join(csvHeader, ","))
				}
			}
			continue
		}
		j := jsonChange{Op: row[0], Member: row[1], Kind: row[2], Sponsor: row[3], Parent: row[4], Status: row[6], Code: row[9], Effective: row[10], Recorded: row[11]}
		for _, f := range []struct {
			col int
			dst *uint16
		}{{5, &j.Leg}, {7, &j.PaidAs}, {8, &j.Highest}} {
			if row[f.col] == "" {
				continue
			}
			v, err := strconv.ParseUint(row[f.col], 10, 16)
			if err != nil {
				return nil, nil, malformed(i, line, csvHeader[f.col], strconv.Quote(row[f.col])+" is not an integer in 0..65535")
			}
			*f.dst = uint16(v)
		}
		c, err := fromJSON(i, line, "", &j)
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, c)
		lines = append(lines, line)
	}
}

func csvWhy(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// EncodeJSON writes changes in the JSON form: an array with one change
// per line.
func EncodeJSON(changes []Change) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range changes {
		j, err := toJSON(i, &changes[i])
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		out, err := json.Marshal(&j)
		if err != nil {
			return nil, &Error{Index: i, Why: err.Error(), Err: ErrInvalid}
		}
		b.Write(out)
	}
	if len(changes) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// DecodeJSON reads a change log in the JSON form. Unknown, repeated and
// case-variant keys are refused, as is text that is not valid UTF-8.
// Errors wrap ErrMalformed and name the JSON path, such as
// "[3].effective".
func DecodeJSON(data []byte) ([]Change, error) {
	var raw []json.RawMessage
	if err := strictjson.Decode(data, &raw); err != nil {
		return nil, jsonMalformed("", err)
	}
	changes := make([]Change, 0, len(raw))
	for i, m := range raw {
		path := "[" + strconv.Itoa(i) + "]"
		var j jsonChange
		if err := strictjson.Decode(m, &j); err != nil {
			return nil, jsonMalformed(path, err)
		}
		c, err := fromJSON(i, 0, path+".", &j)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// jsonMalformed turns a strictjson error inside the value at path into an
// *Error naming the change its path is in.
func jsonMalformed(path string, err error) *Error {
	e := strictjson.Explain(err)
	if e.Path != "" {
		if path != "" && e.Path[0] != '[' {
			path += "."
		}
		path += e.Path
	}
	index := -1
	if rest, ok := strings.CutPrefix(path, "["); ok {
		if n, _, ok := strings.Cut(rest, "]"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				index = i
			}
		}
	}
	return malformed(index, 0, path, e.Why)
}

// LoadCSV decodes a CSV change log and builds a Genealogy from it. A
// refused change's error names its CSV line.
func LoadCSV(data []byte) (*Genealogy, error) {
	changes, lines, err := decodeCSV(data)
	if err != nil {
		return nil, err
	}
	g, err := Build(changes)
	var e *Error
	if errors.As(err, &e) && e.Index >= 0 && e.Index < len(lines) {
		e.Line = lines[e.Index]
	}
	return g, err
}

// LoadJSON decodes a JSON change log and builds a Genealogy from it. A
// refused change's error names its JSON path ("[3]").
func LoadJSON(data []byte) (*Genealogy, error) {
	changes, err := DecodeJSON(data)
	if err != nil {
		return nil, err
	}
	g, err := Build(changes)
	var e *Error
	if errors.As(err, &e) && e.Index >= 0 {
		e.Path = "[" + strconv.Itoa(e.Index) + "]"
	}
	return g, err
}

package hierarchy

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uplinehq/upline/internal/golden"
)

func TestEncodingGolden(t *testing.T) {
	log := fixtureLog()
	log = append(log, Change{Op: OpStatus, Member: "c", Status: Terminated, Effective: day(30).Add(1500), Recorded: recAt(12)},
		Change{Op: OpPlace, Member: "c", Parent: "b", Leg: 3, Effective: day(31), Recorded: recAt(12)},
		Change{Op: OpEnroll, Member: "say \"hi\", ok", Kind: Distributor, Sponsor: "c", Status: Inactive, PaidAs: 1, Highest: 2, Effective: day(32), Recorded: recAt(13)})
	if _, err := Build(log); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name   string
		encode func([]Change) ([]byte, error)
		decode func([]byte) ([]Change, error)
	}{{"testdata/log.csv", EncodeCSV, DecodeCSV}, {"testdata/log.json", EncodeJSON, DecodeJSON}} {
		t.Run(f.name, func(t *testing.T) {
			out, err := f.encode(log)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, f.name, out)
			back, err := f.decode(out)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(log, back); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	const head = "op,member,kind,sponsor,parent,leg,status,paid_as,highest,code,effective,recorded\n"
	const ok = "enroll,a,distributor,,,,,,,,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z\n"
	tests := []struct {
		name string
		csv  bool
		in   string
		kind error
		msg  string
	}{
		{"csv empty", true, "", ErrMalformed, `hierarchy: malformed change log: line 1: no header`},
		{"csv wrong header", true, "op,member\n", ErrMalformed, `hierarchy: malformed change log: line 1: wrong number of fields`},
		{"csv misnamed column", true, "op,member,kind,sponsor,parent,leg,status,paid_as,highest,code,effective,when\n", ErrMalformed,
			`hierarchy: malformed change log: line 1: recorded: header must be op,member,kind,sponsor,parent,leg,status,paid_as,highest,code,effective,recorded`},
		{"csv bad leg", true, head + ok + "place,a,,,a,-1,,,,,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z\n", ErrMalformed,
			`hierarchy: malformed change log: line 3: leg: change 1: "-1" is not an integer in 0..65535`},
		{"csv bad instant", true, head + "enroll,a,distributor,,,,,,,,2024-01-01,2024-01-01T00:00:00Z\n", ErrMalformed,
			`hierarchy: malformed change log: line 2: effective: change 0: instant "2024-01-01" is not RFC 3339`},
		{"csv unknown status", true, head + "status,a,,,,,gone,,,,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z\n", ErrMalformed,
			`hierarchy: malformed change log: line 2: status: change 0: unknown status "gone"`},
		{"csv refused change names its line", true, head + ok + "sponsor,a,,a,,,,,,,2024-01-02T00:00:00Z,2024-01-02T00:00:00Z\n", ErrSelfSponsor,
			`hierarchy: member sponsors itself: line 3: change 1: sponsor "a" -> "a" at 2024-01-02T00:00:00Z: the member would sponsor itself`},
		{"json not an array", false, `{}`, ErrMalformed, `hierarchy: malformed change log: got JSON object, want an array`},
		{"json wrong type", false, `[{"op":"enroll","member":"a","leg":"x"}]`, ErrMalformed,
			`hierarchy: malformed change log: [0].leg: change 0: got JSON string, want an integer`},
		{"json invalid UTF-8", false, "[{\"op\":\"enroll\",\"member\":\"a\xff\"}]", ErrMalformed,
			`hierarchy: malformed change log: [0].member: change 0: invalid UTF-8 (byte 0xff) in a string`},
		{"json duplicate key", false, `[{"op":"enroll","member":"a"},{"op":"enroll","member":"b","member":"c"}]`, ErrMalformed,
			`hierarchy: malformed change log: [1].member: change 1: duplicate key "member"`},
		{"json case-variant key", false, `[{"op":"enroll","Member":"a"}]`, ErrMalformed,
			`hierarchy: malformed change log: [0].Member: change 0: key "Member" is not "member": keys must match exactly, case included`},
		{"json unknown field", false, `[{"op":"enroll","member":"a","colour":"red"}]`, ErrMalformed,
			`hierarchy: malformed change log: [0].colour: change 0: unknown field "colour"`},
		{"json unknown op", false, `[{"op":"merge","member":"a"}]`, ErrMalformed, `hierarchy: malformed change log: [0].op: change 0: unknown op "merge"`},
		{"json refused change names its path", false,
			`[{"op":"enroll","member":"a","kind":"retail","effective":"2024-01-01T00:00:00Z","recorded":"2024-01-01T00:00:00Z"}]`, ErrNotDistributor,
			`hierarchy: retail customer cannot sponsor or place: [0]: change 0: enroll "a" at 2024-01-01T00:00:00Z: a retail customer needs a sponsor, the distributor who owns it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.csv {
				_, err = LoadCSV([]byte(tt.in))
			} else {
				_, err = LoadJSON([]byte(tt.in))
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want %v", err, tt.kind)
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
}

func TestEncodeRefusesUnnamedValues(t *testing.T) {
	_, err := EncodeJSON([]Change{{Op: OpStatus, Member: "a", Status: 9}})
	if !errors.Is(err, ErrInvalid) || err.Error() != `hierarchy: invalid change: status: change 0: cannot encode status(9)` {
		t.Fatalf("EncodeJSON = %v", err)
	}
}

package hierarchy

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzDecodeCSV(f *testing.F) { fuzzDecode(f, "testdata/log.csv", DecodeCSV, EncodeCSV) }

func FuzzDecodeJSON(f *testing.F) { fuzzDecode(f, "testdata/log.json", DecodeJSON, EncodeJSON) }

// fuzzDecode checks that whatever decodes re-encodes to bytes that decode
// to the same changes and encode identically again, and that whatever
// builds answers every query with a finite upline.
func fuzzDecode(f *testing.F, seed string, decode func([]byte) ([]Change, error), encode func([]Change) ([]byte, error)) {
	data, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i := 2; i < len(lines); i += 3 {
		f.Add(bytes.Join(lines[:i], nil))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		changes, err := decode(data)
		if err != nil {
			return
		}
		out, err := encode(changes)
		if err != nil {
			return // values with no name (none come from decoding names)
		}
		back, err := decode(out)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", out, err)
		}
		if d := cmp.Diff(changes, back); d != "" {
			t.Fatalf("round trip (-first +second):\n%s", d)
		}
		again, _ := encode(back)
		if !bytes.Equal(out, again) {
			t.Fatalf("encoding is not stable:\n%s\n%s", out, again)
		}
		g, err := Build(changes)
		if err != nil {
			return
		}
		for _, c := range changes {
			for _, s := range []Snapshot{g.Snapshot(c.Effective), g.SnapshotAsOf(c.Effective, c.Recorded)} {
				for m := range Member(g.Len()) {
					for _, walk := range []func(Member) (Upline, error){s.Upline, s.PlacementUpline} {
						up, err := walk(m)
						if err != nil {
							continue
						}
						n := 0
						for _, ok := up.Next(); ok; _, ok = up.Next() {
							if n++; n > g.Len() {
								t.Fatalf("upline of %s does not end", g.ID(m))
							}
						}
					}
					_, _ = s.Children(m)
				}
			}
		}
	})
}

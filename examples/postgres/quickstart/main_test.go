package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/uplinehq/upline/adapters/postgres/pgtest"
	"github.com/uplinehq/upline/internal/golden"
)

// On PostgreSQL the quick start prints what it prints in memory, byte for
// byte; run again on the same schema, it refuses rather than print a run
// of duplicates.
func TestQuickstart(t *testing.T) {
	schema := pgtest.Schema(t)
	var out bytes.Buffer
	if err := run(context.Background(), &out, pgtest.DSN(), schema); err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		t.Fatal("the golden file is the in-memory quick start's: update it from examples/quickstart")
	}
	golden.Check(t, "../../quickstart/testdata/output.txt", out.Bytes())

	if err := run(context.Background(), &bytes.Buffer{}, pgtest.DSN(), schema); !errors.Is(err, errNotEmpty) {
		t.Errorf("second run on %s: %v; want errNotEmpty", schema, err)
	}
}

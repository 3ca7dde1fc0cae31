package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open and New when the schema was migrated
// by a newer version of this package than the running one: the code does
// not know what the newer migrations changed, so it refuses to touch the
// data.
var ErrSchemaTooNew = errors.New("postgres: the schema is newer than this code")

// Advisory lock class ids ("upmg", "upln"); the key is hashtext(schema), so
// each schema has its own locks.
const (
	lockMigrate  = 0x75706d67
	lockPosition = 0x75706c6e
)

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations, by version. A file is named
// NNNN_what.sql; versions start at 1 and have no gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("postgres: migration %s is not named NNNN_what.sql", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("postgres: migration %s: want version %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate brings schema up to the newest embedded migration. It holds a
// session advisory lock on one connection throughout, so processes that
// start together apply each migration once, one after the other; each
// migration and its record commit together.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", lockMigrate, schema); err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer func() {
		// A failed unlock leaves the lock with the session: close it.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext($2))", lockMigrate, schema); uerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
			err = errors.Join(err, uerr)
		}
	}()
	q := pgx.Identifier{schema}.Sanitize()
	// CREATE ... IF NOT EXISTS needs the right to create even when there
	// is nothing to create: an application role without it opens a schema
	// its owner has set up.
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", q+".schema_migrations").Scan(&exists); err != nil {
		return fmt.Errorf("postgres: schema %s: %w", schema, err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+q); err != nil {
			return fmt.Errorf("postgres: schema %s: %w", schema, err)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+q+`.schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("postgres: schema %s: %w", schema, err)
		}
	}
	var current int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+q+".schema_migrations").Scan(&current); err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("%w: schema %s is at migration %d, this code knows %d; upgrade the code", ErrSchemaTooNew, schema, current, len(ms))
	}
	for _, m := range ms[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// The migrations name no schema: search_path places them.
			if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+q); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("postgres: migration %s in schema %s: %w", m.name, schema, err)
		}
	}
	return nil
}

package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultSchema is the schema a store uses when Options names none.
const DefaultSchema = "upline"

// Options configures a Store. The zero Options is ready to use.
type Options struct {
	// Schema is the PostgreSQL schema that holds the store's tables,
	// created when missing; DefaultSchema when empty. Several ledgers, or
	// tests, share one database in schemas of their own.
	Schema string
}

// Store is a ledger.Store on PostgreSQL. It is safe for concurrent use by
// any number of goroutines and processes.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	owned  bool
	sql    statements
}

// Open connects to the database dsn names (a URL or a key=value string, as
// pgxpool.ParseConfig reads it), brings the schema up to date and returns
// a store that owns the connection pool: Close closes it.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a store over pool, after bringing the schema up to date.
// The caller keeps the pool: Close leaves it open.
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	schema := opts.Schema
	if schema == "" {
		schema = DefaultSchema
	}
	if err := migrate(ctx, pool, schema); err != nil {
		return nil, err
	}
	return &Store{pool: pool, schema: schema, sql: newStatements(schema)}, nil
}

// Close closes the connection pool if Open opened it.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}

// Pool returns the store's connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Schema returns the schema that holds the store's tables.
func (s *Store) Schema() string { return s.schema }

// table returns name qualified by the store's schema, quoted.
func table(schema, name string) string { return pgx.Identifier{schema, name}.Sanitize() }

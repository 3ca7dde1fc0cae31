// Package data holds the quick start's genealogy, catalog and plan, so
// that every variant of the quick start (in memory, on PostgreSQL) reads
// the same files. They are plain files: edit them, run again.
package data

import "embed"

// FS holds genealogy.csv, catalog.json and plan.json.
//
//go:embed genealogy.csv catalog.json plan.json
var FS embed.FS

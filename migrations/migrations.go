// Package migrations holds the SQL schema migrations, embedded into every binary
// and applied by goose (see internal/database).
package migrations

import "embed"

// FS holds the migration files, named NNNNN_description.sql.
//
//go:embed *.sql
var FS embed.FS

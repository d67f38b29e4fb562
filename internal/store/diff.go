//go:build ignore

// diff.go writes a new versioned migration from the difference between the
// existing migrations and the ent schema:
//
//	go run ./internal/store/diff.go <name>
//
// Run it after changing ent/schema and `go generate ./ent`.
package main

import (
	"context"
	"log"
	"os"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/mattn/go-sqlite3"

	"github.com/agentdesk/agentdesk/ent/migrate"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run ./internal/store/diff.go <name>")
	}
	dir, err := atlas.NewLocalDir("internal/store/migrations/sqlite")
	if err != nil {
		log.Fatalf("migration dir: %v", err)
	}
	err = migrate.NamedDiff(context.Background(), "sqlite://diff?mode=memory&_fk=1", os.Args[1],
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.SQLite),
		schema.WithFormatter(atlas.DefaultFormatter),
	)
	if err != nil {
		log.Fatalf("diff: %v", err)
	}
}

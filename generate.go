package agentdesk

// The one generate chain: ent first (gqlgen binds to its types), then gqlgen.
//go:generate go run ./ent/entc.go
//go:generate go tool gqlgen generate

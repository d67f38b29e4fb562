// Package ent is the generated data layer; ent/schema holds the source.
package ent

//go:generate go run -mod=mod entc.go

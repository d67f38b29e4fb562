package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSpecFileErrors(t *testing.T) {
	const head = "slug: acme\nname: Acme\nemailDomains: [acme.example]\n"
	cases := []struct{ name, file, want string }{
		{"duplicate key", "slug: acme\nslug: again\n", `spec.yaml:2:1: mapping key "slug" already defined at [1:1]`},
		{"syntax", head + "teams:\n  - name: [\n", "spec.yaml:5:"},
		{"a list", "- slug: acme\n", "spec.yaml:1:1: the spec must be a mapping"},
		{"empty", "", "spec.yaml:1:1: the spec must be a mapping"},
		{"missing key", "slug: acme\nname: Acme\n", "spec.yaml:1:1: emailDomains: must be defined"},
		{"unknown top key", head + "colour: blue\n", "spec.yaml:4:1: colour: unknown field"},
		{"unknown nested key in flow style", head + "teams:\n  - {name: X, type: AGENT, size: 3}\n", "spec.yaml:5:28: teams[0].size: unknown field"},
		{"enum", head + "teams:\n  - name: X\n    type: BIG\n", "spec.yaml:6:5: teams[0].type: BIG is not a valid TeamType"},
		{"missing item key", head + "teams:\n  - name: X\n    type: AGENT\n  - type: AGENT\n", "spec.yaml:7:5: teams[1].name: must be defined"},
		{"number for text", head + "users:\n  - email: a@acme.example\n    name: A\n    role: AGENT\n    defaultExtension: 4711\n",
			"spec.yaml:8:5: users[0].defaultExtension: cannot use float64 as String: put the value in quotes ('4711') to give it as text"},
		{"text for a number", head + "teams:\n  - {name: X, type: CAPACITY, capacity: ten}\n", "spec.yaml:5:31: teams[0].capacity: cannot use string as Int"},
		{"json", `{"slug": "acme", "name": "A", "emailDomains": ["a.example"],` + "\n" + ` "users": [{"email": "a@a.example", "name": "A", "role": "AGENT", "tems": []}]}`,
			"spec.yaml:2:67: users[0].tems: unknown field"},
	}
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "spec.yaml")
			if err := os.WriteFile(p, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := readSpecFile(p)
			var pe *positionedError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a positioned one", err)
			}
			if got := strings.TrimPrefix(err.Error(), dir+"/"); !strings.HasPrefix(got, c.want) {
				t.Fatalf("error = %s\nwant      %s", got, c.want)
			}
		})
	}
}

func TestSpecFileAcceptsTheExample(t *testing.T) {
	f, err := readSpecFile(exampleSpec)
	if err != nil {
		t.Fatal(err)
	}
	// An API error's field is found in the file: the key of the field, the
	// first key of an entry, the nearest node that is there.
	for field, want := range map[string]string{
		"users[1].email":            "49:5",
		"users[1]":                  "49:5",
		"users[1].defaultExtension": "49:5", // not in the entry: the entry
		"teams[1].capacity":         "39:5",
		"dialPlans":                 "12:1",
		"users[9].email":            "40:1", // no such entry: the list
		"slug":                      "5:1",
	} {
		e := f.errorAt(parseFieldPath(field), "m")
		if got := strings.TrimPrefix(e.Error(), exampleSpec+":"); got != want+": m" {
			t.Errorf("%s at %s, want %s", field, got, want)
		}
	}
}

func TestParseFieldPath(t *testing.T) {
	for in, want := range map[string][]any{
		"users[3].email":                  {"users", 3, "email"},
		"sso.issuerUrl":                   {"sso", "issuerUrl"},
		"users":                           {"users"},
		"skillProfiles[0].skills[2].name": {"skillProfiles", 0, "skills", 2, "name"},
		"":                                nil,
	} {
		if got := parseFieldPath(in); !reflect.DeepEqual(got, want) {
			t.Errorf("parseFieldPath(%q) = %v, want %v", in, got, want)
		}
		if in != "" && pathString(parseFieldPath(in)) != in {
			t.Errorf("pathString(parseFieldPath(%q)) = %q", in, pathString(parseFieldPath(in)))
		}
	}
}

// FuzzReadSpecFile: any file gives a spec or a positioned error, never a
// panic.
func FuzzReadSpecFile(f *testing.F) {
	example, err := os.ReadFile(exampleSpec)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(`{"slug": "a", "name": "A", "emailDomains": [], "users": [{"email": 1}]}`))
	f.Add([]byte("slug: &a acme\nname: *a\nemailDomains: !!seq [x]\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "spec.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		spec, err := readSpecFile(p)
		var pe *positionedError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not positioned", err, err)
		}
		if err == nil && spec.spec == nil {
			t.Fatal("no error and no spec")
		}
	})
}

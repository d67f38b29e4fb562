package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/internal/provision"
)

var applyCommand = &command{
	name:    "apply",
	summary: "apply a tenant spec file (YAML or JSON) and print the plan: agentdesk apply -f tenant.yaml",
	usage:   "-f FILE [--dry-run] [--prune] [--invite] [--database URL | --server URL]",
	about: `Creates or updates a whole tenant from FILE, a spec in YAML or JSON with
the shape of the API's TenantSpecInput (docs/examples/tenant.yaml; README
"Tenants as files"), in one transaction, and prints the plan:

  + kind name        created
  ~ kind name        changed, with each field old → new (secrets only marked)
  - kind name        deleted (--prune), or a user deactivated
  = kind name        in the file and unchanged
  Plan: 3 to create, 1 to change, 0 to delete.

Applying the same file again changes nothing. A file with an error in one
entry applies nothing and prints FILE:LINE:COLUMN: message for the entry
(unknown keys, missing ones and wrong values are caught before anything is
sent). Exit status 0 on success, 1 on any error.

Without --prune nothing the file leaves out is touched. With it, the
tenant's dial plans, agent profiles, skill profiles and teams that the
file's lists leave out are deleted, and its users that the users list
leaves out are deactivated (a list left out altogether prunes nothing of
its kind; an empty one prunes all of it): users are never deleted (their history stays), and the caller
is never pruned. --dry-run prints the same plan and writes nothing.

With --invite, each user the apply creates (in a tenant that signs in with
passwords) is mailed an invitation to set a password: written with the
apply, sent by the mail worker of a server running on the database.`,
	envOnly: targetEnv,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		target := fs.target()
		file := fs.String("f", "", "the spec `FILE`, YAML or JSON (required)")
		dryRun := fs.Bool("dry-run", false, "print the plan, write nothing")
		prune := fs.Bool("prune", false, "also delete the dial plans, profiles, skill profiles and teams the file leaves out, and deactivate its users that it leaves out")
		invite := fs.Bool("invite", false, "mail each user the apply creates an invitation to set a password (tenants that sign in with passwords); the server's mail worker sends them")
		return func(ctx context.Context, c *invocation) error {
			if *file == "" || len(c.args) > 0 {
				return usageErrorf("apply", "the apply command is: agentdesk apply -f FILE [--dry-run] [--prune] [--invite]")
			}
			f, err := readSpecFile(*file)
			if err != nil {
				return reportSpecError(c.stderr, err)
			}
			ctx, specs, closeTarget, err := openTenantSpecs(ctx, target, "apply", c.log)
			if err != nil {
				return err
			}
			defer closeTarget()
			res, err := specs.apply(ctx, f.spec, provision.Options{DryRun: *dryRun, Prune: *prune, Invite: *invite})
			if err != nil {
				if e, ok := apperr.As(err); ok {
					if field, _ := e.Extensions["field"].(string); field != "" {
						return reportSpecError(c.stderr, f.errorAt(parseFieldPath(field), e.Message))
					}
					return fmt.Errorf("apply %s: %s", *file, e.Message)
				}
				return err
			}
			n := printPlan(c.stdout, f, res.Changes)
			switch {
			case n == 0:
				fmt.Fprintf(c.stdout, "No changes: the tenant matches %s.\n", *file)
			case *dryRun:
				fmt.Fprintln(c.stdout, "Dry run: nothing was written.")
			default:
				fmt.Fprintln(c.stdout, "Applied.")
			}
			switch {
			case res.Invited > 0 && *dryRun:
				fmt.Fprintf(c.stdout, "Invitations to set a password: %d would be mailed.\n", res.Invited)
			case res.Invited > 0:
				fmt.Fprintf(c.stdout, "Invitations to set a password: %d (the server's mail worker sends them).\n", res.Invited)
			}
			return nil
		}
	},
}

// reportSpecError prints an error in a spec file on a line of its own, in
// the FILE:LINE:COLUMN form editors jump to, and returns errReported.
func reportSpecError(stderr io.Writer, err error) error {
	var pe *positionedError
	if !errors.As(err, &pe) {
		return err
	}
	fmt.Fprintln(stderr, pe.Error())
	return errReported
}

// printPlan prints the changes, then the file's objects they leave alone,
// then the summary; it returns the number of changes.
func printPlan(w io.Writer, f *specFile, changes []*provision.Change) int {
	count := map[provision.ChangeAction]int{}
	changed := map[string]bool{}
	for _, c := range changes {
		count[c.Action]++
		changed[c.Kind+"\x00"+strings.ToLower(c.Name)] = true
		switch c.Action {
		case provision.ActionCreate:
			fmt.Fprintf(w, "  + %s %s\n", c.Kind, c.Name)
		case provision.ActionUpdate:
			fmt.Fprintf(w, "  ~ %s %s\n", c.Kind, c.Name)
		case provision.ActionDelete:
			fmt.Fprintf(w, "  - %s %s\n", c.Kind, c.Name)
		case provision.ActionDeactivate:
			fmt.Fprintf(w, "  - %s %s (deactivated, not deleted: not in the file)\n", c.Kind, c.Name)
		}
		for _, fc := range c.Fields {
			if fc.Secret {
				fmt.Fprintf(w, "      %s: (changed, not shown)\n", fc.Field)
				continue
			}
			fmt.Fprintf(w, "      %s: %s → %s\n", fc.Field, shown(fc.Old), shown(fc.New))
		}
	}
	for _, o := range specObjects(f.spec) {
		if !changed[o.kind+"\x00"+strings.ToLower(strings.TrimSpace(o.name))] {
			fmt.Fprintf(w, "  = %s %s\n", o.kind, o.name)
		}
	}
	fmt.Fprintf(w, "Plan: %d to create, %d to change, %d to delete", count[provision.ActionCreate], count[provision.ActionUpdate], count[provision.ActionDelete])
	if n := count[provision.ActionDeactivate]; n > 0 {
		fmt.Fprintf(w, ", %d to deactivate", n)
	}
	fmt.Fprintln(w, ".")
	return len(changes)
}

// shown is a field's value in the plan: (none) for no value, quoted when
// it is empty or has spaces at its ends.
func shown(v *string) string {
	switch {
	case v == nil:
		return "(none)"
	case strings.TrimSpace(*v) != *v || *v == "":
		return strconv.Quote(*v)
	}
	return *v
}

type specObject struct{ kind, name string }

// specObjects are the objects a spec names, in its order, with the kinds
// of the API's changes.
func specObjects(spec map[string]any) []specObject {
	slug, _ := spec["slug"].(string)
	out := []specObject{{provision.KindTenant, slug}}
	for _, l := range []struct{ key, kind, name string }{
		{"dialPlans", provision.KindDialPlan, "name"},
		{"skillProfiles", provision.KindSkillProfile, "name"},
		{"agentProfiles", provision.KindAgentProfile, "name"},
		{"teams", provision.KindTeam, "name"},
		{"users", provision.KindUser, "email"},
	} {
		items, _ := spec[l.key].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			name, _ := m[l.name].(string)
			out = append(out, specObject{l.kind, name})
		}
	}
	return out
}

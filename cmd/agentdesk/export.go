package main

import (
	"context"
	"fmt"
	"os"

	"github.com/goccy/go-yaml"

	"github.com/agentdesk/agentdesk/internal/provision"
)

var exportCommand = &command{
	name:    "export",
	summary: "write a tenant as a spec file that apply takes back with no changes: agentdesk export --tenant SLUG",
	usage:   "--tenant SLUG [-o FILE] [--database URL | --server URL]",
	about: `Writes the tenant with its dial plans, agent profiles, skill profiles,
teams and users as a YAML spec (the shape of apply's files), to FILE or to
standard output. Applying it to the same tenant changes nothing, with or
without --prune. Secrets (the SSO and Teams client secrets) are never
written; a comment in the file says so, and an apply without them keeps the
stored ones. The file holds every user's e-mail address: -o creates it
readable by its owner only.`,
	envOnly: targetEnv,
	flags: func(fs *flagSet) func(context.Context, *invocation) error {
		target := fs.target()
		slug := fs.String("tenant", "", "the `slug` of the tenant (required)")
		out := fs.String("o", "", "write to `FILE` instead of standard output")
		return func(ctx context.Context, c *invocation) error {
			if *slug == "" || len(c.args) > 0 {
				return usageErrorf("export", "the export command is: agentdesk export --tenant SLUG [-o FILE]")
			}
			ctx, specs, closeTarget, err := openTenantSpecs(ctx, target, "export", c.log)
			if err != nil {
				return err
			}
			defer closeTarget()
			spec, err := specs.export(ctx, *slug)
			if err != nil {
				return fmt.Errorf("export %s: %w", *slug, err)
			}
			data, err := specYAML(spec)
			if err != nil {
				return err
			}
			if *out == "" {
				_, err = c.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(*out, data, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(c.stderr, "wrote tenant %s to %s\n", spec.Slug, *out)
			return nil
		}
	},
}

// secretsLeftOut is the comment on the objects whose secrets an export
// leaves out.
const secretsLeftOut = " clientSecret is left out (a secret): an apply without it keeps the stored one."

// specYAML is spec as an apply file: keys in the schema's order, a header
// that says what the file is, and the secrets left out said where they
// would be.
func specYAML(spec *provision.TenantSpecInput) ([]byte, error) {
	// The API never reads a secret back; this keeps it so whatever the
	// spec came from.
	out := *spec
	comments := yaml.CommentMap{}
	if spec.Sso != nil {
		sso := *spec.Sso
		sso.ClientSecret, out.Sso = nil, &sso
		comments["$.sso"] = []*yaml.Comment{yaml.HeadComment(secretsLeftOut)}
	}
	if spec.TeamsIntegration != nil {
		teams := *spec.TeamsIntegration
		teams.ClientSecret, out.TeamsIntegration = nil, &teams
		comments["$.teamsIntegration"] = []*yaml.Comment{yaml.HeadComment(secretsLeftOut)}
	}
	body, err := yaml.MarshalWithOptions(&out, yaml.Indent(2), yaml.IndentSequence(true), yaml.WithComment(comments))
	if err != nil {
		return nil, err
	}
	header := fmt.Sprintf("# Tenant %s as an agentdesk spec (agentdesk export); apply it with: agentdesk apply -f FILE\n"+
		"# Secrets are never exported (sso.clientSecret, teamsIntegration.clientSecret): an apply without them keeps the stored ones.\n", spec.Slug)
	return append([]byte(header), body...), nil
}

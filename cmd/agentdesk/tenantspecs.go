package main

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/agentdesk/agentdesk/internal/provision"
)

// tenantSpecs is where apply and export run: a server's API (--server) or
// the database itself (--database), through the same provision code the
// server runs. Both give the same changes, specs and errors (*apperr.Error
// with the API's code, field and message), so the plan and the file read
// the same either way.
type tenantSpecs interface {
	apply(ctx context.Context, spec map[string]any, opt provision.Options) (*provision.ApplyResult, error)
	export(ctx context.Context, slug string) (*provision.TenantSpecInput, error)
}

// openTenantSpecs opens the target of cmd. The context it returns carries
// the operator as the caller on the database; close releases the target.
func openTenantSpecs(ctx context.Context, target *targetFlags, cmd string, log *slog.Logger) (context.Context, tenantSpecs, func(), error) {
	remote, err := target.remote(cmd)
	if err != nil {
		return nil, nil, nil, err
	}
	if remote {
		client, err := target.client()
		if err != nil {
			return nil, nil, nil, err
		}
		return ctx, apiSpecs{client}, func() {}, nil
	}
	opCtx, off, err := target.openDatabase(ctx, log)
	if err != nil {
		return nil, nil, nil, err
	}
	return opCtx, dbSpecs{off.Provision}, func() { off.Close() }, nil
}

type dbSpecs struct{ svc *provision.Service }

func (d dbSpecs) apply(ctx context.Context, spec map[string]any, opt provision.Options) (*provision.ApplyResult, error) {
	// The spec is the API's variables (readSpecFile checked them against
	// the schema); the API's input type binds to this struct, and so does
	// this decoding (the json names are the schema's).
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var in provision.TenantSpecInput
	if err := json.Unmarshal(js, &in); err != nil {
		return nil, err
	}
	return d.svc.ApplyTenant(ctx, in, opt)
}

func (d dbSpecs) export(ctx context.Context, slug string) (*provision.TenantSpecInput, error) {
	return d.svc.ExportTenant(ctx, slug)
}

type apiSpecs struct{ c *apiClient }

// applyOperation is the one operation apply sends, whether to a server or,
// for the check of the file, to the schema in this binary (readSpecFile).
const applyOperation = `mutation($spec: TenantSpecInput!, $dryRun: Boolean, $prune: Boolean, $invite: Boolean) {
  applyTenant(spec: $spec, dryRun: $dryRun, prune: $prune, invite: $invite) {
    dryRun
    invited
    changes { action kind name fields { field old new secret } }
  }
}`

func (a apiSpecs) apply(ctx context.Context, spec map[string]any, opt provision.Options) (*provision.ApplyResult, error) {
	var out struct {
		ApplyTenant struct {
			DryRun  bool
			Invited int
			Changes []*provision.Change
		}
	}
	err := a.c.do(ctx, applyOperation, map[string]any{"spec": spec, "dryRun": opt.DryRun, "prune": opt.Prune, "invite": opt.Invite}, &out)
	if err != nil {
		return nil, err
	}
	r := out.ApplyTenant
	return &provision.ApplyResult{Changes: r.Changes, DryRun: r.DryRun, Invited: r.Invited}, nil
}

// exportOperation reads every field of TenantSpec.
const exportOperation = `query($slug: String!) {
  tenantSpec(slug: $slug) {
    slug name emailDomains ssoMode sso { issuerUrl clientId } stationTypes webRtcEnabled
    forceDefaultDialNumber defaultCountry rememberStationCredentials desktopInactivityTimeoutMinutes
    teamsIntegration { enabled issuerUrl clientId } trustedNetworks
    dialPlans { name regularExpression prefix strippedChars active }
    agentProfiles { name description loginVoiceOptions dialNumberValidation dialPlans autoAnswer }
    skillProfiles { name skills { name proficiency } }
    teams { name type capacity }
    users { email name role contactCenterEnabled active agentProfile teams defaultDialNumber defaultExtension skillProfile }
  }
}`

func (a apiSpecs) export(ctx context.Context, slug string) (*provision.TenantSpecInput, error) {
	var out struct{ TenantSpec *provision.TenantSpecInput }
	if err := a.c.do(ctx, exportOperation, map[string]any{"slug": slug}, &out); err != nil {
		return nil, err
	}
	return out.TenantSpec, nil
}

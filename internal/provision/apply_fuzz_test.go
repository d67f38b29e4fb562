package provision

import (
	"encoding/json"
	"testing"

	"github.com/agentdesk/agentdesk/internal/apperr"
)

// FuzzApplyTenantSpec applies arbitrary specs (decoded from JSON, as a
// script would send them) as dry runs: the apply must never panic, refuse
// only with a contract code (never an internal error), and a dry run must
// leave the database as it was.
func FuzzApplyTenantSpec(f *testing.F) {
	seeds := []string{
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"]}`,
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"],"stationTypes":["DESKTOP"]}`,
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"],"dialPlans":[{"name":"UK","regularExpression":"44[0-9]{10}"}],
		  "agentProfiles":[{"name":"P","loginVoiceOptions":["DIAL_NUMBER"],"dialNumberValidation":"DIAL_PLAN","dialPlans":["UK"]}],
		  "teams":[{"name":"T","type":"AGENT"},{"name":"C","type":"CAPACITY","capacity":3}],
		  "users":[{"email":"a@acme.test","name":"A","role":"AGENT","agentProfile":"P","teams":["T"],"defaultDialNumber":"+442079460018"}]}`,
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"],"users":[{"email":"a@other.test","name":"A","role":"INTEGRATION"}]}`,
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"],"dialPlans":[{"name":"bad","regularExpression":"(("}]}`,
		`{"slug":"acme","name":"Acme","emailDomains":["acme.test"],"teams":[{"name":"C","type":"CAPACITY"}],"users":[{"email":"a@acme.test","name":"A","role":"AGENT","teams":["C"]}]}`,
		`{"slug":"ACME!","name":"","emailDomains":[]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	svc, ctx := newTestService(f)
	f.Fuzz(func(t *testing.T, raw string) {
		var spec TenantSpecInput
		if json.Unmarshal([]byte(raw), &spec) != nil {
			return
		}
		before := svc.Admin.DB.Tenant.Query().CountX(ctx)
		_, err := svc.ApplyTenant(ctx, spec, Options{DryRun: true})
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("internal error for %s: %v", raw, err)
			}
		}
		if after := svc.Admin.DB.Tenant.Query().CountX(ctx); after != before {
			t.Fatalf("a dry run wrote a tenant: %d → %d", before, after)
		}
	})
}

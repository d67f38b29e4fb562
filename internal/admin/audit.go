package admin

import (
	"context"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/auditevent"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// AuditEventsQuery is the audit log of one tenant, or the platform-level
// events (tenant "") when tenantID is nil or empty, which only platform
// admins may read.
//
// Authorization uses the requested tenant id, not a loaded tenant: audit
// events have no foreign key to their tenant, so a deleted tenant's record,
// its deletion included, stays readable by platform admins.
func (s *Service) AuditEventsQuery(ctx context.Context, tenantID *string) (*ent.AuditEventQuery, error) {
	tid := ""
	if tenantID != nil {
		tid = *tenantID
	}
	if err := s.authorize(ctx, policy.AuditRead, tid); err != nil {
		if tid != "" || apperr.CodeOf(err) == apperr.Unauthenticated {
			return nil, err
		}
		// Only the platform has platform-level events; anyone else has
		// merely forgotten to say which tenant.
		return nil, apperr.Invalid("tenantId", "tenantId is required")
	}
	return s.DB.AuditEvent.Query().Where(auditevent.TenantID(tid)), nil
}

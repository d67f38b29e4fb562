package admin

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/banner"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// MaxBannerMessage is the contract's limit on a banner's message, in
// characters (not bytes).
const MaxBannerMessage = 280

// CreateBannerInput is a new banner across the top of a tenant's desktops.
type CreateBannerInput struct {
	TenantID string
	Message  string
	// Severity defaults to INFO.
	Severity *banner.Severity
}

// BannerMessage trims and checks a banner's message: 1 to 280 characters on
// one line. A banner is a single strip across the top of the desktop, so a
// line break would either be dropped by the client or push the desktop
// down; control characters have no business there either.
func BannerMessage(raw string) (string, error) {
	m := strings.TrimSpace(raw)
	if m == "" {
		return "", apperr.Invalid("message", "message must not be empty")
	}
	if !utf8.ValidString(m) {
		return "", apperr.Invalid("message", "message must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(m); n > MaxBannerMessage {
		return "", apperr.Invalid("message", fmt.Sprintf("message must be at most %d characters (it has %d)", MaxBannerMessage, n))
	}
	if strings.IndexFunc(m, unicode.IsControl) >= 0 {
		return "", apperr.Invalid("message", "message must be one line of text without control characters")
	}
	return m, nil
}

// CreateBanner shows a new banner to the tenant's agents.
func (s *Service) CreateBanner(ctx context.Context, in CreateBannerInput) (*ent.Banner, error) {
	if err := s.authorize(ctx, policy.BannerWrite, in.TenantID); err != nil {
		return nil, err
	}
	msg, err := BannerMessage(in.Message)
	if err != nil {
		return nil, err
	}
	sev := banner.SeverityINFO
	if in.Severity != nil {
		sev = *in.Severity
	}
	if err := banner.SeverityValidator(sev); err != nil {
		return nil, apperr.Invalid("severity", "severity must be INFO or WARNING")
	}
	var created *ent.Banner
	err = s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		if err := ensureTenantExists(ctx, tx.Client(), in.TenantID); err != nil {
			return Event{}, err
		}
		created, err = tx.Banner.Create().SetTenantID(in.TenantID).SetMessage(msg).SetSeverity(sev).
			SetCreatedAt(s.Now()).Save(ctx)
		if err != nil {
			return Event{}, err
		}
		return Event{TenantID: in.TenantID, Action: "createBanner", TargetType: "Banner", TargetID: created.ID,
			Summary: fmt.Sprintf("created %s banner %q", sev, msg)}, nil
	})
	return created, err
}

// ResolveBanner takes a banner down. Resolving a resolved banner changes
// nothing: it keeps the time it was first resolved.
func (s *Service) ResolveBanner(ctx context.Context, id string) (*ent.Banner, error) {
	if _, err := loadOwned(ctx, s, policy.BannerWrite, id, s.DB.Banner.Get, func(b *ent.Banner) string { return b.TenantID }); err != nil {
		return nil, err
	}
	var resolved *ent.Banner
	err := s.Change(ctx, func(tx *ent.Tx) (Event, error) {
		// Conditional, so that of two concurrent resolves the first wins and
		// the second keeps its time.
		n, err := tx.Banner.Update().Where(banner.ID(id), banner.ResolvedAtIsNil()).SetResolvedAt(s.Now()).Save(ctx)
		if err != nil {
			return Event{}, err
		}
		if resolved, err = tx.Banner.Get(ctx, id); err != nil {
			return Event{}, loadErr(err)
		}
		summary := fmt.Sprintf("resolved banner %q", resolved.Message)
		if n == 0 {
			summary = fmt.Sprintf("banner %q was already resolved", resolved.Message)
		}
		return Event{TenantID: resolved.TenantID, Action: "resolveBanner", TargetType: "Banner", TargetID: id,
			Summary: summary}, nil
	})
	return resolved, err
}

// BannersQuery is a tenant's banners, newest last; only the unresolved ones
// unless includeResolved.
func (s *Service) BannersQuery(ctx context.Context, tenantID string, includeResolved bool) (*ent.BannerQuery, error) {
	if err := s.authorizeList(ctx, policy.BannerRead, tenantID); err != nil {
		return nil, err
	}
	q := s.DB.Banner.Query().Where(banner.TenantID(tenantID))
	if !includeResolved {
		q = q.Where(banner.ResolvedAtIsNil())
	}
	return q, nil
}

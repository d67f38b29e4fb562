package graph

import (
	"context"

	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/desktop"
	"github.com/agentdesk/agentdesk/internal/dialnumber"
)

// stationLoginOptions maps the desktop service's options to the API type.
// teams is a field resolver of its own (it takes a filter).
func (r *Resolver) stationLoginOptions(ctx context.Context, o *desktop.Options) (*model.StationLoginOptions, error) {
	// The artwork is read only when the page is asked for (and the
	// remembered station and the banners: Query.stationLoginOptions).
	page := &model.ActivityPage{}
	if selected(ctx, "activityPage") {
		var err error
		if page, err = r.activityPage(ctx, o.TenantID); err != nil {
			return nil, err
		}
	}
	validation := o.DialNumberValidation
	return &model.StationLoginOptions{
		StationTypes:             o.StationTypes,
		DefaultStationType:       o.DefaultStationType,
		DefaultDialNumber:        o.DefaultDialNumber,
		DefaultExtension:         o.DefaultExtension,
		DialNumberLocked:         o.DialNumberLocked,
		DialNumberValidation:     &validation,
		InternationalFormat:      o.InternationalFormat,
		DefaultCountry:           country(o.DefaultCountry),
		RememberedStation:        o.RememberedStation,
		TeamsIntegration:         &model.TeamsIntegrationStatus{Prompt: o.TeamsPrompt, Status: o.TeamsStatus},
		SupportedDesktopBrowsers: o.SupportedDesktopBrowsers,
		Roles:                    o.Roles,
		ActivityPage:             page,
		Banners:                  o.Banners,
		InactivityTimeoutMinutes: o.InactivityTimeoutMinutes,
	}, nil
}

func country(c dialnumber.Country) *model.Country {
	return &model.Country{IsoCode: c.ISOCode, Name: c.Name, CallingCode: c.CallingCode}
}

// desktopEvents forwards a tab's events until the subscription ends.
func (r *Resolver) desktopEvents(ctx context.Context, clientID string) (<-chan *model.DesktopEvent, error) {
	events, cancel, err := r.Desktop.Subscribe(ctx, clientID)
	if err != nil {
		return nil, err
	}
	out := make(chan *model.DesktopEvent, 1)
	go func() {
		defer close(out)
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				msg := &ev.Message
				if ev.Message == "" {
					msg = nil
				}
				select {
				case out <- &model.DesktopEvent{Type: model.DesktopEventType(ev.Type), At: ev.At, Message: msg}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

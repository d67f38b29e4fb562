package agentdesk_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store/storetest"
	"github.com/agentdesk/agentdesk/internal/testserver"
	"github.com/agentdesk/agentdesk/policy"
)

// recorder is a mail.Sender that keeps what it sends.
type recorder struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
}

// Close finishes the work it was given: reset requests already answered
// are carried out, and mail still in the outbox is sent before it returns.
func TestCloseCarriesOutQueuedRequestsAndFlushesTheOutbox(t *testing.T) {
	ctx := context.Background()
	clock := testserver.NewClock()
	sent := &recorder{}
	dbURL, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	app, err := agentdesk.New(ctx, agentdesk.Config{
		DatabaseURL:  dbURL,
		Migrate:      true,
		PasswordHash: &testserver.CheapHash,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:          clock.Now,
		MailSender:   sent,
		// The worker would only poll in an hour: what gets sent, Close sent.
		Outbox: mail.WorkerConfig{Interval: time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	db := app.DB.Client
	tn := db.Tenant.Create().SetName("Acme").SetSlug("acme").SetStationTypes(nil).SaveX(ctx)
	db.EmailDomain.Create().SetTenantID(tn.ID).SetDomain("acme.test").ExecX(ctx)
	db.User.Create().SetTenantID(tn.ID).SetEmail("ada@acme.test").SetName("Ada").SetRole(policy.Agent).ExecX(ctx)

	// A message in the outbox that nobody kicked the worker for.
	if err := app.Outbox.Enqueue(ctx, db, mail.PasswordChanged("bob@acme.test", clock.Now())); err != nil {
		t.Fatal(err)
	}
	// A request answered just before shutdown.
	app.SignIn.RequestPasswordReset(ctx, "ada@acme.test", signin.Client{Addr: "192.0.2.1"})

	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range sent.sent {
		got[m.To+" "+m.Subject] = true
	}
	for _, want := range []string{"bob@acme.test Your agentdesk password was changed", "ada@acme.test Your agentdesk confirmation code"} {
		if !got[want] {
			t.Errorf("after Close, sent %v; missing %q", got, want)
		}
	}
}

package agentdesk

import (
	"context"
	"fmt"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/internal/admin"
	"github.com/agentdesk/agentdesk/internal/mail"
	"github.com/agentdesk/agentdesk/internal/provision"
	"github.com/agentdesk/agentdesk/internal/signin"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// Offline is the service's domain layer on a database without a server:
// what the command line's provisioning commands (`import users`, `apply`)
// use with --database. It starts no background work. Mail it enqueues
// (invitations) waits in the outbox of the database until a server on the
// same database sends it: its mail worker looks for due mail every few
// seconds, so an import never waits for a mail server.
type Offline struct {
	DB        *store.DB
	Admin     *admin.Service
	Provision *provision.Service
}

// OpenOffline opens cfg.DatabaseURL, which must be migrated, and builds the
// admin and provisioning services on it. Invitation codes are keyed with
// cfg.CodeKey, or with the key kept in the database when it is empty: the
// same rule as the server's, so set AGENTDESK_CODE_KEY as the server has it.
func OpenOffline(ctx context.Context, cfg Config) (*Offline, error) {
	cfg = withDefaults(cfg)
	db, err := store.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Offline, error) {
		db.Close()
		return nil, err
	}
	if err := db.CheckCurrent(ctx); err != nil {
		return fail(err)
	}
	enforcer, err := policy.New()
	if err != nil {
		return fail(err)
	}
	hasher := newHasher(cfg)
	key, err := signin.ResolveCodeKey(ctx, db.Client, cfg.CodeKey, cfg.Rand, cfg.Now())
	if err != nil {
		return fail(err)
	}
	signIn, err := signin.NewService(signin.Deps{
		DB: db.Client, Hasher: hasher, Mail: enqueueOnly{mail.NewEntStore(db.Client, cfg.Now)},
		CodeKey: key, Now: cfg.Now, Rand: cfg.Rand, Log: cfg.Logger,
	}, cfg.SignIn)
	if err != nil {
		return fail(fmt.Errorf("sign-in service: %w", err))
	}
	adm := newAdmin(db.Client, enforcer, hasher, signIn, cfg)
	return &Offline{DB: db, Admin: adm, Provision: &provision.Service{Admin: adm}}, nil
}

// Close closes the database.
func (o *Offline) Close() error { return o.DB.Close() }

// enqueueOnly puts mail in the outbox and leaves the sending to the
// servers' mail workers, which poll for it.
type enqueueOnly struct{ store *mail.EntStore }

func (e enqueueOnly) Enqueue(ctx context.Context, tx *ent.Client, m mail.Message) error {
	return e.store.Enqueue(ctx, tx, m)
}

func (enqueueOnly) Kick() {}

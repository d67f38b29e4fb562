package store

import (
	"context"
	stdsql "database/sql"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
)

// Option changes how Open sets up the client.
type Option func(*options)

type options struct {
	observe func(ctx context.Context, statement string)
}

// ObserveStatements calls see with every SQL statement the client sends,
// inside transactions too. Tests count statements per request with it; it
// is not meant for production (see the README on slow-query logging).
func ObserveStatements(see func(ctx context.Context, statement string)) Option {
	return func(o *options) { o.observe = see }
}

// driver is what ent's client needs of a driver, plain SQL included:
// *entsql.Driver and serialDriver.
type driver interface {
	dialect.Driver
	BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
}

// newClient is the ent client on drv with the tenant scope installed.
func newClient(drv driver, o options) *ent.Client {
	var d dialect.Driver = drv
	if o.observe != nil {
		d = &observedDriver{driver: drv, see: o.observe}
	}
	c := ent.NewClient(ent.Driver(d))
	c.Intercept(tenantScope())
	c.Use(tenantScopeWrites())
	return c
}

// observedDriver passes every statement to see before it runs. It keeps the
// raw ExecContext/QueryContext that ent's client uses for plain SQL.
type observedDriver struct {
	driver
	see func(context.Context, string)
}

func (d *observedDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.see(ctx, query)
	return d.driver.Exec(ctx, query, args, v)
}

func (d *observedDriver) Query(ctx context.Context, query string, args, v any) error {
	d.see(ctx, query)
	return d.driver.Query(ctx, query, args, v)
}

func (d *observedDriver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	d.see(ctx, query)
	return d.driver.ExecContext(ctx, query, args...)
}

func (d *observedDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.see(ctx, query)
	return d.driver.QueryContext(ctx, query, args...)
}

func (d *observedDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.BeginTx(ctx, nil)
}

func (d *observedDriver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	tx, err := d.driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &observedTx{Tx: tx.(*entsql.Tx), see: d.see}, nil
}

// observedTx is observedDriver's transaction.
type observedTx struct {
	*entsql.Tx
	see func(context.Context, string)
}

func (t *observedTx) Exec(ctx context.Context, query string, args, v any) error {
	t.see(ctx, query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *observedTx) Query(ctx context.Context, query string, args, v any) error {
	t.see(ctx, query)
	return t.Tx.Query(ctx, query, args, v)
}

func (t *observedTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.see(ctx, query)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *observedTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.see(ctx, query)
	return t.Tx.QueryContext(ctx, query, args...)
}

// Package pgnotify carries short messages between the processes that share
// one PostgreSQL database, over LISTEN/NOTIFY: a Listener keeps one
// dedicated connection listening on a channel and reconnects it when it
// drops; Notify publishes through any connection.
//
// NOTIFY is delivered to the sessions listening when it commits and to no
// one else: a listener that was disconnected misses what was sent
// meanwhile. The Listener therefore tells its owner each time it is
// listening again, with the time the old connection was lost, so the owner
// can re-read from the database what it may have missed.
package pgnotify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// MaxPayload is the longest payload PostgreSQL accepts (8000 bytes, less
// one) in its default configuration.
const MaxPayload = 7999

// Notify publishes payload on channel through db. Inside a transaction
// (db a *sql.Tx) PostgreSQL delivers it only if and when that commits.
func Notify(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, channel, payload string) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("pgnotify: payload of %d bytes is over PostgreSQL's %d", len(payload), MaxPayload)
	}
	if _, err := db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("pgnotify: notify %s: %w", channel, err)
	}
	return nil
}

// Listener holds one connection that LISTENs on Channel and hands each
// payload to Receive, in the order PostgreSQL delivers them. Set the
// fields, then Start; Close stops it.
type Listener struct {
	// Config is the connection's configuration (a copy is used).
	Config *pgx.ConnConfig
	// Channel is the LISTEN channel, an SQL identifier.
	Channel string
	// Receive gets each payload. It runs on the listening goroutine: keep
	// it short and never blocking.
	Receive func(payload string)
	// Relisten, when set, is called after each reconnection, once LISTEN
	// is in place again, with the last moment the previous connection was
	// known to work (connected, a notification, a successful health
	// check): anything published since may have been missed. It runs on
	// its own goroutine.
	Relisten func(ctx context.Context, since time.Time)
	// Now is the clock of those moments (default time.Now): give it the
	// clock the owner stamps its rows with.
	Now func() time.Time
	// Backoff bounds the wait between reconnection attempts: it starts at
	// the first value and doubles up to the second (default 100 ms, 5 s).
	MinBackoff, MaxBackoff time.Duration
	// HealthInterval: after this long without a notification the
	// connection is pinged, so a silently dead one (a network partition,
	// no FIN) is noticed (default 15 s).
	HealthInterval time.Duration
	Log            *slog.Logger

	alive      atomic.Int64 // Now() in Unix nanoseconds when last known good
	pid        atomic.Uint32
	reconnects atomic.Int64
	cancel     context.CancelFunc
	done       chan struct{}
	relistens  sync.WaitGroup
}

// Start connects and LISTENs, failing when it cannot, then keeps listening
// in the background until Close.
func (l *Listener) Start(ctx context.Context) error {
	if l.Config == nil || l.Channel == "" || l.Receive == nil {
		return errors.New("pgnotify: Listener needs Config, Channel and Receive")
	}
	if l.MinBackoff <= 0 {
		l.MinBackoff = 100 * time.Millisecond
	}
	if l.MaxBackoff < l.MinBackoff {
		l.MaxBackoff = max(5*time.Second, l.MinBackoff)
	}
	if l.HealthInterval <= 0 {
		l.HealthInterval = 15 * time.Second
	}
	if l.Log == nil {
		l.Log = slog.New(slog.DiscardHandler)
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	conn, err := l.connect(ctx)
	if err != nil {
		return err
	}
	run, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go l.run(run, conn)
	return nil
}

// Close stops listening and closes the connection.
func (l *Listener) Close() {
	if l.cancel == nil {
		return
	}
	l.cancel()
	<-l.done
	l.relistens.Wait()
}

func (l *Listener) markAlive() { l.alive.Store(l.Now().UnixNano()) }

// PID is the server process id of the current connection (0 while
// reconnecting): pg_terminate_backend(PID) drops it.
func (l *Listener) PID() uint32 { return l.pid.Load() }

// Reconnects counts the connections made after the first.
func (l *Listener) Reconnects() int64 { return l.reconnects.Load() }

func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, l.Config.Copy())
	if err != nil {
		return nil, fmt.Errorf("pgnotify: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("pgnotify: listen %s: %w", l.Channel, err)
	}
	l.pid.Store(conn.PgConn().PID())
	l.markAlive()
	return conn, nil
}

func (l *Listener) run(ctx context.Context, conn *pgx.Conn) {
	defer close(l.done)
	for {
		err := l.listen(ctx, conn)
		_ = conn.Close(context.Background())
		l.pid.Store(0)
		if ctx.Err() != nil {
			return
		}
		since := time.Unix(0, l.alive.Load())
		lostAt := time.Now()
		l.Log.Warn("pgnotify: listener connection lost; reconnecting", "channel", l.Channel, "err", err)
		if conn = l.reconnect(ctx); conn == nil {
			return
		}
		l.reconnects.Add(1)
		l.Log.Info("pgnotify: listening again", "channel", l.Channel, "after", time.Since(lostAt).Round(time.Millisecond))
		if l.Relisten != nil {
			l.relistens.Add(1)
			go func() {
				defer l.relistens.Done()
				l.Relisten(ctx, since)
			}()
		}
	}
}

// listen hands notifications to Receive until the connection fails or ctx
// ends.
func (l *Listener) listen(ctx context.Context, conn *pgx.Conn) error {
	for {
		wait, cancel := context.WithTimeout(ctx, l.HealthInterval)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			l.markAlive()
			l.Receive(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			// Quiet for a while: make sure the connection still answers.
			ping, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Ping(ping)
			cancel()
			if err != nil {
				return fmt.Errorf("health check: %w", err)
			}
			l.markAlive()
		default:
			return err
		}
	}
}

// reconnect tries until it is listening again, waiting longer after each
// failure; nil when ctx ends first.
func (l *Listener) reconnect(ctx context.Context) *pgx.Conn {
	wait := l.MinBackoff
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		conn, err := l.connect(ctx)
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		l.Log.Warn("pgnotify: reconnecting the listener failed", "channel", l.Channel, "retry_in", wait, "err", err)
		wait = min(wait*2, l.MaxBackoff)
	}
}

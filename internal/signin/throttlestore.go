package signin

import (
	"context"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/agentdesk/agentdesk/ent"
	"github.com/agentdesk/agentdesk/ent/predicate"
	"github.com/agentdesk/agentdesk/ent/throttlecounter"
	"github.com/agentdesk/agentdesk/internal/store"
	"github.com/agentdesk/agentdesk/policy"
)

// EntThrottleStore keeps throttle entries in the database's
// throttle_counters table, so every process on the database counts
// together and a restart forgets no attacker.
//
// SQLite uses it too, rather than a map in memory: one code path, tested by
// every test run, and a restart of a single process does not forget either.
// A change is a short write transaction (BEGIN IMMEDIATE on SQLite, which
// serialises them; on PostgreSQL the rows are locked with SELECT … FOR
// UPDATE in key order, and two first failures of one key meet at the
// primary key: the loser retries).
type EntThrottleStore struct{ DB *ent.Client }

// NewEntThrottleStore returns the store on db.
func NewEntThrottleStore(db *ent.Client) *EntThrottleStore { return &EntThrottleStore{DB: db} }

// Get implements ThrottleStore.
func (s *EntThrottleStore) Get(ctx context.Context, key string) (*ThrottleEntry, error) {
	ctx = throttleWork(ctx)
	c, err := s.DB.ThrottleCounter.Get(ctx, key)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return entryOf(c), nil
}

// changeRetries bounds the retries of a Change that lost a race to create
// a key (PostgreSQL only: SQLite runs one change at a time). Each retry
// follows another change's commit, so a few suffice even under a burst.
const changeRetries = 10

// Change implements ThrottleStore.
func (s *EntThrottleStore) Change(ctx context.Context, keys []string, fn func([]*ThrottleEntry) error) error {
	ctx = throttleWork(ctx)
	for try := 0; ; try++ {
		err := store.WithTx(ctx, s.DB, func(tx *ent.Tx) error { return s.change(ctx, tx.Client(), keys, fn) })
		if ent.IsConstraintError(err) && try < changeRetries {
			continue // another process created one of the keys first
		}
		return err
	}
}

func (s *EntThrottleStore) change(ctx context.Context, db *ent.Client, keys []string, fn func([]*ThrottleEntry) error) error {
	rows, err := db.ThrottleCounter.Query().
		Where(throttlecounter.IDIn(keys...)).
		Order(ent.Asc(throttlecounter.FieldID)). // lock in one order: no deadlocks
		Modify(lockForUpdate).
		All(ctx)
	if err != nil {
		return err
	}
	entries := make([]*ThrottleEntry, len(keys))
	for i, k := range keys {
		if j := slices.IndexFunc(rows, func(c *ent.ThrottleCounter) bool { return c.ID == k }); j >= 0 {
			entries[i] = entryOf(rows[j])
		}
	}
	before := slices.Clone(entries)
	if err := fn(entries); err != nil {
		return err
	}
	// Written in key order, as they were locked: two changes that create
	// rows wait for each other in one order only, never in a cycle.
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	for _, i := range order {
		k, old, e := keys[i], before[i], entries[i]
		switch {
		case e == nil && old == nil:
		case e == nil:
			err = db.ThrottleCounter.DeleteOneID(k).Exec(ctx)
		case old == nil:
			err = db.ThrottleCounter.Create().SetID(k).SetFailures(e.Failures).SetLastFailureAt(e.Last).
				SetWaitUntil(e.Until).SetExpiresAt(e.Expires).SetSeq(e.Seq).Exec(ctx)
		case *e != *old:
			err = db.ThrottleCounter.UpdateOneID(k).SetFailures(e.Failures).SetLastFailureAt(e.Last).
				SetWaitUntil(e.Until).SetExpiresAt(e.Expires).SetSeq(e.Seq).Exec(ctx)
		}
		if ent.IsNotFound(err) {
			err = nil // deleted by the clean-up meanwhile (SQLite holds no row locks)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lockForUpdate locks the rows read on PostgreSQL; SQLite has no row locks
// (and no FOR UPDATE): its BEGIN IMMEDIATE transactions run one at a time.
func lockForUpdate(s *sql.Selector) {
	if s.Dialect() != dialect.SQLite {
		s.ForUpdate()
	}
}

// Prune implements ThrottleStore.
func (s *EntThrottleStore) Prune(ctx context.Context, prefix string, now time.Time, maxKeys int) (int, error) {
	ctx = throttleWork(ctx)
	ofPrefix := predicate.ThrottleCounter(sql.FieldHasPrefix(throttlecounter.FieldID, prefix))
	n, err := s.DB.ThrottleCounter.Delete().Where(ofPrefix, throttlecounter.ExpiresAtLTE(now)).Exec(ctx)
	if err != nil {
		return n, err
	}
	count, err := s.DB.ThrottleCounter.Query().Where(ofPrefix).Count(ctx)
	if err != nil || count <= maxKeys {
		return n, err
	}
	oldest, err := s.DB.ThrottleCounter.Query().Where(ofPrefix).
		Order(ent.Asc(throttlecounter.FieldLastFailureAt), ent.Asc(throttlecounter.FieldID)).
		Limit(count - maxKeys).IDs(ctx)
	if err != nil {
		return n, err
	}
	m, err := s.DB.ThrottleCounter.Delete().Where(throttlecounter.IDIn(oldest...)).Exec(ctx)
	return n + m, err
}

// throttleWork marks throttle reads and writes as system work: counters
// belong to no tenant, and they are kept for callers nobody stands behind.
func throttleWork(ctx context.Context) context.Context {
	return policy.System(ctx, "sign-in throttles: counters of no tenant")
}

func entryOf(c *ent.ThrottleCounter) *ThrottleEntry {
	return &ThrottleEntry{Failures: c.Failures, Last: c.LastFailureAt, Until: c.WaitUntil, Expires: c.ExpiresAt, Seq: c.Seq}
}

package signin

import (
	"context"
	cryptorand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/agentdesk/agentdesk/ent"
)

// codeKeySecret names the generated code key among the server secrets.
const codeKeySecret = "code-mac-key"

// ResolveCodeKey returns the HMAC key of reset codes and of the addresses
// reset requests name.
//
// A configured key (AGENTDESK_CODE_KEY, at least 32 bytes, used as given:
// `openssl rand -hex 32` makes one) is used when set. It is the better
// choice: kept out of the database, it means a copy of the database alone
// cannot be searched for live codes (a million candidates per MAC).
//
// Without one, a random 32-byte key is created on first start and kept in
// the server_secrets table, so that the demo needs no setting and codes
// survive restarts and work on every instance that shares the database.
// That key protects the codes against anyone who cannot read the database,
// not against someone who can; codes live ten minutes and five tries.
func ResolveCodeKey(ctx context.Context, db *ent.Client, configured string, rand io.Reader, now time.Time) ([]byte, error) {
	if configured != "" {
		if len(configured) < minCodeKeyLen {
			return nil, fmt.Errorf("signin: the code key must be at least %d bytes", minCodeKeyLen)
		}
		return []byte(configured), nil
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	fresh := make([]byte, minCodeKeyLen)
	if _, err := io.ReadFull(rand, fresh); err != nil {
		return nil, fmt.Errorf("signin: reading randomness: %w", err)
	}
	// Two instances starting together on one database both try to insert;
	// the first insert wins and both read the row back.
	err := db.ServerSecret.Create().SetID(codeKeySecret).SetValue(fresh).SetCreatedAt(now).
		OnConflict().DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) { // DoNothing on a conflict reports no row
		return nil, fmt.Errorf("signin: storing the code key: %w", err)
	}
	sec, err := db.ServerSecret.Get(ctx, codeKeySecret)
	if err != nil {
		return nil, fmt.Errorf("signin: reading the code key: %w", err)
	}
	if len(sec.Value) < minCodeKeyLen {
		return nil, fmt.Errorf("signin: the stored code key is shorter than %d bytes", minCodeKeyLen)
	}
	return sec.Value, nil
}

package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ThrottleCounter is the failure count of one sign-in throttle key (an
// account, an account at a client address, a client address) — see
// internal/signin/throttle.go for the rules. It lives in the database so
// that every process on it counts together and a restart forgets no
// attacker. The id is the key ("acct:jane@example.com", …).
type ThrottleCounter struct{ ent.Schema }

// Fields of the ThrottleCounter.
func (ThrottleCounter) Fields() []ent.Field {
	return []ent.Field{
		// Keys are built from bounded parts: a prefix, an address of at
		// most 254 bytes and a client address.
		field.String("id").NotEmpty().MaxLen(400).Immutable(),
		field.Int("failures"),
		field.Time("last_failure_at"),
		// No attempt before this.
		field.Time("wait_until"),
		// The counter is forgotten from this time on (last failure +
		// the throttle's Forget).
		field.Time("expires_at"),
		// Numbers the last failure, so a refund can tell whether another
		// failure came after the one it takes back.
		field.Int64("seq"),
	}
}

// Indexes of the ThrottleCounter.
func (ThrottleCounter) Indexes() []ent.Index {
	return []ent.Index{
		// The clean-up deletes expired counters.
		index.Fields("expires_at"),
		// The clean-up drops the counters with the oldest failure when a
		// throttle holds more than its MaxKeys.
		index.Fields("last_failure_at"),
	}
}

package signin

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters and output sizes of a password
// hash. They are written into every hash (PHC string format), so changing
// them later only makes Verify report needsRehash for older hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are OWASP's argon2id minimum (Password Storage Cheat Sheet):
// 19 MiB, two passes, one lane, with a 16-byte salt and a 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on the parameters a hash may carry. Verify reads them from a stored
// string, so without an upper bound one bad row could ask for terabytes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minSaltLen   = 8 // PHC string format minimum
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("memory must be between 8×threads and %d KiB", maxMemoryKiB)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time must be between 1 and %d", maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length must be between %d and %d bytes", minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length must be between %d and %d bytes", minKeyLen, maxKeyLen)
	}
	return nil
}

// ErrMalformedHash is returned (wrapped) by Verify for a stored string that is
// not an argon2id PHC hash this package can check. It is a storage problem,
// not a wrong password: callers should log it and answer as for any internal
// error.
var ErrMalformedHash = errors.New("signin: malformed password hash")

// Hasher hashes and verifies passwords with argon2id.
//
// Each hash holds Params.Memory of RAM for its whole run (19 MiB by
// default), so Hasher lets at most maxConcurrent run at once and makes the
// others wait: a burst of sign-ins queues instead of exhausting memory.
// A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	rand   io.Reader
	sem    chan struct{}

	// dummy is a well-formed hash with params, checked by VerifyDummy.
	dummy string

	// derive is argon2.IDKey; tests swap it to observe concurrency.
	derive func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
}

// NewHasher returns a Hasher that writes hashes with p, runs at most
// maxConcurrent hashes at once (GOMAXPROCS when below 1: argon2id with one
// lane is CPU-bound, more would only queue on the CPU while holding memory),
// and reads salts from rand (crypto/rand when nil).
//
// It panics when p is out of range: parameters are a programming decision,
// not input.
func NewHasher(p Params, maxConcurrent int, rand io.Reader) *Hasher {
	if err := p.validate(); err != nil {
		panic("signin: NewHasher: " + err.Error())
	}
	if maxConcurrent < 1 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	return &Hasher{
		params: p,
		rand:   rand,
		sem:    make(chan struct{}, maxConcurrent),
		// The dummy need not be the hash of anything: VerifyDummy only has to
		// do what Verify does for a real account with the current params
		// (parse, derive a key of the same size, compare). Building it costs
		// no argon2 run, so the first unknown-account sign-in is not slower
		// than the next one, as it would be with a lazily computed real hash.
		dummy:  encodeHash(p, make([]byte, p.SaltLen), make([]byte, p.KeyLen)),
		derive: argon2.IDKey,
	}
}

// Params returns the parameters h writes into new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password with a fresh salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in standard
// base64 without padding, as the reference implementation writes them.
// It waits for a free slot as long as ctx allows.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", fmt.Errorf("signin: reading salt: %w", err)
	}
	key, err := h.run(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return encodeHash(h.params, salt, key), nil
}

// Verify reports whether password matches the stored hash encoded, comparing
// in constant time. needsRehash is true when the password matched and the
// hash was made with other parameters than h's: store a fresh Hash then.
// A malformed encoded gives an error wrapping ErrMalformedHash; a cancelled
// wait gives ctx's error.
//
// Verify costs what encoded's parameters cost, not h's: hashes with older
// parameters take a different time than VerifyDummy until they are rehashed.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got, err := h.run(ctx, password, salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyDummy does the work of Verify against a hash with h's parameters and
// throws the result away. Call it when the account is unknown (or has no
// password) so the answer takes as long as for a known account.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	_, _, _ = h.Verify(ctx, password, h.dummy)
}

// run derives a key while holding a slot of the semaphore.
func (h *Hasher) run(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	// Checked first so a cancelled ctx never starts a hash, even when a slot
	// is free (select would pick at random).
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("signin: waiting to hash: %w", err)
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("signin: waiting to hash: %w", ctx.Err())
	}
	defer func() { <-h.sem }()
	// Once started, argon2 cannot be interrupted; a hash takes tens of
	// milliseconds with the default parameters.
	return h.derive([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

var b64 = base64.RawStdEncoding.Strict()

func encodeHash(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodeHash parses an argon2id PHC string. Only the canonical form that
// encodeHash writes (and the reference implementation writes) is accepted:
// version 19, parameters m, t, p in that order, decimal without leading zeros,
// unpadded standard base64.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string with 5 fields")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version is not 19")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("parameters are not m,t,p")
	}
	var vals [3]uint64
	for i, name := range [3]string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(kv[i], name)
		if !ok || s == "" || (len(s) > 1 && s[0] == '0') {
			return bad("parameters are not m,t,p")
		}
		bits := 32
		if name == "p=" {
			bits = 8
		}
		v, perr := strconv.ParseUint(s, 10, bits)
		if perr != nil {
			return bad("parameter " + name + " out of range")
		}
		vals[i] = v
	}
	salt, serr := b64.DecodeString(parts[4])
	key, kerr := b64.DecodeString(parts[5])
	if serr != nil || kerr != nil {
		return bad("salt or key is not unpadded base64")
	}
	p = Params{
		Memory:  uint32(vals[0]),
		Time:    uint32(vals[1]),
		Threads: uint8(vals[2]),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if verr := p.validate(); verr != nil {
		return bad(verr.Error())
	}
	// The base64 decoder skips line breaks; anything it lets through that
	// encodeHash would not write is refused here, so a hash has one spelling.
	if encodeHash(p, salt, key) != encoded {
		return bad("not in canonical form")
	}
	return p, salt, key, nil
}

// Package randtoken makes the random secrets handed to clients (session
// and API tokens, OAuth states) and the hash under which they are stored.
package randtoken

import (
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// tokenBytes is the token's entropy: 256 bits, twice the contract's minimum.
const tokenBytes = 32

// New returns prefix followed by 32 bytes from rand (crypto/rand when
// nil) in unpadded base64url: 43 characters that need no escaping in a
// header, a URL or a cookie.
func New(rand io.Reader, prefix string) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("randtoken: reading token randomness: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash is what is stored and looked up for token: SHA-256, in hex.
//
// A fast hash is right here, unlike for passwords: a token carries 256
// random bits, so no guessing or dictionary can invert it, and a slow hash
// would only slow down every authenticated request. Storing the hash means a
// leaked database row cannot be replayed as a bearer token. Lookups by hash
// also avoid comparing secrets with a timing-dependent ==.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

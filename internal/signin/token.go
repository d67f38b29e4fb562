package signin

import (
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
)

// Prefixes of the two kinds of bearer token. A prefix lets secret scanners
// (and people) recognise a leaked token and tell which kind it is.
const (
	SessionTokenPrefix = "ads_" // from signIn and completeSsoSignIn
	APITokenPrefix     = "adk_" // from createApiToken
)

// tokenBytes is the token's entropy: 256 bits, twice the contract's minimum.
const tokenBytes = 32

// NewToken returns prefix followed by 32 bytes from rand (crypto/rand when
// nil) in unpadded base64url: 43 characters that need no escaping in a
// header, a URL or a cookie.
func NewToken(rand io.Reader, prefix string) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("signin: reading token randomness: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is what is stored and looked up for token: SHA-256, in hex.
//
// A fast hash is right here, unlike for passwords: a token carries 256
// random bits, so no guessing or dictionary can invert it, and a slow hash
// would only slow down every authenticated request. Storing the hash means a
// leaked database row cannot be replayed as a bearer token. Lookups by hash
// also avoid comparing secrets with a timing-dependent ==.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

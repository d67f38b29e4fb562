package signin

import (
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// CodeDigits is the length of a one-time code.
const CodeDigits = 6

// PurposePasswordReset is the purpose CodeMAC binds password-reset codes to.
const PurposePasswordReset = "password-reset"

const codeSpace = 1_000_000 // 10^CodeDigits

// NewCode returns a one-time code of 6 decimal digits, leading zeros kept,
// each of the million codes equally likely: a 32-bit draw is used only below
// the largest multiple of a million (rejection sampling), so no code is
// favoured by a modulo. rand is crypto/rand when nil.
func NewCode(rand io.Reader) (string, error) {
	if rand == nil {
		rand = cryptorand.Reader
	}
	const limit = (1 << 32) / codeSpace * codeSpace // 4,294,000,000
	var b [4]byte
	// A draw is rejected with probability 0.02%; a hundred rejections in a
	// row means the reader is broken, not unlucky.
	for range 100 {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("signin: reading code randomness: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return fmt.Sprintf("%0*d", CodeDigits, v%codeSpace), nil
		}
	}
	return "", errors.New("signin: randomness source keeps giving out-of-range values")
}

// CodeMAC is what is stored for a one-time code: HMAC-SHA256 under key (a
// server secret of at least 32 random bytes), in hex, over the purpose
// (PurposePasswordReset), the subject (the user id) and the code. Binding
// purpose and subject means a code mailed to one user, or for one flow, is
// worth nothing for another, and a leaked table of MACs cannot be searched
// for codes without the key (a bare hash of a million codes could).
//
// It panics when key is shorter than 16 bytes: a missing secret is a
// configuration mistake that must not go unnoticed.
func CodeMAC(key []byte, purpose, subject, code string) string {
	if len(key) < 16 {
		panic("signin: CodeMAC key shorter than 16 bytes")
	}
	m := hmac.New(sha256.New, key)
	// Each field is length-prefixed, so ("a", "bc") and ("ab", "c") differ.
	for _, f := range [...]string{purpose, subject, code} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		m.Write(n[:])
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// EqualMAC compares two MACs in constant time (their length is not secret).
// Empty MACs never match, so a missing stored value cannot equal one either.
func EqualMAC(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

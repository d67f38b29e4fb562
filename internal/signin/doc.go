// Package signin owns how agents prove who they are: password hashing and
// the new-password policy, throttling of failed attempts, bearer tokens and
// the one-time codes of the password-reset flow.
//
// This file set holds the storage-free primitives; the flows that use a
// database (sign-in, sessions, SSO, reset) build on them. Every primitive
// takes its clock and randomness as arguments, so nothing here reads global
// state and tests need no sleeping.
//
// How the flows are meant to use them:
//
//   - Sign-in: first Throttle.Attempt for "ip:"+addr and for
//     "acct:"+lower(email), known account or not; a non-zero wait becomes
//     RetryAfterError. Give addresses their own Throttle with more free
//     attempts than accounts: many agents share an office's address. Then,
//     for a known account, Hasher.Verify; for an unknown one (or one without
//     a password) Hasher.VerifyDummy, so both take the same time and answer
//     INVALID_CREDENTIALS alike. On success, Throttle.Success for the account
//     key only, and when Verify says needsRehash, store Hasher.Hash of the
//     password just checked.
//   - Sessions and API tokens: NewToken with SessionTokenPrefix or
//     APITokenPrefix; the token goes to the client once, only HashToken is
//     stored and looked up.
//   - Password reset: NewCode, mail it, store only CodeMAC bound to the
//     purpose and the user id; compare a submitted code with EqualMAC. A new
//     password passes CheckNewPasswordFor before Hasher.Hash.
package signin

// Package signin owns how agents prove who they are: password hashing and
// the new-password policy, throttling of failed attempts, bearer tokens and
// the one-time codes of the password-reset flow, and the flows built on them
// (Service): signInOptions, password sign-in, Azure SSO (OpenID Connect
// with PKCE), password reset by e-mailed code, and sessions.
//
// The primitives (password.go, passwordpolicy.go, throttle.go, token.go,
// code.go) use no storage; the flows (service.go, sso.go, reset.go) use the
// database and mail through the outbox. Everything takes its clock and
// randomness from its caller, so nothing reads global state and tests need
// no sleeping.
//
// No answer tells whether an account exists: signInOptions and SSO_REQUIRED
// are decided by the address's domain, failed sign-ins all cost a hash and
// read INVALID_CREDENTIALS, and a reset request writes the same row (a decoy
// matching no code when there is no account) so resetPassword answers alike.
//
// How the flows are meant to use them:
//
//   - Sign-in: first Throttle.Charge for "ip:"+addr and for
//     "acct:"+lower(email), known account or not; a non-zero wait becomes
//     RetryAfterError. Give addresses their own Throttle with more free
//     attempts than accounts: many agents share an office's address. Then,
//     for a known account, Hasher.Verify; for an unknown one (or one without
//     a password) Hasher.VerifyDummy, so both take the same time and answer
//     INVALID_CREDENTIALS alike. On success, refund the address's charge
//     (never Success for it) and Throttle.Success for the account key, and
//     when Verify says needsRehash, store Hasher.Hash of the password just
//     checked.
//   - Sessions and API tokens: randtoken.New with SessionTokenPrefix or
//     APITokenPrefix; the token goes to the client once, only randtoken.Hash is
//     stored and looked up.
//   - Password reset: NewCode, mail it, store only CodeMAC bound to the
//     purpose and the user id; compare a submitted code with EqualMAC. A new
//     password passes CheckNewPasswordFor before Hasher.Hash.
package signin

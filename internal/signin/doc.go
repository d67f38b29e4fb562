// Package signin owns how agents prove who they are: password hashing and
// the new-password policy, throttling of failed attempts, bearer tokens and
// the one-time codes of the password-reset flow, and the flows built on them
// (Service): signInOptions, password sign-in, Azure SSO (OpenID Connect
// with PKCE, through internal/oidcflow), password reset by e-mailed code,
// and sessions.
//
// The primitives (password.go, passwordpolicy.go, code.go) use no storage;
// the throttles (throttle.go: the rules of one key; signinthrottle.go: how
// a sign-in combines them) keep their counts in a ThrottleStore
// (throttlestore.go: the database, so every process counts together); the
// flows (service.go, sso.go, reset.go) use the database and mail through
// the outbox. Everything takes its clock and randomness from its caller, so
// nothing reads global state and tests need no sleeping.
//
// No answer tells whether an account exists: signInOptions and SSO_REQUIRED
// are decided by the address's domain, failed sign-ins all cost a hash and
// read INVALID_CREDENTIALS, and a reset request writes the same row (a decoy
// matching no code when there is no account) so resetPassword answers alike.
//
// How the flows use them:
//
//   - Sign-in: first SignInThrottles.Charge (the account, known or not; and
//     unless the client address is in a tenant's trusted networks, the
//     account at that address and the address's count of failing accounts);
//     a non-zero wait becomes RetryAfterError. Then, for a known account,
//     Hasher.Verify; for an unknown one (or one without a password)
//     Hasher.VerifyDummy, so both take the same time and answer
//     INVALID_CREDENTIALS alike. A right password settles the charge with
//     Right, an attempt that was no guess (SSO_REQUIRED) with Refund; when
//     Verify says needsRehash, store Hasher.Hash of the password just
//     checked.
//   - Sessions and API tokens: randtoken.New with SessionTokenPrefix or
//     APITokenPrefix; the token goes to the client once, only randtoken.Hash
//     is stored and looked up.
//   - Password reset: NewCode, mail it, store only CodeMAC bound to the
//     purpose and the user id; compare a submitted code with EqualMAC (each
//     guess charged like a sign-in at the address). A new password passes
//     CheckNewPasswordFor before Hasher.Hash.
package signin

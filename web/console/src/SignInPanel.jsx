import { useEffect, useId, useRef, useState } from 'react';
import { errorCodes, postGraphQL } from './api.js';
import { rememberSSO } from './session.js';

const SIGN_IN_OPTIONS = `query ConsoleSignInOptions($email: String!) {
  signInOptions(email: $email) { method ssoAuthorizationUrl state }
}`;

const SIGN_IN = `mutation ConsoleSignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token expiresAt user { id email name role } }
}`;

// explain turns an error answer into one sentence for the person signing in.
function explain(result) {
  const err = result?.errors?.[0];
  switch (err?.extensions?.code) {
    case 'INVALID_CREDENTIALS':
      return 'The e-mail address or the password is not right.';
    case 'TOO_MANY_ATTEMPTS': {
      const s = err.extensions.retryAfterSeconds;
      return s ? `Too many attempts. Try again in ${s} seconds.` : 'Too many attempts. Try again later.';
    }
    default:
      return err?.message || 'Signing in did not work.';
  }
}

// SignInPanel asks for the e-mail first, then the password, or sends the
// browser to the organisation's identity provider when signInOptions says
// SSO — the same steps as the agent desktop.
export function SignInPanel({ notice, onSignedIn }) {
  const [step, setStep] = useState('email');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sso, setSSO] = useState(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const emailRef = useRef(null);
  const passwordRef = useRef(null);
  const ssoRef = useRef(null);
  const id = useId();

  useEffect(() => {
    const el = { email: emailRef, password: passwordRef, sso: ssoRef }[step].current;
    el?.focus();
  }, [step]);

  async function run(fn) {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(`agentdesk could not be reached: ${err.message}`);
    } finally {
      setBusy(false);
    }
  }

  const submitEmail = (e) => {
    e.preventDefault();
    run(async () => {
      const r = await postGraphQL({ query: SIGN_IN_OPTIONS, variables: { email } });
      const opts = r?.data?.signInOptions;
      if (!opts) {
        setError(explain(r));
        return;
      }
      if (opts.method === 'SSO' && opts.ssoAuthorizationUrl) {
        setSSO(opts);
        setStep('sso');
      } else {
        setStep('password');
      }
    });
  };

  const submitPassword = (e) => {
    e.preventDefault();
    run(async () => {
      const r = await postGraphQL({ query: SIGN_IN, variables: { email, password } });
      const payload = r?.data?.signIn;
      if (payload) {
        setPassword('');
        onSignedIn(payload);
        return;
      }
      if (errorCodes(r).includes('SSO_REQUIRED')) {
        setStep('email');
        setError('This organisation signs in with single sign-on: continue with the e-mail address.');
        return;
      }
      setError(explain(r));
      passwordRef.current?.focus();
    });
  };

  const startSSO = () => {
    rememberSSO(sso.state, '/');
    window.location.assign(sso.ssoAuthorizationUrl);
  };

  const back = () => {
    setStep('email');
    setPassword('');
    setError('');
  };

  const errorId = `${id}-error`;
  return (
    <section className="signin" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sign in to the console</h2>
      {notice && (
        <p className="signin-notice" role="status">
          {notice}
        </p>
      )}
      {step === 'email' && (
        <form onSubmit={submitEmail} className="signin-form">
          <label htmlFor={`${id}-email`}>E-mail</label>
          <input
            ref={emailRef}
            id={`${id}-email`}
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby={error ? errorId : undefined}
            aria-invalid={error ? true : undefined}
          />
          <button type="submit" disabled={busy}>
            Continue
          </button>
        </form>
      )}
      {step === 'password' && (
        <form onSubmit={submitPassword} className="signin-form">
          <span className="signin-email">{email}</span>
          <button type="button" className="link-button" onClick={back}>
            Use another e-mail
          </button>
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            ref={passwordRef}
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={error ? errorId : undefined}
            aria-invalid={error ? true : undefined}
          />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {step === 'sso' && (
        <div className="signin-form">
          <span className="signin-email">{email}</span>
          <button type="button" className="link-button" onClick={back}>
            Use another e-mail
          </button>
          <span>Your organisation signs in with single sign-on.</span>
          <button ref={ssoRef} type="button" onClick={startSSO}>
            Continue to single sign-on
          </button>
        </div>
      )}
      <p id={errorId} className="signin-error" role="alert">
        {error}
      </p>
    </section>
  );
}

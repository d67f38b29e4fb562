// The desktop's flow, step by step as the agent sees it:
//
//   e-mail → password (or the SSO redirect, completed at /sso/callback)
//     → the tab's desktop session, if any (reload) — or "signed in
//       elsewhere — Continue" when another tab holds it
//     → Microsoft Teams (when stationLoginOptions.teamsIntegration.prompt)
//     → station credentials and team → the activities page.
//
// Each step is a screen in screens/; this module decides which one comes
// next, and owns what every screen shares: the tab's clientId, the token,
// and the page frame.

import { ApiError, TransportError, codeOf } from './api';
import { h } from './dom';
import * as op from './operations';
import { store } from './store';
import { texts } from './texts';
import { emailStep } from './screens/signin';
import { teamsStep, completeTeamsCallback } from './screens/teams';
import { stationStep } from './screens/station';
import { activitiesPage, type ActivitiesExtras } from './screens/activities';
import { elsewherePrompt, takenOverPage } from './screens/elsewhere';
import { unreachablePage } from './screens/unreachable';

export class App {
  constructor(
    readonly root: HTMLElement,
    public slug: string,
  ) {}

  /** cleanup runs when the next screen replaces this one (timers, subscriptions). */
  private cleanup: (() => void) | null = null;

  get clientId(): string {
    return store.clientId();
  }

  /** show replaces the screen, names it in the title and moves focus to its heading. */
  show(title: string, screen: HTMLElement, onLeave?: () => void): void {
    this.cleanup?.();
    this.cleanup = onLeave ?? null;
    document.title = `${title} – ${texts.appName}`;
    this.root.replaceChildren(screen);
    this.root.setAttribute('aria-busy', 'false');
    const focus = screen.querySelector<HTMLElement>('[autofocus]') ?? screen.querySelector<HTMLElement>('h1');
    focus?.focus();
  }

  /** progress shows the loading state between screens. */
  progress(label = texts.working): void {
    this.root.setAttribute('aria-busy', 'true');
    this.show(
      label,
      h('main', { class: 'center' }, h('div', { class: 'spinner', role: 'progressbar', 'aria-label': label }), h('p', {}, label)),
    );
  }

  /** message is what the agent reads for an error: the server's words, or ours for the network. */
  message(e: unknown): string {
    if (e instanceof ApiError) {
      const wait = Number(e.extensions.retryAfterSeconds);
      return wait > 0 ? `${e.message} ${texts.errors.retryAfter(wait)}` : e.message;
    }
    if (e instanceof TransportError) return texts.errors.network;
    return texts.errors.generic;
  }

  /** signInPage starts over at the e-mail step, with an optional notice (why we are here). */
  signInPage(notice?: string): void {
    const email = store.email();
    store.forget();
    emailStep(this, email ?? '', notice ?? store.takeNotice()?.text);
  }

  /** signedIn keeps the token and goes on from the sign-in. */
  async signedIn(token: string, email?: string): Promise<void> {
    store.setToken(token);
    if (email) store.setEmail(email);
    await this.resume();
  }

  /**
   * resume goes to the step the signed-in agent is at: the desktop session
   * of this tab (a reload), the Continue prompt, or the station login.
   */
  async resume(extras: ActivitiesExtras = {}): Promise<void> {
    this.progress();
    try {
      const user = await op.me();
      if (!user) return this.signInPage();
      if (user.tenant && user.tenant.slug !== this.slug) {
        // The URL names the organisation; the agent's account decides it.
        this.slug = user.tenant.slug;
        store.setSlug(this.slug);
        history.replaceState(null, '', `/desktop/${this.slug}`);
      }
      const session = await op.desktopSession(this.clientId);
      if (session) return this.activities(session, extras);
      const options = await op.stationLoginOptions();
      if (options.teamsIntegration.prompt && !store.teamsStepDone()) return teamsStep(this);
      stationStep(this, options, user);
    } catch (e) {
      await this.handleSessionError(e);
    }
  }

  /** activities opens the activities page on the tab's session. */
  async activities(session: op.DesktopSession, extras: ActivitiesExtras = {}): Promise<void> {
    const [user, options] = await Promise.all([op.me(), op.stationLoginOptions()]);
    if (!user) return this.signInPage();
    activitiesPage(this, { session, user, options, ...extras });
  }

  /**
   * handleSessionError turns the desktop's session codes into their
   * screens; anything else is shown on the sign-in page or, when the server
   * is gone, the unreachable page.
   */
  async handleSessionError(e: unknown): Promise<void> {
    switch (codeOf(e)) {
      case 'SESSION_ACTIVE_ELSEWHERE':
        return elsewherePrompt(this, Number((e as ApiError).extensions.activeInteractions ?? 0));
      case 'SESSION_TAKEN_OVER':
        return takenOverPage(this);
      case 'SESSION_EXPIRED':
        return this.leave(texts.signIn.endedWithReason((e as ApiError).message));
      case 'NO_DESKTOP_SESSION':
        return this.resume();
      case 'UNAUTHENTICATED':
        return this.signInPage(this.message(e));
    }
    if (e instanceof TransportError) return unreachablePage(this, e);
    this.signInPage(this.message(e));
  }

  /** leave revokes the token (when it still works) and shows the sign-in page. */
  async leave(notice?: string): Promise<void> {
    if (store.token()) await op.endSession().catch(() => {});
    this.signInPage(notice);
  }

  /** teamsCallback completes a Teams sign-in the provider sent the browser back from. */
  teamsCallback(params: URLSearchParams): Promise<void> {
    return completeTeamsCallback(this, params);
  }
}

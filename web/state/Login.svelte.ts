// Whether this server asks for a login (DINOBASE_TOKEN), so Settings can offer Log out, and the login's role.
import { sessionState, type SessionState } from '../lib/proxy.ts';

export class Login {
  #required = $state.raw(false);
  #role = $state.raw<SessionState['role']>(null);
  #agentChannel = true;
  #answered = false;
  #asking: Promise<void> | null = null;

  get required(): boolean {
    return this.#required;
  }

  /**
   * Logged in with DINOBASE_READ_TOKEN: the proxy answers only /api/datasets (team data), so the app does not
   * ask for the sources or open the agent channel, which would only be refused (a 403 in the console each).
   */
  get readOnly(): boolean {
    return this.#role === 'read';
  }

  /**
   * Whether the server relays agents' calls to a tab. Until it answers (or from an older server that does not
   * say), yes: the channel then reconnects by itself once the server is back.
   */
  get agentChannel(): boolean {
    return this.#agentChannel;
  }

  /** Asks the server; unreachable (offline), the last answer stands. */
  async refresh(): Promise<void> {
    try {
      const state = await sessionState();
      this.#required = state.login_required;
      this.#role = state.role ?? null;
      this.#agentChannel = state.agent_channel ?? true;
      this.#answered = true;
    } catch {
      // Offline is a normal state: nothing to log out of until the server answers again.
    }
  }

  /** Resolves once the server has answered (asking it if no one did yet); offline, after the attempt. */
  known(): Promise<void> {
    if (this.#answered) return Promise.resolve();
    this.#asking ??= this.refresh().finally(() => (this.#asking = null));
    return this.#asking;
  }
}

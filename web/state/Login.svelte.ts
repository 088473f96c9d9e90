// Whether this server asks for a login (DINOBASE_TOKEN), so Settings can offer Log out.
import { sessionState } from '../lib/proxy.ts';

export class Login {
  #required = $state.raw(false);

  get required(): boolean {
    return this.#required;
  }

  /** Asks the server; unreachable (offline), the last answer stands. */
  async refresh(): Promise<void> {
    try {
      this.#required = (await sessionState()).login_required;
    } catch {
      // Offline is a normal state: nothing to log out of until the server answers again.
    }
  }
}

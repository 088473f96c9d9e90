// Auth kinds as a small registry: each applies credentials to a request; a connector names one in its spec.
import { ConfigError } from '../errors.ts';
import { placeholdersIn, substitute, type Scope } from './paths.ts';
import type { PageRequest } from './request.ts';
import type { AuthSpec } from './spec.ts';

type Apply<S> = (spec: S, value: (template: string) => string, request: PageRequest) => void;

export const authKinds = {
  bearer: (spec, value, request) => {
    request.headers.authorization = `Bearer ${value(spec.token)}`;
  },
  basic: (spec, value, request) => {
    request.headers.authorization = `Basic ${btoa(`${value(spec.username)}:${value(spec.password)}`)}`;
  },
  api_key: (spec, value, request) => {
    if (spec.location === 'query') request.url.searchParams.set(spec.name, value(spec.value));
    else request.headers[spec.name.toLowerCase()] = value(spec.value);
  },
  none: () => undefined,
} satisfies { [K in AuthSpec['type']]: Apply<Extract<AuthSpec, { type: K }>> };

export type AuthKind = keyof typeof authKinds;

/** Applies `spec` with `credentials`; a credential the template needs but nobody supplied is named in the error. */
export function applyAuth(spec: AuthSpec, credentials: Scope, request: PageRequest, source: string): void {
  const value = (template: string) => {
    const missing = placeholdersIn(template).filter(
      (name) => credentials[name] == null || credentials[name] === '',
    );
    if (missing.length > 0) {
      throw new ConfigError(
        'invalid_argument',
        `Source "${source}" needs the credential ${missing.map((m) => `"${m}"`).join(', ')} (auth type ${spec.type}).`,
      );
    }
    return substitute(template, credentials);
  };
  (authKinds[spec.type] as Apply<AuthSpec>)(spec, value, request);
}

import type { Route } from './route.js';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

/** Matches method and path against a fixed list of routes; placeholders are percent-decoded. */
export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split(/(\{[a-zA-Z]+\})/)
        .map((part) => {
          const name = /^\{([a-zA-Z]+)\}$/.exec(part)?.[1];
          if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(name);
          return '([^/:]+)';
        })
        .join('');
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  /**
   * Throws URIError when a placeholder is not valid percent-encoding. HEAD runs the GET route
   * (RFC 9110 §9.3.2); node:http sends its headers without the body.
   */
  match(method: string, path: string): RouteMatch {
    const allow: string[] = [];
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const { route, pattern, names } of this.compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      if (route.method !== wanted) {
        allow.push(route.method);
        if (route.method === 'GET') allow.push('HEAD');
        continue;
      }
      const params: Record<string, string> = {};
      for (let index = 0; index < names.length; index++) {
        params[names[index]!] = decodeURIComponent(match[index + 1]!);
      }
      return { kind: 'found', route, params };
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

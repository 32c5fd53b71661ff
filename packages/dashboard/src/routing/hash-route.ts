import { useEffect, useState } from 'preact/hooks';

/** The pages of the dashboard; the location hash names one (`#/functions/word-stats`). */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'functions' }
  | { readonly page: 'function'; readonly name: string }
  | { readonly page: 'executions'; readonly query: URLSearchParams }
  | { readonly page: 'execution'; readonly id: string }
  | { readonly page: 'not-found'; readonly path: string };

/** `#/executions?function=x` → the route; an unknown path is a not-found route. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/';
  const queryStart = text.indexOf('?');
  const path = queryStart < 0 ? text : text.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : text.slice(queryStart + 1));
  const parts = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'functions' && parts.length === 1) return { page: 'functions' };
  if (parts[0] === 'functions' && parts.length === 2) return { page: 'function', name: parts[1]! };
  if (parts[0] === 'executions' && parts.length === 1) return { page: 'executions', query };
  if (parts[0] === 'executions' && parts.length === 2) return { page: 'execution', id: parts[1]! };
  return { page: 'not-found', path };
}

/** The href of a route. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'functions':
      return '#/functions';
    case 'function':
      return `#/functions/${encodeURIComponent(route.name)}`;
    case 'executions': {
      const query = route.query.toString();
      return `#/executions${query ? `?${query}` : ''}`;
    }
    case 'execution':
      return `#/executions/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `#${route.path}`;
    default:
      return route satisfies never;
  }
}

/** The current route, following hash changes. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

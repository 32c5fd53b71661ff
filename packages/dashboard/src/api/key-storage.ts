/**
 * The API key lives in sessionStorage: it survives a reload but not the tab, and is never written
 * to a cookie (so no request carries it unasked) nor to localStorage (docs/security.md).
 */
const KEY = 'nanofaas.apiKey';

export interface KeyStorage {
  load(): string | undefined;
  save(key: string): void;
  clear(): void;
}

export function sessionKeyStorage(storage: Storage = sessionStorage): KeyStorage {
  return {
    load: () => storage.getItem(KEY) ?? undefined,
    save: (key) => storage.setItem(KEY, key),
    clear: () => storage.removeItem(KEY),
  };
}

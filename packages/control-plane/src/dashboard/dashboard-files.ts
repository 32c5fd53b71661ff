import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DashboardConfig } from '../config/dashboard-config.js';

/** One file of the dashboard, held in memory with its gzip form and validator. */
export interface DashboardFile {
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly contentType: string;
  readonly etag: string;
}

/** Content types of what Vite emits; any other extension is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg']);
/** A built asset's name: Vite's `name-hash.ext`, no path, no leading dot. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** The dashboard is small (a budget test keeps it under 300 KB gzipped); refuse a directory far beyond. */
const MAX_FILES = 200;
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/**
 * The built dashboard (index.html and assets/), read once on first use and kept in memory: a fixed
 * set of files whose names come from the directory listing, never from the request path, so a
 * request can reach no other file.
 */
export class DashboardFiles {
  #loaded: { index: DashboardFile; assets: Map<string, DashboardFile> } | string | undefined;

  constructor(private readonly config: DashboardConfig) {}

  /** The directory served, or why there is none. */
  location(): { dir: string } | { problem: string } {
    const { config } = this;
    switch (config.source) {
      case 'off':
        return { problem: 'the dashboard is off (NANOFAAS_DASHBOARD_DIR=off)' };
      case 'dir':
        return { dir: config.dir };
      case 'package':
        try {
          const manifest = createRequire(import.meta.url).resolve('@nanofaas/dashboard/package.json');
          return { dir: join(dirname(manifest), 'dist') };
        } catch {
          return { problem: 'the @nanofaas/dashboard package is not installed (set NANOFAAS_DASHBOARD_DIR)' };
        }
      default:
        return config satisfies never;
    }
  }

  /** index.html, or a message saying why the dashboard cannot be served. */
  index(): DashboardFile | string {
    const loaded = this.#load();
    return typeof loaded === 'string' ? loaded : loaded.index;
  }

  /** One file of assets/, or undefined when there is no such file. */
  asset(name: string): DashboardFile | undefined {
    const loaded = this.#load();
    if (typeof loaded === 'string' || !ASSET_NAME.test(name)) return undefined;
    return loaded.assets.get(name);
  }

  #load() {
    if (this.#loaded === undefined) {
      const where = this.location();
      this.#loaded = 'problem' in where ? where.problem : readDashboard(where.dir);
    }
    return this.#loaded;
  }
}

function readDashboard(dir: string): { index: DashboardFile; assets: Map<string, DashboardFile> } | string {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return `the dashboard is not built: ${indexPath} is missing (npm run build)`;
  const assets = new Map<string, DashboardFile>();
  const assetsDir = join(dir, 'assets');
  let total = 0;
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      const path = join(assetsDir, name);
      const contentType = CONTENT_TYPES[extname(name)];
      if (!ASSET_NAME.test(name) || contentType === undefined || !statSync(path).isFile()) continue;
      if (assets.size >= MAX_FILES)
        return `the dashboard directory ${dir} holds more than ${MAX_FILES} assets`;
      const file = fileOf(readFileSync(path), extname(name));
      total += file.body.length;
      if (total > MAX_TOTAL_BYTES)
        return `the dashboard directory ${dir} holds more than ${MAX_TOTAL_BYTES} bytes`;
      assets.set(name, file);
    }
  }
  return { index: fileOf(readFileSync(indexPath), '.html'), assets };
}

function fileOf(body: Buffer, extension: string): DashboardFile {
  return {
    body,
    gzipped: COMPRESSIBLE.has(extension) && body.length > 512 ? gzipSync(body) : undefined,
    contentType: CONTENT_TYPES[extension]!,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

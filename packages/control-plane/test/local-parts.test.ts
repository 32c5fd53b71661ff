import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveFunctionSpec, splitCommand } from '@nanofaas/contracts';
import { Autoscaler } from '../src/backends/autoscaler.js';
import { parseMemoryQuantity } from '../src/backends/local/memory-limit.js';
import { explainUnrunnableCommand } from '../src/backends/local/runtime-command.js';
import { functionBaseEnvironment } from '../src/backends/local/watchdog-environment.js';
import { resolveWorkdir } from '../src/backends/local/workdir.js';
import { EnvReader } from '../src/config/env-reader.js';
import { loadLocalBackendConfig } from '../src/config/local-backend-config.js';

const scaling = (overrides: Record<string, number> = {}) =>
  resolveFunctionSpec({
    name: 'f',
    runtimeCommand: 'x',
    concurrency: 4,
    scaling: { minReplicas: 0, maxReplicas: 5, idleTimeoutMs: 10_000, ...overrides },
  }).scaling;

describe('Autoscaler', () => {
  const sample = (now: number, current: number, load: number, lastActivityAt = now, waiting = 0) => ({
    now,
    current,
    load,
    waiting,
    lastActivityAt,
  });

  it('wants ceil(load / targetInFlight) replicas within min and max', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 0, scaleDownWindowMs: 0 });
    assert.equal(autoscaler.desiredReplicas(scaling(), sample(0, 1, 9)), 3);
    assert.equal(autoscaler.desiredReplicas(scaling(), sample(1, 3, 100)), 5);
    assert.equal(autoscaler.desiredReplicas(scaling({ minReplicas: 2 }), sample(2, 5, 0)), 2);
  });

  it('starts a replica at once for a request waiting at zero, even with an up window', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 60_000, scaleDownWindowMs: 0 });
    assert.equal(autoscaler.desiredReplicas(scaling(), sample(0, 0, 1, 0, 1)), 1);
  });

  it('keeps one replica while recently active, and scales to zero after idleTimeoutMs', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 0, scaleDownWindowMs: 30_000 });
    assert.equal(autoscaler.desiredReplicas(scaling(), sample(5_000, 1, 0, 0)), 1);
    assert.equal(autoscaler.desiredReplicas(scaling(), sample(10_001, 1, 0, 0)), 0);
  });

  it('scales down only after the down window (capped by the idle timeout) of lower recommendations', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 0, scaleDownWindowMs: 3_000 });
    const s = scaling({ minReplicas: 1 });
    assert.equal(autoscaler.desiredReplicas(s, sample(0, 1, 16)), 4);
    assert.equal(autoscaler.desiredReplicas(s, sample(1_000, 4, 4)), 4, 'a lull inside the window keeps 4');
    assert.equal(autoscaler.desiredReplicas(s, sample(2_000, 4, 4)), 4);
    assert.equal(autoscaler.desiredReplicas(s, sample(3_500, 4, 4)), 1, 'sustained low load scales down');
  });

  it('scales up only when the higher count was recommended for the whole up window', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 2_000, scaleDownWindowMs: 0 });
    const s = scaling({ minReplicas: 1 });
    assert.equal(autoscaler.desiredReplicas(s, sample(0, 1, 4)), 1);
    assert.equal(autoscaler.desiredReplicas(s, sample(1_000, 1, 12)), 1);
    assert.equal(autoscaler.desiredReplicas(s, sample(2_500, 1, 12)), 3);
  });
});

describe('Autoscaler under a flood of samples', () => {
  it('keeps answering from a bounded history (one entry per slice of time)', () => {
    const autoscaler = new Autoscaler({ scaleUpWindowMs: 10_000, scaleDownWindowMs: 30_000 });
    const s = scaling({ minReplicas: 1 });
    let desired = 0;
    // 40,000 waiting requests within 20 s, each asking for a recommendation.
    for (let i = 0; i < 40_000; i++) {
      desired = autoscaler.desiredReplicas(s, {
        now: i / 2,
        current: 5,
        load: 40,
        waiting: 20,
        lastActivityAt: i / 2,
      });
    }
    assert.equal(desired, 5);
  });
});

describe('runtime commands', () => {
  it('splits like the watchdog: quotes and escapes, no shell', () => {
    assert.deepEqual(splitCommand(`node "my dir/cli.js" 'a b' c\\ d`), [
      'node',
      'my dir/cli.js',
      'a b',
      'c d',
    ]);
    assert.deepEqual(splitCommand('  spaced   out  '), ['spaced', 'out']);
    assert.equal(splitCommand('echo "unclosed'), undefined);
  });

  it('explains a missing or non-executable command', () => {
    assert.match(explainUnrunnableCommand('nope-not-here', '/', '/usr/bin:/bin') ?? '', /not found in PATH/);
    assert.match(explainUnrunnableCommand('./missing.sh', '/tmp', '/usr/bin') ?? '', /does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'nanofaas-command-'));
    writeFileSync(join(dir, 'plain.txt'), 'not a program');
    assert.match(explainUnrunnableCommand('./plain.txt', dir, '') ?? '', /not executable/);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(explainUnrunnableCommand('sh -c true', '/', process.env.PATH), undefined);
  });
});

describe('workdir', () => {
  const root = mkdtempSync(join(tmpdir(), 'nanofaas-workdir-'));
  mkdirSync(join(root, 'fn'));
  symlinkSync('/etc', join(root, 'sneaky'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('resolves inside the functions root', () => {
    const resolved = resolveWorkdir(root, 'fn');
    assert.equal(resolved.ok, true);
    assert.equal(resolveWorkdir(root, undefined).ok, true);
  });

  it('rejects escapes, symlinks out of the root and missing directories, naming workdir', () => {
    for (const workdir of ['..', '../etc', '/etc', 'sneaky', 'missing']) {
      const resolved = resolveWorkdir(root, workdir);
      assert.equal(resolved.ok, false, workdir);
      if (!resolved.ok) assert.equal(resolved.issue.field, 'workdir');
    }
  });
});

describe('local backend settings and environment', () => {
  it('defaults, and names the variable of a bad value', () => {
    const config = loadLocalBackendConfig(new EnvReader({}), '/srv');
    assert.equal(config.functionsRoot, '/srv');
    assert.match(config.watchdogPath, /watchdog\/dist\/watchdog$/);
    assert.equal(config.memoryLimit, 'auto');
    assert.throws(
      () => loadLocalBackendConfig(new EnvReader({ NANOFAAS_LOCAL_READY_TIMEOUT_MS: 'soon' }), '/'),
      /NANOFAAS_LOCAL_READY_TIMEOUT_MS/,
    );
    assert.throws(
      () =>
        loadLocalBackendConfig(
          new EnvReader({ NANOFAAS_LOCAL_ENV_PASSTHROUGH: 'PATH,NANOFAAS_API_KEYS' }),
          '/',
        ),
      /NANOFAAS_LOCAL_ENV_PASSTHROUGH/,
    );
    assert.throws(
      () => loadLocalBackendConfig(new EnvReader({ NANOFAAS_LOCAL_MEMORY_LIMIT: 'rlimit' }), '/'),
      /NANOFAAS_LOCAL_MEMORY_LIMIT/,
    );
  });

  it('passes only allow-listed variables and the spec env to functions', () => {
    const spec = resolveFunctionSpec({ name: 'f', runtimeCommand: 'x', env: { GREETING: 'hi' } });
    const env = functionBaseEnvironment(spec, ['PATH', 'HOME'], {
      PATH: '/bin',
      HOME: '/root',
      NANOFAAS_API_KEYS: 'admin:secret',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    assert.deepEqual(env, { PATH: '/bin', HOME: '/root', GREETING: 'hi' });
  });

  it('parses memory quantities', () => {
    assert.equal(parseMemoryQuantity('128Mi'), 128 * 1024 * 1024);
    assert.equal(parseMemoryQuantity('1G'), 1e9);
    assert.equal(parseMemoryQuantity('0.5Gi'), 512 * 1024 * 1024);
    assert.equal(parseMemoryQuantity('1000'), 1000);
  });
});

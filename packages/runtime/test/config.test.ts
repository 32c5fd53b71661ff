import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    assert.deepEqual(config, {
      port: 8080,
      host: '0.0.0.0',
      handlerPath: './index.js',
      maxBodyBytes: 6 * 1024 * 1024,
      timeoutMs: 30_000,
      logLevel: 'info',
      functionName: undefined,
      executionId: undefined,
      traceId: undefined,
      oneShot: undefined,
    });
    assert.ok(Object.isFrozen(config));
  });

  it('reads every variable, the CLI argument winning over HANDLER, empty values counting as unset', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        HANDLER: './from-env.js',
        MAX_BODY_BYTES: '1024',
        TIMEOUT_MS: '2500',
        LOG_LEVEL: 'DEBUG',
        FUNCTION_NAME: 'word-stats',
        EXECUTION_ID: 'e1',
        TRACE_ID: 't1',
        CALLBACK_URL: 'http://cp:8080/v1/internal/executions/',
        INVOCATION_PAYLOAD: '{"input":1}',
        CALLBACK_TOKEN: 'tok',
      },
      { handlerPath: './from-arg.js' },
    );
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.handlerPath, './from-arg.js');
    assert.equal(config.maxBodyBytes, 1024);
    assert.equal(config.timeoutMs, 2500);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.functionName, 'word-stats');
    assert.deepEqual(config.oneShot, {
      callbackUrl: 'http://cp:8080/v1/internal/executions',
      payload: '{"input":1}',
      callbackToken: 'tok',
    });
    assert.equal(loadConfig({ PORT: '', HANDLER: './h.js' }).port, 8080);
    assert.equal(loadConfig({ HANDLER: './h.js' }).handlerPath, './h.js');
  });

  it('treats EXECUTION_ID alone (a STDIO run under the watchdog) as no one-shot run', () => {
    const config = loadConfig({ EXECUTION_ID: 'e1' });
    assert.equal(config.oneShot, undefined);
    assert.equal(config.executionId, 'e1');
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'http' }, 'PORT', /whole number/],
    [{ PORT: '65536' }, 'PORT', /between 0 and 65535/],
    [{ PORT: '80.5' }, 'PORT', /whole number/],
    [{ MAX_BODY_BYTES: '0' }, 'MAX_BODY_BYTES', /between 1/],
    [{ MAX_BODY_BYTES: '6MiB' }, 'MAX_BODY_BYTES', /whole number/],
    [{ TIMEOUT_MS: '-5' }, 'TIMEOUT_MS', /whole number/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /one of debug, info, warn, error/],
    [{ CALLBACK_URL: 'http://x' }, 'EXECUTION_ID, INVOCATION_PAYLOAD', /go together/],
    [{ EXECUTION_ID: 'e', INVOCATION_PAYLOAD: '{}' }, 'CALLBACK_URL', /must be set/],
    [
      { EXECUTION_ID: 'e', INVOCATION_PAYLOAD: '{}', CALLBACK_URL: 'not a url' },
      'CALLBACK_URL',
      /absolute http/,
    ],
    [
      { EXECUTION_ID: 'e', INVOCATION_PAYLOAD: '{}', CALLBACK_URL: 'ftp://cp/x' },
      'CALLBACK_URL',
      /http or https/,
    ],
  ];
  for (const [env, variable, message] of bad) {
    it(`refuses ${JSON.stringify(env)}, naming ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === variable &&
          error.message.startsWith(`${variable}: `) &&
          message.test(error.message),
      );
    });
  }
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('npm links node_modules/.bin/nanofaas-runtime to a committed file that runs the CLI', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const target = pkg.bin['nanofaas-runtime'] as string;
  const tracked = spawnSync('git', ['ls-files', '--error-unmatch', `packages/runtime/${target}`], {
    cwd: root,
  });
  assert.equal(
    tracked.status,
    0,
    `${target} must be committed, so that npm install can link it before a build`,
  );
  const lock = JSON.parse(readFileSync(`${root}/package-lock.json`, 'utf8'));
  assert.equal(
    `./${lock.packages['packages/runtime'].bin['nanofaas-runtime']}`,
    target,
    'package-lock.json agrees',
  );
  const link = `${root}/node_modules/.bin/nanofaas-runtime`;
  assert.equal(realpathSync(link), realpathSync(`${root}/packages/runtime/${target}`));
  const help = spawnSync(link, ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: nanofaas-runtime/);
});

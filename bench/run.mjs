#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only watchdog,control-plane]`: builds what the benchmark needs,
// runs every scenario against its reference on loopback (processes started and stopped here, load
// bounded in count and time), and writes bench/results/<date>-<host>.json and .md with SVG charts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadText, ProcessSet, repoPath } from './lib/harness.mjs';
import { writeReport } from './lib/report.mjs';
import * as asyncScenario from './scenarios/async.mjs';
import * as coldStart from './scenarios/cold-start.mjs';
import * as controlPlane from './scenarios/control-plane.mjs';
import * as memory from './scenarios/memory.mjs';
import * as overload from './scenarios/overload.mjs';
import * as runtime from './scenarios/runtime.mjs';
import * as watchdog from './scenarios/watchdog.mjs';

const SCENARIOS = [runtime, watchdog, controlPlane, asyncScenario, coldStart, overload, memory];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
  },
});

const timing = values.quick
  ? { rounds: 1, seconds: 1, warmupSeconds: 1 }
  : { rounds: 3, seconds: 5, warmupSeconds: 3 };
if (values.rounds) timing.rounds = Number(values.rounds);
if (values.seconds) timing.seconds = Number(values.seconds);
const selected = values.only
  ? values.only.split(',').map((name) => {
      const scenario = SCENARIOS.find((s) => s.id === name.trim());
      if (!scenario)
        throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
      return scenario;
    })
  : SCENARIOS;

const log = (line) => process.stderr.write(`${line}\n`);
/** The version a command prints (on stdout or stderr, whatever its exit code). */
const version = (command, args, pattern = /(\d+\.\d+(\.\d+)?)/) => {
  const { stdout, stderr, error } = spawnSync(command, args, { encoding: 'utf8' });
  if (error) return 'not installed';
  return pattern.exec(`${stdout}${stderr}`)?.[1] ?? 'unknown';
};

function machine() {
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  return {
    host: hostname(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os,
    kernel: release(),
  };
}

async function main() {
  const started = Date.now();
  const loadBefore = loadText();
  if (!values['no-build']) {
    log('building: tsc -b, watchdog');
    execFileSync('npx', ['tsc', '-b'], { cwd: repoPath('.'), stdio: 'inherit' });
    execFileSync('bash', ['watchdog/build.sh'], {
      cwd: repoPath('.'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'nanofaas-bench-'));
  const spawnCat = join(tmp, 'spawn-cat');
  execFileSync('cc', ['-O2', '-o', spawnCat, repoPath('bench/fixtures/spawn-cat.c')]);
  const procs = new ProcessSet();
  const stopOnSignal = () => {
    procs.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const notes = [];
  const ctx = {
    quick: values.quick,
    timing,
    log,
    procs,
    tmp,
    spawnCat,
    machine: machine(),
    note: (text) => {
      notes.push(text);
      log(text);
    },
  };
  const scenarios = [];
  try {
    for (const scenario of selected) {
      log(`== ${scenario.id}: ${scenario.title}`);
      const t0 = Date.now();
      try {
        scenarios.push({ id: scenario.id, title: scenario.title, result: await scenario.run(ctx) });
      } catch (error) {
        log(`${scenario.id} failed: ${error.stack ?? error}`);
        scenarios.push({ id: scenario.id, title: scenario.title, error: String(error.stack ?? error) });
      } finally {
        await procs.stopAll();
      }
      log(`== ${scenario.id}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await procs.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  const date = new Date(started).toISOString();
  const run = {
    date,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick: values.quick,
    machine: ctx.machine,
    loadBefore,
    loadAfter: loadText(),
    versions: {
      node: process.version,
      wrk: version('wrk', ['-v']),
      rustc: version('rustc', ['--version']),
      cc: version('cc', ['--version']),
      python: version('python3', ['--version']),
      java: version('java', ['-version']),
      nanofaas: version('git', ['-C', repoPath('.'), 'describe', '--always', '--dirty'], /(\S+)/),
    },
    timing,
    durationMs: Date.now() - started,
    notes,
    scenarios,
  };
  const outDir = values.out ?? repoPath(values.quick ? 'bench/results/quick' : 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, `${date.slice(0, 16).replace(/[:T]/g, '-')}-${ctx.machine.host}`);
  writeFileSync(`${stem}.json`, `${JSON.stringify(run, null, 2)}\n`);
  const report = writeReport(run, stem);
  log(`\nwrote ${stem}.json and ${report}`);
  // The header and the targets table (the scenarios' sections follow in the file).
  process.stdout.write(`${readFileSync(report, 'utf8').split('\n## ').slice(0, 2).join('\n## ')}\n`);
  const failed = scenarios.filter((s) => s.error);
  if (failed.length > 0) {
    log(`failed scenarios: ${failed.map((s) => s.id).join(', ')}`);
    process.exitCode = 1;
  }
  if (values.check) checkFigures(scenarios, report);
}

/** --check (CI): every scenario produced figures and the report was written; nothing about timings. */
function checkFigures(scenarios, report) {
  const problems = [];
  for (const scenario of scenarios) {
    const goals = scenario.result?.goals ?? [];
    if (scenario.error) problems.push(`${scenario.id}: ${scenario.error.split('\n')[0]}`);
    else if (goals.length === 0) problems.push(`${scenario.id}: no figures`);
    for (const goal of goals) {
      if (/NaN|undefined|Infinity/.test(goal.measured))
        problems.push(`${scenario.id}: ${goal.what}: ${goal.measured}`);
    }
    for (const chart of scenario.result?.charts ?? []) {
      for (const point of chart.points) {
        for (const [name, target] of Object.entries(point.targets)) {
          if (!(target.rps.median > 0))
            problems.push(`${scenario.id}: ${chart.title}: ${name} at ${point.connections}: no throughput`);
        }
      }
    }
  }
  if (!readFileSync(report, 'utf8').includes('## Targets'))
    problems.push(`${report} lacks its targets table`);
  if (problems.length > 0) {
    log(`check failed:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else log('check: every scenario produced figures; report written');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

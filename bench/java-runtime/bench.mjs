// Java runtime benchmark (bench/README.md, "Java runtime"): start → first 200 on /health and RSS for
// each start-up option, interleaved run by run, and warm req/s of word-stats against a bare Spring
// Boot @RestController echo. Every process runs on loopback and is stopped at the end.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMicros, freePort, loadText, median, runWrk } from '../lib/harness.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '8' },
    'skip-warm': { type: 'boolean', default: false },
    'skip-startup': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const root = new URL('../../', import.meta.url).pathname;
const java17 = process.env.JAVA17 ?? 'java';
const java25 = process.env.JAVA25 ?? '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java';
const target = join(root, 'examples/java/word-stats/target');
const builtJar = join(target, 'word-stats.jar');
const work = join(root, 'bench/java-runtime/.work');
// A copy, so that a rebuild of the example during the run does not change the jar under the JVMs.
const fatJar = join(work, 'word-stats.jar');
const extractedJar = join(work, 'word-stats/word-stats.jar');
const echoJar = join(root, 'bench/java-runtime/echo/target/bare-echo.jar');
const children = new Set();

function sh(cmd, args, env = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
}

/** Extracts the fat jar (CDS and the AOT cache need plain jars on the class path) and trains the caches. */
function prepare() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(builtJar, fatJar);
  sh(java17, ['-Djarmode=tools', '-jar', fatJar, 'extract', '--destination', join(work, 'word-stats')]);
  const train = (java, flags) =>
    sh(java, [...flags, '-Dspring.context.exit=onRefresh', '-jar', extractedJar], { PORT: '0' });
  train(java17, [`-XX:ArchiveClassesAtExit=${join(work, 'cds.jsa')}`]);
  train(java17, [`-XX:ArchiveClassesAtExit=${join(work, 'cds-aot.jsa')}`, '-Dspring.aot.enabled=true']);
  if (existsSync(java25)) {
    train(java25, [`-XX:AOTCacheOutput=${join(work, 'jdk25.aot')}`]);
    train(java25, [`-XX:AOTCacheOutput=${join(work, 'jdk25-aot.aot')}`, '-Dspring.aot.enabled=true']);
  }
}

const variants = () => {
  const list = [
    { name: 'JVM 17, java -jar', java: java17, args: ['-jar', fatJar] },
    { name: 'JVM 17 + Spring AOT', java: java17, args: ['-Dspring.aot.enabled=true', '-jar', fatJar] },
    {
      name: 'JVM 17 + CDS',
      java: java17,
      args: [`-XX:SharedArchiveFile=${join(work, 'cds.jsa')}`, '-jar', extractedJar],
    },
    {
      name: 'JVM 17 + CDS + Spring AOT',
      java: java17,
      args: [
        `-XX:SharedArchiveFile=${join(work, 'cds-aot.jsa')}`,
        '-Dspring.aot.enabled=true',
        '-jar',
        extractedJar,
      ],
    },
  ];
  if (existsSync(java25)) {
    list.push(
      { name: 'JVM 25, java -jar', java: java25, args: ['-jar', fatJar] },
      {
        name: 'JVM 25 + AOT cache',
        java: java25,
        args: [`-XX:AOTCache=${join(work, 'jdk25.aot')}`, '-jar', extractedJar],
      },
      {
        name: 'JVM 25 + AOT cache + Spring AOT',
        java: java25,
        args: [
          `-XX:AOTCache=${join(work, 'jdk25-aot.aot')}`,
          '-Dspring.aot.enabled=true',
          '-jar',
          extractedJar,
        ],
      },
    );
  }
  return list;
};

function health(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function startJava(java, args, port) {
  const child = spawn(java, args, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderrTail = '';
  child.stderr.on('data', (chunk) => {
    child.stderrTail = (child.stderrTail + chunk).slice(-2000);
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** One start: ms from spawn to the first 200 on /health, and the RSS at that moment. */
async function measureStart(variant) {
  const port = await freePort();
  const started = performance.now();
  const child = startJava(variant.java, variant.args, port);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${variant.name} exited ${child.exitCode}: ${child.stderrTail}`);
    if ((await health(port)) === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = performance.now() - started;
  const rss = rssMb(child.pid);
  await stop(child);
  return { ms, rss };
}

async function startupTable() {
  const list = variants();
  const results = new Map(list.map((v) => [v.name, { ms: [], rss: [] }]));
  for (let run = 0; run < runs; run++) {
    for (const variant of list) {
      const { ms, rss } = await measureStart(variant);
      results.get(variant.name).ms.push(ms);
      results.get(variant.name).rss.push(rss);
    }
  }
  const baseline = median(results.get(list[0].name).ms);
  console.log(
    `\nstart → first 200 on /health (word-stats, ${runs} runs each, interleaved, median; load ${loadText()})`,
  );
  console.log('| start-up option | median ms | min–max ms | vs plain JVM 17 | RSS MB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, r] of results) {
    const ms = median(r.ms);
    console.log(
      `| ${name} | ${ms.toFixed(0)} | ${Math.min(...r.ms).toFixed(0)}–${Math.max(...r.ms).toFixed(0)} | ${(baseline / ms).toFixed(2)}× | ${median(r.rss).toFixed(0)} |`,
    );
  }
}

async function startWarm(jar) {
  const port = await freePort();
  const child = startJava(java17, ['-jar', jar], port);
  while ((await health(port)) !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
  return { child, url: `http://127.0.0.1:${port}/invoke` };
}

/**
 * Both servers run side by side; wrk (1 thread, 16 connections) measures them in paired rounds,
 * alternating which goes first, after a JIT warm-up of each. The headline is the median of the
 * pairs' throughput ratios; CPU time per request comes from /proc and does not depend on other load.
 */
async function warmTable() {
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const echo = {
    name: 'bare Spring Boot @RestController echo',
    ...(await startWarm(echoJar)),
    rps: [],
    cpu: [],
  };
  const words = {
    name: 'word-stats on the nanofaas runtime',
    ...(await startWarm(fatJar)),
    rps: [],
    cpu: [],
  };
  for (const server of [echo, words]) runWrk(server.url, { connections: 16, seconds: 10 });
  const ratios = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [echo, words] : [words, echo];
    for (const server of order) {
      const before = cpuMicros(server.child.pid);
      const result = runWrk(server.url, { connections: 16, seconds });
      server.rps.push(result.rps);
      server.cpu.push((cpuMicros(server.child.pid) - before) / result.requests);
      if (result.non2xx > 0) throw new Error(`${server.name}: ${result.non2xx} non-2xx answers`);
    }
    ratios.push(words.rps.at(-1) / echo.rps.at(-1));
  }
  await stop(echo.child);
  await stop(words.child);
  console.log(
    `\nwarm POST /invoke, wrk 1 thread, 16 connections, ${rounds} paired rounds of ${seconds} s (load ${loadText()})`,
  );
  console.log('| server | req/s (median) | CPU µs / request (median) |');
  console.log('|---|---:|---:|');
  for (const r of [echo, words])
    console.log(`| ${r.name} | ${median(r.rps).toFixed(0)} | ${median(r.cpu).toFixed(0)} |`);
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `\nword-stats / bare echo: ${(median(ratios) * 100).toFixed(1)} % (median pair ratio; pairs ${(sorted[0] * 100).toFixed(0)}–${(sorted.at(-1) * 100).toFixed(0)} %); CPU per request ${((median(echo.cpu) / median(words.cpu)) * 100).toFixed(1)} % of the echo's efficiency`,
  );
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
if (!values['skip-startup']) {
  prepare();
  await startupTable();
} else {
  mkdirSync(work, { recursive: true });
  copyFileSync(builtJar, fatJar);
}
if (!values['skip-warm']) await warmTable();

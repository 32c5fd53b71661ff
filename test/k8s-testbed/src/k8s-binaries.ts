import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths of the control-plane binaries built by scripts/build-k8s.sh. */
export interface K8sBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
}

export interface EnsureK8sBinariesOptions {
  /** Receives the build script's progress lines (it can take many minutes on a fresh machine). */
  onProgress?: (line: string) => void;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const buildScriptPath = join(packageRoot, 'scripts', 'build-k8s.sh');

/**
 * Builds the binaries on first use and returns their paths; when they are cached the script
 * answers at once. The script prints the bin directory as its last stdout line.
 */
export async function ensureK8sBinaries(options: EnsureK8sBinariesOptions = {}): Promise<K8sBinaries> {
  const onProgress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const child = spawn('bash', [buildScriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderrTail = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('[k8s-build')) onProgress(line);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`${buildScriptPath} failed (exit ${code}); last output:\n${stderrTail}`);
  }
  const dir = stdout.trim().split('\n').pop() ?? '';
  const binaries: K8sBinaries = {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
  };
  for (const path of [binaries.etcd, binaries.kubeApiserver, binaries.kubeControllerManager]) {
    if (!existsSync(path)) throw new Error(`${buildScriptPath} reported ${dir} but ${path} is missing`);
  }
  return binaries;
}

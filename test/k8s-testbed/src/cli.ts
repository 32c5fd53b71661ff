#!/usr/bin/env node
// `nanofaas-k8s-testbed`: starts the test bed in the foreground for debugging with kubectl and
// stops it (leaving no process behind) on Ctrl-C or SIGTERM. Usage: see README.md.
import { startTestbed } from './testbed.js';

const network = process.env.NANOFAAS_K8S_NETWORK;
if (network !== undefined && network !== 'auto' && network !== 'bridge' && network !== 'loopback') {
  console.error('NANOFAAS_K8S_NETWORK must be auto, bridge or loopback');
  process.exit(2);
}

const started = Date.now();
const testbed = await startTestbed({ network: network ?? 'auto' });
console.log(`test bed ready in ${((Date.now() - started) / 1000).toFixed(1)}s
  export KUBECONFIG=${testbed.kubeconfigPath}
  alias kubectl=${testbed.binaries.kubectl}
  pods: ${testbed.network.podCIDR} (${testbed.network.kind}), services: ${testbed.network.serviceCIDR}, host from pods: ${testbed.network.hostIP}
  logs: ${testbed.logsDir}; pod output: ${testbed.dir}/pods/<namespace>_<pod>/<container>.log
Ctrl-C stops everything.`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  testbed.stop({ keepDir: process.env.NANOFAAS_K8S_KEEP === '1' }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

#!/usr/bin/env node
// The node agent: a kubelet stand-in that runs Pods as local processes. Started by the test bed
// (src/testbed.ts); configuration comes from the environment (agent-config.ts).
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadAgentConfig } from './agent-config.js';
import { ClusterApiService } from './cluster-api-service.js';
import { KubeletServer } from './kubelet-server.js';
import { NodeAgent } from './node-agent.js';
import { PodAddresses } from './pod-addresses.js';
import { createPodApi } from './pod-api.js';

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

const config = loadAgentConfig(process.env);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(config.kubeconfigPath);
const core = kubeConfig.makeApiClient(CoreV1Api);
const agent = new NodeAgent({
  config,
  kubeConfig,
  core,
  coordination: kubeConfig.makeApiClient(CoordinationV1Api),
  podApi: createPodApi(core, config.nodeName, log),
  addresses: new PodAddresses(config.network),
  clusterApi: new ClusterApiService({
    core,
    network: config.network,
    apiServer: new URL(kubeConfig.getCurrentCluster()!.server),
    log,
  }),
  kubeletServer: new KubeletServer({
    host: config.network.hostIP,
    certPath: config.kubeletCertPath,
    keyPath: config.kubeletKeyPath,
    stateDir: config.stateDir,
    log,
  }),
  log,
});

let shuttingDown = false;
const shutdown = (signal: string): void => {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${signal}: stopping pods`);
  agent.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

agent.start().catch((error: unknown) => {
  log(`node agent failed to start: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});

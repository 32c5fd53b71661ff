export { ensureHelm } from './helm-binary.js';
export { ensureK8sBinaries, type K8sBinaries } from './k8s-binaries.js';
export type { PodNetworkSpec } from './pod-network.js';
export { type StopOptions, startTestbed, type Testbed, type TestbedOptions } from './testbed.js';

import { readFileSync, writeFileSync } from 'node:fs';

export interface KubeconfigOptions {
  path: string;
  server: string;
  caPath: string;
  token: string;
}

/** Writes a kubeconfig (JSON is valid YAML) with one cluster, one token user and one context. */
export function writeKubeconfig(options: KubeconfigOptions): void {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'nanofaas-testbed',
        cluster: {
          server: options.server,
          'certificate-authority-data': readFileSync(options.caPath).toString('base64'),
        },
      },
    ],
    users: [{ name: 'admin', user: { token: options.token } }],
    contexts: [{ name: 'nanofaas-testbed', context: { cluster: 'nanofaas-testbed', user: 'admin' } }],
    'current-context': 'nanofaas-testbed',
  };
  writeFileSync(options.path, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}

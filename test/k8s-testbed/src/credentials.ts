import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Credentials {
  /** Bearer token of the admin user (group system:masters), from kube-apiserver's static token file. */
  adminToken: string;
  tokenFile: string;
  /** RSA key pair that signs and verifies service-account tokens. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** Generates the test bed's secrets with Node's crypto; files are 0600 in the test bed's own dir. */
export function writeCredentials(dir: string): Credentials {
  const adminToken = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${adminToken},admin,admin,"system:masters"\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  writeFileSync(serviceAccountKey, privateKey, { mode: 0o600 });
  writeFileSync(serviceAccountPub, publicKey);
  return { adminToken, tokenFile, serviceAccountKey, serviceAccountPub };
}

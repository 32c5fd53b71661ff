import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Resolves a host name to every address it has: `dns.lookup` with `all: true`. */
export type LookupAll = (
  hostname: string,
  callback: (
    error: NodeJS.ErrnoException | null,
    addresses: Array<{ address: string; family: number }>,
  ) => void,
) => void;

export interface OutboundUrlPolicyOptions {
  /** Host names (or IP literals) exempt from the address rules: internal receivers the operator trusts. */
  readonly allowedHosts: readonly string[];
  /** Name resolution, for the first check and at every connect; the system resolver by default. */
  readonly lookup?: LookupAll;
}

/** Why a URL is refused: the rule name goes into the 400's field issue, the text into its message. */
export class OutboundUrlRefusal extends Error {
  constructor(
    readonly rule: 'format' | 'scheme' | 'userinfo' | 'address' | 'resolve',
    message: string,
  ) {
    super(message);
    this.name = 'OutboundUrlRefusal';
  }
}

const MAX_URL_LENGTH = 2048;

/**
 * Which URLs the control plane may call on a caller's behalf (X-Callback-Url): http(s) only, no
 * userinfo, and never an address of this machine or its private networks — loopback, link-local
 * (cloud metadata at 169.254.169.254), RFC 1918 and CGNAT, ULA, multicast, unspecified, reserved —
 * unless the host is allowed by name (NANOFAAS_WEBHOOK_ALLOWED_HOSTS). Numeric host forms
 * (`0x7f.1`, `2130706433`) are normalised by the URL parser before the check, and the check runs
 * again at connect time (`connectLookup`), so a name that re-resolves to a forbidden address after
 * the first check (DNS rebinding) is refused too. docs/security.md, "Webhooks".
 */
export class OutboundUrlPolicy {
  private readonly allowed: ReadonlySet<string>;
  private readonly lookup: LookupAll;

  constructor(options: OutboundUrlPolicyOptions) {
    this.allowed = new Set(options.allowedHosts.map((host) => normaliseHost(host)));
    this.lookup = options.lookup ?? systemLookupAll;
  }

  /** Checks a URL as a caller gave it; resolves the host. Throws OutboundUrlRefusal. */
  async check(value: string): Promise<URL> {
    const url = parseOutboundUrl(value);
    const host = normaliseHost(url.hostname);
    if (this.allowed.has(host)) return url;
    if (isIP(host) !== 0) {
      refuseAddress(host, host);
      return url;
    }
    let addresses: readonly string[];
    try {
      addresses = await new Promise((resolve, reject) =>
        this.lookup(host, (error, found) => (error ? reject(error) : resolve(found.map((a) => a.address)))),
      );
    } catch (error) {
      throw new OutboundUrlRefusal('resolve', `host "${host}" cannot be resolved (${errorCode(error)})`);
    }
    if (addresses.length === 0) throw new OutboundUrlRefusal('resolve', `host "${host}" has no address`);
    for (const address of addresses) refuseAddress(host, address);
    return url;
  }

  /**
   * A `lookup` for net.connect / undici's `connect` option: resolves as usual, then refuses a
   * forbidden address, so the connection is never opened to it whatever DNS answered earlier.
   */
  readonly connectLookup: LookupFunction = (hostname, options, callback) => {
    this.lookup(hostname, (error, list) => {
      if (error) return callback(error, '', 4);
      const host = normaliseHost(hostname);
      try {
        if (!this.allowed.has(host)) for (const { address } of list) refuseAddress(host, address);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 4);
      }
      if (options.all) return (callback as (e: null, a: typeof list) => void)(null, list);
      const first = list[0];
      if (first === undefined) return callback(new Error(`host "${host}" has no address`), '', 4);
      return callback(null, first.address, first.family);
    });
  };
}

/** Syntax rules of an outbound URL, without resolving it. */
export function parseOutboundUrl(value: string): URL {
  if (value.length > MAX_URL_LENGTH) {
    throw new OutboundUrlRefusal('format', `must be at most ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OutboundUrlRefusal('format', 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundUrlRefusal('scheme', `must use http or https (got "${url.protocol.slice(0, -1)}")`);
  }
  if (url.username !== '' || url.password !== '' || authorityOf(value).includes('@')) {
    throw new OutboundUrlRefusal('userinfo', 'must not carry a user name or password (user@host)');
  }
  if (url.hostname === '') throw new OutboundUrlRefusal('format', 'must name a host');
  return url;
}

function authorityOf(value: string): string {
  const start = value.indexOf('//');
  if (start < 0) return '';
  const rest = value.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Lower case, without the brackets of an IPv6 literal or a trailing dot. */
function normaliseHost(host: string): string {
  const lower = host.trim().toLowerCase();
  const unbracketed = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  return unbracketed.endsWith('.') ? unbracketed.slice(0, -1) : unbracketed;
}

const FORBIDDEN: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'ipv4', 'a private (RFC 1918) address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (CGNAT) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private (RFC 1918) address'],
  ['192.0.0.0', 24, 'ipv4', 'an IETF protocol address'],
  ['192.168.0.0', 16, 'ipv4', 'a private (RFC 1918) address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a unique local (ULA) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fec0::', 10, 'ipv6', 'a site-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
];

const blocks = FORBIDDEN.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, kind };
});

/** What kind of forbidden address this is, or undefined for a public one. */
export function forbiddenAddressKind(address: string): string | undefined {
  const embedded = embeddedIpv4(address);
  const family = embedded !== undefined ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const checked = embedded ?? address;
  for (const block of blocks) {
    if (block.family === family && block.list.check(checked, family)) return block.kind;
  }
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(
    address,
  );
  if (!match) return undefined;
  if (match[1] !== undefined) return match[1];
  const high = Number.parseInt(match[2]!, 16);
  const low = Number.parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function refuseAddress(host: string, address: string): void {
  const kind = forbiddenAddressKind(address);
  if (kind === undefined) return;
  const what = host === address ? `${address} is ${kind}` : `host "${host}" resolves to ${address}, ${kind}`;
  throw new OutboundUrlRefusal(
    'address',
    `${what}; the control plane does not call such addresses for a caller (an operator can allow a host by name with NANOFAAS_WEBHOOK_ALLOWED_HOSTS)`,
  );
}

function systemLookupAll(hostname: string, callback: Parameters<LookupAll>[1]): void {
  dnsLookup(hostname, { all: true }, (error, addresses) => callback(error, error ? [] : addresses));
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));
}

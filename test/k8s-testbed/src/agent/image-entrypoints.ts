/**
 * What an image "runs" on a node without images: image repository → entrypoint argv. Keys are
 * repositories without tag or digest, matched exactly or as the tail after a registry/path prefix
 * (`nanofaas/watchdog` matches `ghcr.io/acme/nanofaas/watchdog:1.2`); the key `*` matches any image
 * that no other key does.
 */
export type ImageEntrypoints = Readonly<Record<string, readonly string[]>>;

export function findImageEntrypoint(
  image: string | undefined,
  entrypoints: ImageEntrypoints,
): string[] | undefined {
  if (!image) return undefined;
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');
  for (const [key, argv] of Object.entries(entrypoints)) {
    if (key !== '*' && (repository === key || repository.endsWith(`/${key}`))) return [...argv];
  }
  const fallback = entrypoints['*'];
  return fallback ? [...fallback] : undefined;
}

/** Parses `{"repository": ["/path/to/binary", "arg"...]}`; errors name the variable and the key. */
export function parseImageEntrypoints(text: string | undefined, varName: string): Record<string, string[]> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${varName} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${varName} must be a JSON object of image repository → argv`);
  }
  const result: Record<string, string[]> = {};
  for (const [key, argv] of Object.entries(value)) {
    if (
      !Array.isArray(argv) ||
      argv.length === 0 ||
      !argv.every((part) => typeof part === 'string' && part !== '')
    ) {
      throw new Error(`${varName}["${key}"] must be a non-empty array of non-empty strings`);
    }
    result[key] = argv as string[];
  }
  return result;
}

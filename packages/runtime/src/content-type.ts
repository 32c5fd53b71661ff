import { type ErrorAnswer, errorAnswer } from './wire.js';

/** How an /invoke body is read, decided by its Content-Type. */
export type BodyFormat =
  | { kind: 'json' }
  | { kind: 'raw'; contentType: string }
  | { kind: 'unsupported'; answer: ErrorAnswer };

const JSON_FORMAT: BodyFormat = Object.freeze({ kind: 'json' });

/**
 * JSON media types (application/json, anything +json) and a missing Content-Type carry an
 * InvocationRequest; any other type is handed to the function as raw bytes. JSON must be UTF-8
 * (RFC 8259 §8.1), so a JSON type with another charset is refused rather than misread.
 */
export function classifyContentType(header: string | undefined): BodyFormat {
  if (header === undefined || header === 'application/json' || header.length === 0) return JSON_FORMAT;
  const [mediaType = '', ...parameters] = header.split(';');
  const media = mediaType.trim().toLowerCase();
  if (media !== 'application/json' && !media.endsWith('+json')) return { kind: 'raw', contentType: header };
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (name.trim().toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      return {
        kind: 'unsupported',
        answer: errorAnswer(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type: JSON bodies must be UTF-8, got charset=${value.trim()}`,
        ),
      };
    }
  }
  return JSON_FORMAT;
}

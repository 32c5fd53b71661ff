import type { IncomingMessage } from 'node:http';
import { type ErrorAnswer, errorAnswer } from './wire.js';

export type BodyResult =
  | { kind: 'ok'; body: Buffer }
  | { kind: 'rejected'; answer: ErrorAnswer }
  /** The caller went away mid-body: nobody is left to answer. */
  | { kind: 'aborted' };

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over the limit is refused
 * before reading; a chunked body is refused as soon as it crosses the limit (the rest is discarded).
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.resolve({ kind: 'rejected', answer: tooLarge(maxBytes, Number(declared)) });
  }
  return new Promise((resolve) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        cleanUp();
        request.resume(); // discard the rest
        resolve({ kind: 'rejected', answer: tooLarge(maxBytes) });
        return;
      }
      if (first === undefined) {
        first = chunk;
      } else {
        chunks ??= [first];
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      cleanUp();
      const body = chunks !== undefined ? Buffer.concat(chunks, length) : (first ?? Buffer.alloc(0));
      resolve({ kind: 'ok', body });
    };
    const onAbort = () => {
      cleanUp();
      resolve({ kind: 'aborted' });
    };
    const cleanUp = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('aborted', onAbort);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('aborted', onAbort);
  });
}

function tooLarge(maxBytes: number, declared?: number): ErrorAnswer {
  const size = declared === undefined ? 'more than that' : `${declared} bytes`;
  return errorAnswer(
    'PAYLOAD_TOO_LARGE',
    `the body is over the limit of ${maxBytes} bytes (MAX_BODY_BYTES); got ${size}`,
  );
}

// The conformance handler of the Node runtime: its behaviour is chosen by the input,
// {"action": "...", ...} (test/runtime-conformance/README.md, "The conformance handler").
// Any other input is echoed back unchanged.
import { defineFunction, FunctionError } from '@nanofaas/runtime';

export default defineFunction(async (request, context) => {
  const { input } = request;
  if (Buffer.isBuffer(input)) {
    return { contentType: request.contentType, text: input.toString('utf8'), bytes: input.length };
  }
  const action =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? input.action : undefined;
  switch (action) {
    case 'fail':
      throw new FunctionError(input.code, input.message, {
        retryable: input.retryable ?? false,
        details: input.details,
      });
    case 'throw':
      throw new Error(input.message);
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, input.ms));
      return { slept: input.ms };
    case 'none':
      return undefined;
    case 'unserialisable': {
      const value = { name: 'loop' };
      value.self = value;
      return value;
    }
    case 'binary':
      return Buffer.from(input.text, 'utf8');
    case 'print':
      console.log('printed by the function');
      context.logger.info('logged by the function', { step: 1 });
      return 'printed';
    case 'describe':
      return {
        metadata: request.metadata,
        executionId: request.executionId,
        traceId: request.traceId,
        contentType: request.contentType,
        attempt: request.attempt,
        deadlineInFuture: request.deadline > Date.now(),
        remainingMs: context.remainingMs(),
        functionName: context.functionName ?? null,
      };
    default:
      return input;
  }
});

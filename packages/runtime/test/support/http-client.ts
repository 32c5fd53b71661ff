// The runtime's own tests talk to it with the same HTTP helpers as the cross-language runtime
// conformance suite (test/runtime-conformance), which grew out of these tests.
export {
  type HttpAnswer,
  type HttpRequestOptions,
  httpRequest,
  invoke,
  invokeRaw,
} from '../../../../test/runtime-conformance/src/http-client.js';

// The one-shot callback receiver shared with the runtime conformance suite (test/runtime-conformance).
export {
  type CallbackPlan,
  type CallbackServer,
  type ReceivedCallback,
  startCallbackServer,
} from '../../../../test/runtime-conformance/src/callback-server.js';

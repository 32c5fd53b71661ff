import { type Static, Type } from '@sinclair/typebox';
import { FunctionLimits } from './limits.js';

/** Body of PUT /v1/functions/{name}/replicas: pins the replica count. */
export const ReplicasRequestSchema = Type.Object(
  {
    replicas: Type.Union([Type.Integer({ minimum: 0, maximum: FunctionLimits.maxReplicas }), Type.Null()], {
      description: 'A fixed replica count; null returns the function to autoscaling.',
    }),
  },
  { $id: 'ReplicasRequest', additionalProperties: false },
);
export type ReplicasRequest = Static<typeof ReplicasRequestSchema>;

import { type Static, Type } from '@sinclair/typebox';

export const API_KEY_ROLES = ['admin', 'invoke'] as const;
/** admin manages functions; invoke invokes, reads executions and sees functions (docs/security.md). */
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** GET /v1/whoami: the caller's role, so a client can show only what that role may do. */
export const WhoAmISchema = Type.Object(
  {
    role: Type.Union([Type.Literal('admin'), Type.Literal('invoke')]),
    auth: Type.Union([Type.Literal('on'), Type.Literal('off')], {
      description: '"off" when NANOFAAS_AUTH=off: no key is needed and every caller acts as admin.',
    }),
  },
  { $id: 'WhoAmI', additionalProperties: false },
);
export type WhoAmI = Static<typeof WhoAmISchema>;

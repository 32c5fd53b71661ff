// The benchmark's function: returns its input.
import { defineFunction } from '@nanofaas/runtime';

export default defineFunction(({ input }) => input);

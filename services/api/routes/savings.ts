// /v1/savings: the power saved, period by period (hosts off, host-hours, energy), with totals.
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../../core/validation.js';
import { defineRoute, ok, type ApiRoute } from '../route.js';
import { Name, SavingsViewSchema } from '../schemas.js';

const ISO_TIME = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

/** Sums without binary-fraction noise (0.1 + 0.2), to the precision the periods carry. */
const total = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) * 1000) / 1000;

export function savingsRoutes(): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET', path: '/v1/savings', operationId: 'listSavings', tag: 'savings', rule: 'ulm:savings:get_all',
      summary: 'Power saved, by period, with totals',
      query: Type.Object({
        window: Type.Optional(Name('only the savings of this power-saving window (id)')),
        since: Type.Optional(Type.String({ pattern: ISO_TIME, maxLength: 40, expected: 'a date or a time with a zone (ISO 8601), e.g. 2026-11-01 or 2026-11-01T00:00:00Z', description: 'only periods that started from this instant on' })),
      }, { additionalProperties: false }),
      responses: {
        200: {
          description: 'the savings and their totals',
          schema: Type.Object({
            savings: Type.Array(SavingsViewSchema),
            totals: Type.Object({ host_hours_off: Type.Number(), energy_kwh: Type.Number() }),
          }),
        },
      },
      handler: async ({ engine, query }) => {
        if (query.since !== undefined && !Number.isFinite(Date.parse(query.since))) {
          throw new ValidationError('invalid request', [{ path: 'since', message: `"${query.since}" is not a date that exists (query parameter)` }]);
        }
        const savings = await engine.listSavings({
          ...(query.window !== undefined ? { window: query.window } : {}),
          ...(query.since !== undefined ? { since: new Date(query.since).toISOString() } : {}),
        });
        return ok({
          savings,
          totals: { host_hours_off: total(savings.map((period) => period.host_hours_off)), energy_kwh: total(savings.map((period) => period.energy_kwh)) },
        });
      },
    }),
  ];
}

import { Type, type Static } from '@sinclair/typebox';
import { CRS_LIST } from '../../../domain/geo.js';
import { RATINGS } from '../../../domain/case-lifecycle.js';

const lit = <T extends string>(xs: readonly T[], description?: string) => Type.Union(xs.map((x) => Type.Literal(x)), { description });

export const AnonymousReportBody = Type.Object(
  {
    channel: Type.Optional(lit(['h5', 'resident_app'] as const, 'The page or app the report came from (default h5)')),
    categoryCode: Type.String({ minLength: 1, maxLength: 100, description: 'Case category code, e.g. city_env.garbage' }),
    description: Type.String({ minLength: 1, maxLength: 4000, description: 'What the problem is' }),
    location: Type.Optional(
      Type.Object(
        {
          lng: Type.Number({ description: 'Longitude' }),
          lat: Type.Number({ description: 'Latitude' }),
          crs: Type.Optional(lit(CRS_LIST, 'wgs84 (GPS), gcj02 (phones, Chinese map SDKs), bd09 (Baidu)')),
        },
        { additionalProperties: false },
      ),
    ),
    address: Type.Optional(Type.String({ maxLength: 300, description: 'Address, when there is no location' })),
    reporter: Type.Object(
      {
        name: Type.Optional(Type.String({ maxLength: 60, description: 'How to address the reporter (optional)' })),
        phone: Type.String({ pattern: '^1[3-9]\\d{9}$', description: 'Mobile number: the case is followed and rated with it (stored encrypted)' }),
      },
      { additionalProperties: false },
    ),
    photos: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }), { maxItems: 9, description: 'Ids from /api/public/photos' })),
  },
  { additionalProperties: false },
);
export type AnonymousReportBody = Static<typeof AnonymousReportBody>;

export const NumberParams = Type.Object({ number: Type.String({ pattern: '^\\d{4,30}$', description: 'The case number' }) }, { additionalProperties: false });
export const TokenQuery = Type.Object(
  { token: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'The follow-up token given when the case was reported' }) },
  { additionalProperties: false },
);
export const PublicRateBody = Type.Object(
  {
    token: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'The follow-up token' }),
    rating: lit(RATINGS, 'satisfied | basically_satisfied | unsatisfied'),
    comment: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

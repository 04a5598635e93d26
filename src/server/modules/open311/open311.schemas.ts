import { Type, type Static } from '@sinclair/typebox';
import { DATATYPES } from './open311.attributes.js';

/** One extra question of a category (an Open311 service definition attribute). */
export const AttributeDefSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'Answer key: partners send attribute[CODE]' }),
    datatype: Type.Union(DATATYPES.map((d) => Type.Literal(d)), { description: 'string, number, datetime, text, singlevaluelist, multivaluelist' }),
    required: Type.Boolean({ description: 'A request without an answer is refused (400)' }),
    variable: Type.Boolean({ description: 'false: information shown to the reporter, no answer asked' }),
    description: Type.String({ minLength: 1, maxLength: 400, description: 'The question as people read it' }),
    datatype_description: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'How to answer, e.g. "in centimetres"' })),
    order: Type.Integer({ minimum: 0, maximum: 1000, description: 'Position among the questions' }),
    values: Type.Optional(
      Type.Array(
        Type.Object(
          {
            key: Type.String({ minLength: 1, maxLength: 60, description: 'The value sent' }),
            name: Type.String({ minLength: 1, maxLength: 100, description: 'The value as people read it' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100, description: 'Choices of a list datatype' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AttributesBody = Type.Object(
  { attributes: Type.Array(AttributeDefSchema, { maxItems: 50, description: 'The whole list, replacing the current one' }) },
  { additionalProperties: false },
);
export type AttributesBody = Static<typeof AttributesBody>;

export const CategoryCodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)*$', maxLength: 200, description: 'Category code (= Open311 service_code)' }) });

export const AttributesResponse = Type.Object({
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  attributes: Type.Array(AttributeDefSchema),
});

import { Type, type Static } from '@sinclair/typebox';

export const ListNoticesQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'Only notices not read yet' })),
    page: Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1' }),
    pageSize: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Notices per page' }),
  },
  { additionalProperties: false },
);
export type ListNoticesQuery = Static<typeof ListNoticesQuery>;

export const NoticeParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Notice id' }) });

export const Notice = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ description: 'What it is about: assignment, supervision, supervision_superior, escalated, check, rating, case_update …' }),
  title: Type.String(),
  body: Type.Union([Type.String(), Type.Null()]),
  caseId: Type.Union([Type.Integer(), Type.Null()], { description: 'The case it concerns, if any' }),
  caseNumber: Type.Union([Type.String(), Type.Null()], { description: 'That case\'s number (事件编号)' }),
  createdAt: Type.String({ format: 'date-time' }),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  read: Type.Boolean(),
});

export const NoticePage = Type.Object({
  items: Type.Array(Notice),
  total: Type.Integer({ description: 'Notices matching the filter' }),
  unread: Type.Integer({ description: 'Unread notices in the whole inbox' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

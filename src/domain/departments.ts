/** Kinds of functional departments (职能部门) a case can be dispatched to. */
export const DEPARTMENT_KINDS = [
  'police', // 公安
  'court', // 法院
  'procuratorate', // 检察院
  'justice', // 司法
  'urban_management', // 城管
  'market_supervision', // 市场监管
  'civil_affairs', // 民政
  'health', // 卫健
  'emergency', // 应急管理
  'housing', // 住建
  'natural_resources', // 自然资源
  'ecology_environment', // 生态环境
  'human_resources', // 人社
  'education', // 教育
  'transport', // 交通
  'water', // 水务
  'fire', // 消防
  'other',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export const DEPARTMENT_KIND_NAMES: Record<DepartmentKind, { zh: string; en: string }> = {
  police: { zh: '公安', en: 'Police' },
  court: { zh: '法院', en: 'Court' },
  procuratorate: { zh: '检察院', en: 'Procuratorate' },
  justice: { zh: '司法', en: 'Justice' },
  urban_management: { zh: '城管', en: 'Urban management' },
  market_supervision: { zh: '市场监管', en: 'Market supervision' },
  civil_affairs: { zh: '民政', en: 'Civil affairs' },
  health: { zh: '卫健', en: 'Health' },
  emergency: { zh: '应急管理', en: 'Emergency management' },
  housing: { zh: '住建', en: 'Housing' },
  natural_resources: { zh: '自然资源', en: 'Natural resources' },
  ecology_environment: { zh: '生态环境', en: 'Ecology and environment' },
  human_resources: { zh: '人社', en: 'Human resources' },
  education: { zh: '教育', en: 'Education' },
  transport: { zh: '交通', en: 'Transport' },
  water: { zh: '水务', en: 'Water' },
  fire: { zh: '消防', en: 'Fire' },
  other: { zh: '其他', en: 'Other' },
};

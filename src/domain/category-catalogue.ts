/**
 * Case categories (事件分类): the rules a category must obey and the default
 * catalogue a new installation starts with. Pure data and checks, no I/O;
 * migration 0011 is rendered from `DEFAULT_CATALOGUE` by `catalogueSql()` (a
 * unit test keeps the two identical), so the catalogue is edited here.
 *
 * The catalogue follows GB/T 30428 (digital city management): the event types
 * 市容环境, 宣传广告, 施工管理, 街面秩序, 突发事件 and the component types 公用设施,
 * 道路交通, 园林绿化, 房屋土地, 其他; then the social-governance kinds the source
 * cities report: 矛盾纠纷, 治安隐患, 安全/消防隐患, 民生诉求, 特殊人群关爱, 意见建议, 微心愿.
 */
import type { DeadlineSpec } from './calendar.js';
import type { DepartmentKind } from './departments.js';
import type { Deadlines, HandlingLevel } from './routing.js';

/** What sort of matter a category holds; drives defaults and reports. */
export const CATEGORY_KINDS = ['event', 'component', 'dispute', 'hazard', 'request', 'care', 'suggestion', 'wish'] as const;
export type CategoryKind = (typeof CATEGORY_KINDS)[number];

/** One label of a category code: short lower-case ascii (also a valid ltree label). */
export const CATEGORY_LABEL_PATTERN = '^[a-z][a-z0-9_]{0,30}$';
/** A whole code: labels joined by dots, at most 5 levels. */
export const CATEGORY_CODE_PATTERN = '^[a-z][a-z0-9_]{0,30}(\\.[a-z][a-z0-9_]{0,30}){0,4}$';
export const MAX_CATEGORY_DEPTH = 5;

/** Upper bounds of one deadline: a month of natural hours, a quarter of working days. */
export const MAX_DEADLINE_HOURS = 720;
export const MAX_DEADLINE_WORKDAYS = 60;

export interface FieldProblem {
  field: string;
  reason: string;
}

/** Natural hours a spec lasts at least (a working day is at least a calendar day), for comparing specs in different units. */
function minimumHours(s: DeadlineSpec): number {
  return s.unit === 'hours' ? s.amount : s.amount * 24;
}

/**
 * Problems with a set of deadlines (受理/签收/处置时限), each naming its field
 * under `prefix` (e.g. `deadlines.accept.amount`). Amounts are positive, at most
 * 720 hours or 60 working days (whole days); accepting and signing for a case
 * cannot take longer than handling it.
 */
export function deadlineProblems(d: Deadlines, prefix: string): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const step of ['accept', 'sign', 'handle'] as const) {
    const s = d[step];
    const field = `${prefix}.${step}`;
    if (s.unit !== 'hours' && s.unit !== 'workdays') out.push({ field: `${field}.unit`, reason: 'must be hours or workdays' });
    else if (!(Number.isFinite(s.amount) && s.amount > 0)) out.push({ field: `${field}.amount`, reason: 'must be greater than 0' });
    else if (s.unit === 'hours' && s.amount > MAX_DEADLINE_HOURS) out.push({ field: `${field}.amount`, reason: `at most ${MAX_DEADLINE_HOURS} hours` });
    else if (s.unit === 'workdays' && s.amount > MAX_DEADLINE_WORKDAYS) out.push({ field: `${field}.amount`, reason: `at most ${MAX_DEADLINE_WORKDAYS} working days` });
    else if (s.unit === 'workdays' && !Number.isInteger(s.amount)) out.push({ field: `${field}.amount`, reason: 'working days must be whole days' });
  }
  if (out.length) return out;
  if (minimumHours(d.accept) > minimumHours(d.handle)) out.push({ field: `${prefix}.accept`, reason: 'must not be longer than the handling deadline' });
  if (minimumHours(d.sign) > minimumHours(d.handle)) out.push({ field: `${prefix}.sign`, reason: 'must not be longer than the handling deadline' });
  return out;
}

/** One category of the default catalogue, with every default spelled out. */
export interface CatalogueCategory {
  code: string;
  parentCode: string | null;
  nameZh: string;
  nameEn: string;
  description: string | null;
  kind: CategoryKind;
  defaultLevel: HandlingLevel;
  defaultDeadlines: Deadlines;
  defaultDepartmentKind: DepartmentKind | null;
  photoRequiredOnResolve: boolean;
  duplicateRadiusM: number;
  duplicateWindowHours: number;
  keywords: string[];
  sort: number;
}

const h = (amount: number): DeadlineSpec => ({ amount, unit: 'hours' });
const wd = (amount: number): DeadlineSpec => ({ amount, unit: 'workdays' });

/** Rongcheng's rule: handled within 72 natural hours of dispatch. */
const STANDARD: Deadlines = { accept: h(2), sign: h(4), handle: h(72) };
/** Emergencies and hazards: accepted within half an hour, handled within a day. */
const URGENT: Deadlines = { accept: h(0.5), sign: h(1), handle: h(24) };
/** Life at risk (fire, gas, people trapped): minutes, not hours. */
const CRITICAL: Deadlines = { accept: h(0.25), sign: h(0.5), handle: h(12) };
/** Matters that take investigation or mediation sessions. */
const workdays = (n: number): Deadlines => ({ accept: h(2), sign: h(4), handle: wd(n) });
const SUGGESTION: Deadlines = { accept: wd(1), sign: wd(2), handle: wd(15) };
const WISH: Deadlines = { accept: wd(1), sign: wd(3), handle: wd(30) };

/** Defaults a subtree shares; children override what differs. */
type Defaults = Partial<Omit<CatalogueCategory, 'code' | 'parentCode' | 'nameZh' | 'nameEn' | 'sort'>>;
interface Spec extends Defaults {
  label: string;
  zh: string;
  en: string;
  children?: Spec[];
}

const node = (label: string, zh: string, en: string, rest: Omit<Spec, 'label' | 'zh' | 'en'> = {}): Spec => ({ label, zh, en, ...rest });

const SPECS: Spec[] = [
  node('city_env', '市容环境', 'City appearance and environment', {
    kind: 'event', defaultLevel: 'street', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 72, keywords: ['市容', '环境卫生'],
    children: [
      node('exposed_garbage', '暴露垃圾', 'Exposed garbage', { keywords: ['垃圾', '乱扔', '乱倒', '堆放'] }),
      node('debris_pile', '积存垃圾渣土', 'Piled refuse and muck', { keywords: ['渣土', '建筑垃圾', '积存'] }),
      node('road_unclean', '道路不洁', 'Dirty road surface', { keywords: ['路面脏', '油污', '清扫'] }),
      node('illegal_structure', '私搭乱建', 'Unauthorised shed or structure', { keywords: ['搭建', '棚子', '违建'], duplicateWindowHours: 168 }),
      node('garbage_burning', '焚烧垃圾树叶', 'Burning of rubbish or leaves', { defaultDeadlines: URGENT, duplicateRadiusM: 100, duplicateWindowHours: 24, keywords: ['焚烧', '烧垃圾', '冒烟'] }),
      node('cooking_fumes', '餐饮油烟', 'Restaurant cooking fumes', { defaultLevel: 'district', defaultDepartmentKind: 'ecology_environment', defaultDeadlines: workdays(5), duplicateWindowHours: 168, keywords: ['油烟', '排烟', '餐馆'] }),
      node('noise', '噪声扰民', 'Noise nuisance', { defaultDepartmentKind: 'police', photoRequiredOnResolve: false, duplicateRadiusM: 100, duplicateWindowHours: 24, description: 'Noise from daily life and shops; construction noise is under construction.night_works.', keywords: ['噪音', '吵', '广场舞', '扰民'] }),
    ],
  }),
  node('advertising', '宣传广告', 'Advertising', {
    kind: 'event', defaultLevel: 'street', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['广告'],
    children: [
      node('small_ads', '非法小广告', 'Illegal small ads', { defaultLevel: 'grid', defaultDepartmentKind: null, description: 'Posted, painted or sprayed ads (牛皮癣); grid workers usually remove them on the spot.', keywords: ['小广告', '牛皮癣', '张贴', '喷涂'] }),
      node('outdoor_ad', '违规户外广告', 'Unauthorised outdoor advertising', { defaultLevel: 'district', keywords: ['广告牌', '招牌', '横幅', '灯箱'] }),
      node('leaflets', '占道散发广告', 'Handing out leaflets on the street', { duplicateRadiusM: 50, duplicateWindowHours: 24, keywords: ['传单', '派发'] }),
    ],
  }),
  node('construction', '施工管理', 'Construction management', {
    kind: 'event', defaultLevel: 'district', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 100, duplicateWindowHours: 72, keywords: ['施工', '工地'],
    children: [
      node('unlicensed_works', '无证占道施工', 'Road works without a permit', { keywords: ['挖路', '占道施工', '掘路'] }),
      node('muck_spill', '渣土运输遗撒', 'Spills from muck trucks', { defaultDeadlines: URGENT, duplicateRadiusM: 100, duplicateWindowHours: 24, keywords: ['渣土车', '遗撒', '泥头车'] }),
      node('site_dust', '施工扬尘', 'Construction dust', { defaultDepartmentKind: 'housing', keywords: ['扬尘', '灰尘', '围挡'] }),
      node('night_works', '夜间施工扰民', 'Night-time construction noise', { defaultDepartmentKind: 'ecology_environment', defaultDeadlines: URGENT, photoRequiredOnResolve: false, duplicateWindowHours: 24, keywords: ['夜间施工', '噪音', '半夜'] }),
    ],
  }),
  node('street_order', '街面秩序', 'Street order', {
    kind: 'event', defaultLevel: 'street', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 24, keywords: ['秩序'],
    children: [
      node('occupied_business', '占道经营', 'Business on the road or pavement', { keywords: ['占道', '摆摊', '夜市'] }),
      node('outside_shop', '店外经营', 'Trading outside the shop front', { defaultLevel: 'community', keywords: ['出店', '店外', '门前'] }),
      node('mobile_vendor', '无照流动摊贩', 'Unlicensed mobile vendors', { keywords: ['流动摊贩', '游商', '小贩'] }),
      node('illegal_parking', '机动车乱停放', 'Illegal parking', { defaultLevel: 'district', defaultDepartmentKind: 'police', keywords: ['乱停车', '违停', '占用消防通道'] }),
      node('bike_parking', '非机动车乱停放', 'Bicycles and e-bikes parked in the way', { defaultLevel: 'community', keywords: ['共享单车', '电动车', '乱停'] }),
    ],
  }),
  node('emergency', '突发事件', 'Emergencies', {
    kind: 'event', defaultLevel: 'district', defaultDeadlines: URGENT, defaultDepartmentKind: 'emergency',
    photoRequiredOnResolve: true, duplicateRadiusM: 100, duplicateWindowHours: 24, keywords: ['突发', '紧急'],
    children: [
      node('road_collapse', '路面塌陷', 'Road surface collapse', { defaultDepartmentKind: 'housing', keywords: ['塌陷', '坑洞', '下沉'] }),
      node('water_main_burst', '供水管道破裂', 'Burst water main', { defaultDepartmentKind: 'water', keywords: ['爆管', '漏水', '水管破裂'] }),
      node('gas_leak', '燃气泄漏', 'Gas leak', { defaultDepartmentKind: 'housing', defaultDeadlines: CRITICAL, keywords: ['煤气', '燃气', '泄漏', '气味'] }),
      node('sewer_overflow', '下水道堵塞冒溢', 'Blocked or overflowing sewer', { defaultDepartmentKind: 'water', keywords: ['下水道', '污水', '冒水', '堵塞'] }),
      node('waterlogging', '道路积水', 'Flooded road', { defaultDepartmentKind: 'water', keywords: ['积水', '水浸', '内涝'] }),
      node('fire', '火情', 'Fire', { defaultDepartmentKind: 'fire', defaultDeadlines: CRITICAL, keywords: ['着火', '火灾', '冒烟'] }),
    ],
  }),
  node('facility', '公用设施', 'Public facilities', {
    kind: 'component', defaultLevel: 'district', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['设施', '损坏'],
    children: [
      node('manhole_cover', '井盖破损缺失', 'Damaged or missing manhole cover', { defaultDepartmentKind: 'housing', defaultDeadlines: URGENT, keywords: ['井盖', '窨井', '缺失'] }),
      node('street_light', '路灯故障', 'Street light fault', { keywords: ['路灯', '不亮', '灯杆'] }),
      node('hydrant', '消防栓损坏', 'Damaged fire hydrant', { defaultDepartmentKind: 'fire', keywords: ['消防栓', '消火栓'] }),
      node('trash_bin', '垃圾箱损坏', 'Damaged litter bin', { defaultLevel: 'street', keywords: ['垃圾桶', '果皮箱', '垃圾箱'] }),
      node('public_toilet', '公厕设施损坏', 'Public toilet out of order', { defaultLevel: 'street', keywords: ['公厕', '厕所'] }),
      node('fitness_equipment', '健身器材损坏', 'Damaged fitness equipment', { defaultLevel: 'community', defaultDepartmentKind: null, keywords: ['健身器材', '健身路径'] }),
      node('surveillance_camera', '监控设施损坏', 'Damaged surveillance camera', { defaultDepartmentKind: 'police', keywords: ['监控', '摄像头', '天网'] }),
    ],
  }),
  node('road_traffic', '道路交通', 'Roads and traffic', {
    kind: 'component', defaultLevel: 'district', defaultDeadlines: STANDARD, defaultDepartmentKind: 'transport',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 168, keywords: ['道路', '交通'],
    children: [
      node('road_damage', '道路破损', 'Damaged road or pavement', { defaultDepartmentKind: 'housing', keywords: ['路面破损', '坑洼', '人行道'] }),
      node('traffic_light', '交通信号灯故障', 'Traffic light fault', { defaultDepartmentKind: 'police', defaultDeadlines: URGENT, duplicateWindowHours: 24, keywords: ['红绿灯', '信号灯'] }),
      node('traffic_sign', '交通标志损坏', 'Damaged traffic sign or marking', { defaultDepartmentKind: 'police', keywords: ['标志牌', '标线', '指示牌'] }),
      node('guardrail', '护栏损坏', 'Damaged guardrail', { keywords: ['护栏', '隔离栏'] }),
      node('tactile_paving', '盲道损坏占用', 'Tactile paving damaged or blocked', { defaultDepartmentKind: 'urban_management', keywords: ['盲道'] }),
    ],
  }),
  node('greenery', '园林绿化', 'Greenery', {
    kind: 'component', defaultLevel: 'street', defaultDeadlines: STANDARD, defaultDepartmentKind: 'urban_management',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 168, keywords: ['绿化', '园林'],
    children: [
      node('fallen_tree', '树木倒伏断枝', 'Fallen tree or broken branch', { defaultDeadlines: URGENT, duplicateWindowHours: 24, keywords: ['倒树', '断枝', '树倒'] }),
      node('green_damage', '绿地毁损', 'Damaged lawn or planting', { keywords: ['毁绿', '踩踏', '菜地'] }),
      node('tree_pruning', '树木需修剪', 'Tree needs pruning', { keywords: ['修剪', '遮挡', '树枝'] }),
      node('park_facility', '公园设施损坏', 'Damaged park facility', { defaultLevel: 'district', keywords: ['公园', '座椅', '凉亭'] }),
    ],
  }),
  node('housing_land', '房屋土地', 'Housing and land', {
    kind: 'component', defaultLevel: 'district', defaultDeadlines: STANDARD, defaultDepartmentKind: 'housing',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 168, keywords: ['房屋', '土地'],
    children: [
      node('illegal_building', '违法建设', 'Illegal construction', { defaultLevel: 'street', defaultDepartmentKind: 'urban_management', defaultDeadlines: workdays(5), keywords: ['违建', '加建', '楼顶加盖'] }),
      node('dilapidated_house', '危房', 'Dilapidated building', { defaultDeadlines: URGENT, keywords: ['危房', '裂缝', '倾斜'] }),
      node('land_occupation', '违法占地', 'Illegal land occupation', { defaultDepartmentKind: 'natural_resources', defaultDeadlines: workdays(10), keywords: ['占地', '耕地', '乱占'] }),
      node('falling_object', '外墙附属物脱落风险', 'Facade or fixtures at risk of falling', { defaultLevel: 'street', defaultDeadlines: URGENT, duplicateWindowHours: 72, keywords: ['外墙', '空调架', '脱落', '高空坠物'] }),
    ],
  }),
  node('other', '其他', 'Other', {
    kind: 'event', defaultLevel: 'community', defaultDeadlines: STANDARD, defaultDepartmentKind: null,
    photoRequiredOnResolve: false, duplicateRadiusM: 50, duplicateWindowHours: 72, keywords: ['其他'],
    description: 'Anything that fits no other category; the dispatcher reclassifies it.',
  }),
  node('dispute', '矛盾纠纷', 'Disputes', {
    kind: 'dispute', defaultLevel: 'community', defaultDeadlines: STANDARD, defaultDepartmentKind: 'justice',
    photoRequiredOnResolve: false, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['纠纷', '矛盾', '调解'],
    children: [
      node('neighbour', '邻里纠纷', 'Neighbour dispute', { defaultLevel: 'grid', defaultDepartmentKind: null, keywords: ['邻居', '漏水', '噪音', '占用'] }),
      node('family', '婚姻家庭纠纷', 'Marriage and family dispute', {
        keywords: ['家庭', '婚姻'],
        children: [
          node('marriage', '婚姻纠纷', 'Marital dispute', { keywords: ['离婚', '夫妻'] }),
          node('support', '赡养抚养纠纷', 'Support of parents or children', { keywords: ['赡养', '抚养', '老人'] }),
          node('inheritance', '继承纠纷', 'Inheritance dispute', { defaultDeadlines: workdays(15), keywords: ['继承', '遗产', '分家'] }),
          node('domestic_violence', '家庭暴力', 'Domestic violence', { defaultDepartmentKind: 'police', defaultDeadlines: URGENT, keywords: ['家暴', '打人'] }),
        ],
      }),
      node('property_mgmt', '物业纠纷', 'Property management dispute', { defaultDepartmentKind: 'housing', defaultDeadlines: workdays(5), keywords: ['物业', '物业费', '业委会'] }),
      node('land', '土地山林纠纷', 'Land and forest dispute', { defaultLevel: 'street', defaultDepartmentKind: 'natural_resources', defaultDeadlines: workdays(15), keywords: ['土地', '宅基地', '山林', '边界'] }),
      node('labour', '劳资纠纷', 'Labour dispute', {
        defaultLevel: 'street', defaultDepartmentKind: 'human_resources', defaultDeadlines: workdays(10), keywords: ['劳资', '工资'],
        children: [
          node('wage_arrears', '拖欠工资', 'Unpaid wages', { defaultDeadlines: workdays(5), keywords: ['欠薪', '讨薪', '拖欠工资', '农民工'] }),
          node('contract', '劳动合同纠纷', 'Employment contract dispute', { keywords: ['劳动合同', '辞退', '加班'] }),
          node('work_injury', '工伤纠纷', 'Work injury dispute', { defaultDeadlines: workdays(15), keywords: ['工伤', '受伤', '赔偿'] }),
        ],
      }),
      node('medical', '医疗纠纷', 'Medical dispute', { defaultLevel: 'district', defaultDepartmentKind: 'health', defaultDeadlines: workdays(15), keywords: ['医疗', '医院', '医患'] }),
    ],
  }),
  node('security', '治安隐患', 'Public-security hazards', {
    kind: 'hazard', defaultLevel: 'street', defaultDeadlines: URGENT, defaultDepartmentKind: 'police',
    photoRequiredOnResolve: false, duplicateRadiusM: 100, duplicateWindowHours: 72, keywords: ['治安', '安全'],
    children: [
      node('suspicious', '可疑人员物品', 'Suspicious person or object', { duplicateWindowHours: 24, keywords: ['可疑', '陌生人', '可疑物品'] }),
      node('vice', '涉黄赌毒线索', 'Gambling, prostitution or drugs', { keywords: ['赌博', '涉毒', '卖淫', '吸毒'] }),
      node('fraud', '电信网络诈骗线索', 'Telecom or online fraud', { keywords: ['诈骗', '骗子', '刷单', '冒充'] }),
      node('rental_housing', '出租屋治安隐患', 'Rental housing hazard', { defaultLevel: 'community', defaultDeadlines: STANDARD, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['出租屋', '群租', '流动人口'] }),
      node('extreme_risk', '个人极端风险', 'Risk of extreme behaviour', { defaultDeadlines: CRITICAL, keywords: ['极端', '扬言', '轻生', '报复'] }),
    ],
  }),
  node('safety', '安全隐患', 'Safety and fire hazards', {
    kind: 'hazard', defaultLevel: 'street', defaultDeadlines: URGENT, defaultDepartmentKind: 'emergency',
    photoRequiredOnResolve: true, duplicateRadiusM: 50, duplicateWindowHours: 72, keywords: ['隐患', '安全'],
    children: [
      node('fire', '消防隐患', 'Fire hazards', {
        defaultDepartmentKind: 'fire', keywords: ['消防'],
        children: [
          node('blocked_passage', '消防通道堵塞', 'Blocked fire lane or exit', { keywords: ['消防通道', '堵塞', '安全出口'] }),
          node('ebike_charging', '电动车违规充电', 'Unsafe e-bike charging', { defaultLevel: 'community', defaultDepartmentKind: null, keywords: ['飞线充电', '电动车', '楼道充电'] }),
          node('equipment', '消防设施缺失损坏', 'Missing or broken fire equipment', { defaultDeadlines: STANDARD, keywords: ['灭火器', '消防设施', '烟感'] }),
        ],
      }),
      node('gas', '燃气安全隐患', 'Gas safety hazard', { defaultDepartmentKind: 'housing', keywords: ['液化气', '瓶装燃气', '燃气'] }),
      node('production', '安全生产隐患', 'Workplace safety hazard', { defaultLevel: 'district', keywords: ['安全生产', '工厂', '作业'] }),
      node('food', '食品安全隐患', 'Food safety hazard', { defaultLevel: 'district', defaultDepartmentKind: 'market_supervision', defaultDeadlines: STANDARD, keywords: ['食品', '过期', '无证餐饮'] }),
      node('elevator', '电梯故障困人', 'Elevator fault or people trapped', { defaultLevel: 'district', defaultDepartmentKind: 'market_supervision', defaultDeadlines: CRITICAL, keywords: ['电梯', '困人', '故障'] }),
      node('natural_disaster', '地质灾害与防汛隐患', 'Landslide or flood hazard', { defaultLevel: 'district', defaultDepartmentKind: 'natural_resources', duplicateRadiusM: 100, keywords: ['滑坡', '山体', '防汛', '塌方'] }),
    ],
  }),
  node('livelihood', '民生诉求', 'Livelihood requests', {
    kind: 'request', defaultLevel: 'district', defaultDeadlines: STANDARD, defaultDepartmentKind: null,
    photoRequiredOnResolve: false, duplicateRadiusM: 100, duplicateWindowHours: 72, keywords: ['民生', '诉求'],
    children: [
      node('water', '供水', 'Water supply', {
        defaultDepartmentKind: 'water', keywords: ['自来水', '供水'],
        children: [
          node('outage', '停水', 'No water', { defaultDeadlines: URGENT, duplicateRadiusM: 300, duplicateWindowHours: 24, keywords: ['停水', '没水'] }),
          node('quality', '水质问题', 'Water quality', { keywords: ['水质', '浑浊', '异味', '黄水'] }),
        ],
      }),
      node('power', '供电', 'Power supply', {
        defaultLevel: 'street', keywords: ['供电', '电力'], description: 'The street office contacts the grid company, which is not a government department.',
        children: [
          node('outage', '停电', 'Power cut', { defaultDeadlines: URGENT, duplicateRadiusM: 300, duplicateWindowHours: 24, keywords: ['停电', '断电', '跳闸'] }),
          node('voltage', '电压不稳', 'Unstable voltage', { keywords: ['电压', '灯闪'] }),
        ],
      }),
      node('gas', '燃气供应', 'Gas supply', { defaultDepartmentKind: 'housing', keywords: ['燃气', '天然气', '停气', '开户'] }),
      node('schooling', '就学', 'Schooling', { defaultDepartmentKind: 'education', defaultDeadlines: workdays(10), duplicateRadiusM: 50, duplicateWindowHours: 168, keywords: ['入学', '学位', '转学', '学校'] }),
      node('medical_care', '就医', 'Medical care', { defaultDepartmentKind: 'health', defaultDeadlines: workdays(5), duplicateRadiusM: 50, duplicateWindowHours: 168, keywords: ['看病', '医院', '挂号', '社区医院'] }),
      node('social_security', '社会保障', 'Social security', { defaultDepartmentKind: 'human_resources', defaultDeadlines: workdays(10), duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['社保', '医保', '养老保险', '退休'] }),
    ],
  }),
  node('care', '特殊人群关爱', 'Care for special populations', {
    kind: 'care', defaultLevel: 'community', defaultDeadlines: STANDARD, defaultDepartmentKind: 'civil_affairs',
    photoRequiredOnResolve: false, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['关爱', '帮扶'],
    children: [
      node('elderly_alone', '独居空巢老人', 'Elderly people living alone', { defaultLevel: 'grid', defaultDepartmentKind: null, keywords: ['独居', '空巢', '老人'] }),
      node('disabled', '残疾人', 'People with disabilities', { keywords: ['残疾', '轮椅', '无障碍'] }),
      node('left_behind_children', '留守儿童', 'Left-behind children', { keywords: ['留守', '儿童'] }),
      node('hardship', '困难家庭', 'Families in hardship', { keywords: ['低保', '困难', '救助', '特困'] }),
      node('mental_illness', '严重精神障碍患者', 'People with serious mental illness', { defaultDepartmentKind: 'health', defaultDeadlines: URGENT, keywords: ['精神病', '肇事肇祸', '发病'] }),
      node('correction', '社区矫正与刑满释放人员', 'People under community correction or released from prison', { defaultLevel: 'street', defaultDepartmentKind: 'justice', keywords: ['社区矫正', '刑满释放', '安置帮教'] }),
    ],
  }),
  node('suggestion', '意见建议', 'Suggestions', {
    kind: 'suggestion', defaultLevel: 'street', defaultDeadlines: SUGGESTION, defaultDepartmentKind: null,
    photoRequiredOnResolve: false, duplicateRadiusM: 100, duplicateWindowHours: 168, keywords: ['建议', '意见'],
    children: [
      node('community_affairs', '社区事务', 'Community affairs', { defaultLevel: 'community', keywords: ['社区', '小区', '居委会'] }),
      node('public_service', '公共服务', 'Public services', { keywords: ['办事', '服务', '窗口'] }),
      node('urban_development', '城市建设', 'Urban development', { defaultLevel: 'district', defaultDepartmentKind: 'housing', keywords: ['规划', '建设', '公交'] }),
    ],
  }),
  node('wish', '微心愿', 'Micro-wishes', {
    kind: 'wish', defaultLevel: 'community', defaultDeadlines: WISH, defaultDepartmentKind: null,
    photoRequiredOnResolve: false, duplicateRadiusM: 30, duplicateWindowHours: 168, keywords: ['心愿', '微心愿'],
    description: 'Small wishes that volunteers or party members take up (认领).',
    children: [
      node('daily_needs', '生活物资', 'Daily necessities', { keywords: ['米', '油', '衣物', '家电'] }),
      node('study', '学习助学', 'Help with study', { keywords: ['书包', '文具', '辅导'] }),
      node('companionship', '陪伴探访', 'Company and visits', { keywords: ['陪伴', '聊天', '探望'] }),
    ],
  }),
];

const INHERITED = ['description', 'kind', 'defaultLevel', 'defaultDeadlines', 'defaultDepartmentKind', 'photoRequiredOnResolve', 'duplicateRadiusM', 'duplicateWindowHours'] as const;

function flatten(specs: Spec[], parent: CatalogueCategory | null, out: CatalogueCategory[]): void {
  specs.forEach((s, i) => {
    const code = parent ? `${parent.code}.${s.label}` : s.label;
    const inherit = <K extends (typeof INHERITED)[number]>(k: K): CatalogueCategory[K] => (s[k] !== undefined ? s[k] : parent![k]) as CatalogueCategory[K];
    const c: CatalogueCategory = {
      code,
      parentCode: parent?.code ?? null,
      nameZh: s.zh,
      nameEn: s.en,
      // A description explains its own category only.
      description: s.description ?? null,
      kind: inherit('kind'),
      defaultLevel: inherit('defaultLevel'),
      defaultDeadlines: inherit('defaultDeadlines'),
      defaultDepartmentKind: inherit('defaultDepartmentKind'),
      photoRequiredOnResolve: inherit('photoRequiredOnResolve'),
      duplicateRadiusM: inherit('duplicateRadiusM'),
      duplicateWindowHours: inherit('duplicateWindowHours'),
      keywords: s.keywords ?? [],
      sort: (i + 1) * 10,
    };
    out.push(c);
    if (s.children) flatten(s.children, c, out);
  });
}

/** The default catalogue, parents before their children. */
export const DEFAULT_CATALOGUE: readonly CatalogueCategory[] = (() => {
  const out: CatalogueCategory[] = [];
  flatten(SPECS, null, out);
  return out;
})();

const sqlText = (s: string | null): string => (s === null ? 'NULL' : `'${s.replace(/'/g, "''")}'`);

/**
 * The seed statement of migration 0011. ON CONFLICT DO NOTHING: a category an
 * administrator has edited keeps its edits when the migration runs elsewhere.
 */
export function catalogueSql(): string {
  const rows = DEFAULT_CATALOGUE.map((c) =>
    [
      sqlText(c.code),
      `${sqlText(c.code)}::ltree`,
      sqlText(c.parentCode),
      sqlText(c.nameZh),
      sqlText(c.nameEn),
      sqlText(c.description),
      sqlText(c.kind),
      sqlText(c.defaultLevel),
      `${sqlText(JSON.stringify(c.defaultDeadlines))}::jsonb`,
      sqlText(c.defaultDepartmentKind),
      String(c.photoRequiredOnResolve),
      String(c.duplicateRadiusM),
      String(c.duplicateWindowHours),
      c.keywords.length ? `ARRAY[${c.keywords.map(sqlText).join(', ')}]::text[]` : `'{}'::text[]`,
      String(c.sort),
    ].join(', '),
  );
  return (
    'INSERT INTO categories (code, path, parent_code, name_zh, name_en, description, kind, default_level, default_deadlines,\n' +
    '  default_department_kind, photo_required_on_resolve, duplicate_radius_m, duplicate_window_hours, keywords, sort)\nVALUES\n' +
    rows.map((r) => `  (${r})`).join(',\n') +
    '\nON CONFLICT (code) DO NOTHING;\n'
  );
}

/** Care and linkage screens (zh-CN): visits, patrols, four-level linkage, notices, help requests. */
export default {
  care: {
    nav: { linkage: '四级联户', patrols: '巡查轨迹', visits: '走访', track: '巡查', neighbours: '邻里' },
    common: { refresh: '刷新', save: '保存', cancel: '取消', none: '暂无', loading: '加载中…', community: '社区编码', load: '查看', households: '户', people: '人' },
    status: { overdue: '已逾期', due: '待走访', done: '本周期已访', open: '待接单', claimed: '处理中', case: '已转事件', cancelled: '已取消', active: '进行中', ended: '已结束', sending: '发送中', sent: '已送达' },
    visits: {
      title: '重点人员走访', counts: '应访 {{total}} 人：逾期 {{overdue}}，待访 {{due}}，已访 {{done}}', every: '每 {{n}} 天', overdueDays: '逾期 {{n}} 天',
      last: '上次走访', never: '从未走访', dueAt: '应访日期', record: '登记走访', form: '走访登记', findings: '走访情况', kind: '方式',
      kinds: { home: '入户走访', phone: '电话问候', other: '其他' }, location: '当前位置', locate: '获取定位', located: '已定位 {{x}}, {{y}}', noLocation: '无法获取定位（可不填）',
      photos: '照片', openCase: '发现问题，同时上报事件', category: '事件类别', saved: '走访已登记', history: '走访记录', findingsRequired: '请填写走访情况', search: '按姓名或地址查找',
    },
    patrol: {
      title: '巡查', start: '开始巡查', stop: '结束巡查', running: '巡查中，已记录 {{n}} 个轨迹点', queued: '待上传 {{n}} 个', offline: '离线中，轨迹点已保存在手机上，联网后自动上传',
      started: '巡查已开始', stopped: '巡查已结束', report: '上报发现', description: '发现的问题', category: '事件类别', reported: '已上报事件 {{number}}', findings: '本次发现',
      list: '巡查记录', worker: '网格员', startedAt: '开始时间', points: '轨迹点', distance: '里程（米）', noTrack: '该巡查尚无轨迹', addPoint: '记录当前位置',
    },
    linkage: {
      title: '四级联户', propose: '生成建议方案', apply: '按方案建立', rebuild: '重新生成并替换', stored: '已建立', proposal: '建议方案（未保存）', noTree: '该社区尚未建立联户体系',
      stats: '{{households}} 户，一级群 {{l1}} 个，二级群 {{l2}} 个，三级群 {{l3}} 个；友邻服务队 {{volunteers}} 人（占 {{share}}%）',
      level: '{{n}}级', owner: '群主', noOwner: '无群主', violations: '不符合规则之处', noViolations: '全部符合规则', applied: '联户体系已建立', confirmReplace: '将替换现有联户体系，手工调整会丢失。继续？',
      codes: {
        HOUSEHOLD_UNASSIGNED: '未编入一级群的户', HOUSEHOLD_IN_MANY_GROUPS: '同时在多个一级群', HOUSEHOLD_UNKNOWN: '不是本社区在册住户', SIZE_BELOW_MIN: '规模过小', SIZE_ABOVE_MAX: '规模过大',
        OWNER_MISSING: '没有群主', OWNER_NOT_IN_PARENT: '群主不是上级群成员', OWNER_NOT_IN_GROUP: '群主不在本群', PARENT_MISSING: '缺少上级群', PARENT_LEVEL_MISMATCH: '上级群层级不对', NOT_ONE_TOP_GROUP: '四级群不唯一',
      },
    },
    notice: {
      title: '通知下达', compose: '发布通知', subject: '标题', body: '内容', urgent: '紧急预警', send: '逐级下发', sent: '已下发至 {{n}} 户', list: '已发通知',
      reach: '送达 {{recipients}} 户，已读 {{read}}，未读 {{unread}}', unreadList: '未读住户', remind: '提醒群主', reminded: '已提醒 {{n}} 位负责人', address: '住址', group: '一级群', owner: '群主',
      mine: '社区通知', markRead: '已读', readDone: '已确认阅读',
    },
    help: {
      title: '邻里互助', ask: '我要求助', what: '需要什么帮助', detail: '说明', asked: '求助已发出，邻里服务队会尽快联系您', mine: '我的求助', serve: '可接的求助', claim: '我来帮忙', claimed: '已接单',
      complete: '完成', result: '帮忙结果', completed: '已完成', levelAt: '已上升至{{n}}级群', by: '接单人',
    },
  },
};

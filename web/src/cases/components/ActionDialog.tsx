/**
 * The form of one case action, in a dialog: the fields that action takes
 * (a reason, a note, photos, a handler for dispatch with the suggested route
 * and why, a department for escalation, an extension, a rating). Submitting
 * calls the action; field errors from the server land on their fields.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Descriptions, Form, Input, InputNumber, Modal, Radio, Select, Space, Typography } from 'antd';
import { ApiError } from '../../api';
import { useSession } from '../../session';
import { casesApi, type ActionBody, type CaseDetail, type HandlerType, type Rating, type RouteExplanation } from '../casesApi';
import { useLabels } from '../i18n';
import { DepartmentSelect } from './pickers';
import { PhotoPicker } from './PhotoPicker';

/** A button's action: one of the case's abilities, or 'rate' for the three rating abilities. */
export type DialogAction = string;

type Field = 'note' | 'noteRequired' | 'reason' | 'reasonOptional' | 'result' | 'photos' | 'into' | 'duplicateOf' | 'dispatch' | 'redispatch' | 'escalate' | 'summon' | 'extension' | 'rating';

const FORMS: Record<string, Field[]> = {
  accept: ['note'],
  reject: ['reason', 'duplicateOf'],
  cancel: ['reasonOptional'],
  merge: ['into', 'reasonOptional'],
  dispatch: ['dispatch'],
  redispatch: ['redispatch', 'reason'],
  sign: ['note'],
  note: ['noteRequired', 'photos'],
  return: ['reason'],
  escalate: ['escalate', 'reason'],
  summon: ['summon', 'note'],
  co_report: ['noteRequired', 'photos'],
  resolve: ['result', 'photos'],
  check_pass: ['note', 'photos'],
  check_fail: ['reason', 'photos'],
  request_extension: ['extension', 'reason'],
  approve_extension: ['note'],
  deny_extension: ['reason'],
  request_suspension: ['reason'],
  approve_suspension: ['note'],
  deny_suspension: ['reason'],
  resume: ['note'],
  supervise: ['note'],
  flag_urgent: ['note'],
  rate: ['rating'],
};

interface Values {
  note?: string;
  reason?: string;
  photos?: string[];
  into?: number;
  handlerChoice?: 'suggested' | 'other';
  handlerType?: HandlerType;
  departmentId?: number;
  nodeCode?: string;
  mode?: 'designate' | 'negotiate';
  escalateTo?: 'up' | 'department';
  departmentIds?: number[];
  amount?: number;
  unit?: 'hours' | 'workdays';
  rating?: Rating;
  comment?: string;
}

/** Render it only while an action is chosen (with a fresh key each time): the form starts empty. */
interface Props {
  action: DialogAction;
  c: CaseDetail;
  /** Calls the server; throws ApiError. */
  onSubmit: (action: DialogAction, body: ActionBody & { rating?: Rating; comment?: string }) => Promise<void>;
  onClose: () => void;
  /** Phone layout: the dialog near the top, the camera for photos. */
  mobile?: boolean;
  /** A merge target picked from the duplicates list. */
  initialInto?: number;
}

/** Server field names → form field names. */
function formField(field: string, fields: Field[]): keyof Values | undefined {
  const f = field.replace(/\.\d+$/, '');
  if (f === 'note') return fields.includes('result') ? 'note' : 'note';
  if (f === 'reason' || f === 'into' || f === 'departmentIds' || f === 'photos' || f === 'comment' || f === 'rating') return f;
  if (f === 'departmentId' || f === 'handler.departmentId') return 'departmentId';
  if (f === 'handler.nodeCode') return 'nodeCode';
  if (f === 'handler' || f === 'handler.type') return 'handlerType';
  if (f.startsWith('extension')) return 'amount';
  return undefined;
}

/** The nodes on the case's path, from its code (codes are prefixes: 2, 4, 6, 9, 12, 15 digits …). */
function pathNodes(c: CaseDetail): { code: string; name: string }[] {
  if (!c.node) return [];
  const lengths = [4, 6, 9, 12, 15, 17, 19].filter((n) => n <= c.node!.code.length);
  const names = (c.node.pathNames ?? '').split(' / ');
  // path_names starts at depth 2 (the city): one name per code from the city down.
  return lengths.map((n, i) => ({ code: c.node!.code.slice(0, n), name: names[i] ?? c.node!.code.slice(0, n) }));
}

export function ActionDialog({ action, c, onSubmit, onClose, mobile, initialInto }: Props) {
  const l = useLabels();
  const { t } = l;
  const { me } = useSession();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [uploading, setUploading] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [explain, setExplain] = useState<RouteExplanation | null>();
  const fields = action ? (FORMS[action] ?? ['note']) : [];
  const handlerChoice = Form.useWatch('handlerChoice', form);
  const handlerType = Form.useWatch('handlerType', form);
  const escalateTo = Form.useWatch('escalateTo', form);

  const [intoOptions, setIntoOptions] = useState(() => c.duplicates.map((d) => ({ value: d.id, label: `${d.number} · ${d.description.slice(0, 30)}` })));
  const initialValues: Values = {
    handlerChoice: 'suggested',
    handlerType: c.route?.lead.type ?? 'department',
    escalateTo: 'department',
    unit: 'hours',
    amount: 24,
    mode: 'designate',
    into: initialInto,
  };

  // Dispatch: where the responsibility list sends the case, with names and why.
  useEffect(() => {
    if ((action !== 'dispatch' && action !== 'redispatch') || !c.node) return;
    if (!me.permissions.includes('responsibility.read')) {
      setExplain(null);
      return;
    }
    const ctrl = new AbortController();
    setExplain(undefined);
    casesApi
      .explain(c.category.code, c.node.code, ctrl.signal)
      .then(setExplain)
      .catch(() => setExplain(null));
    return () => ctrl.abort();
  }, [action, c.category.code, c.node, me.permissions]);

  const nodes = useMemo(() => pathNodes(c), [c]);
  const route = c.route;

  const searchInto = async (text: string) => {
    const q = text.trim();
    if (!/^\d{8,}$/.test(q)) return;
    try {
      const r = await casesApi.list({ q, pageSize: 5 });
      setIntoOptions((prev) => [...prev.filter((o) => !r.items.some((i) => i.id === o.value)), ...r.items.filter((i) => i.id !== c.id).map((i) => ({ value: i.id, label: `${i.number} · ${i.description.slice(0, 30)}` }))]);
    } catch {
      // Typing goes on; the select shows what it has.
    }
  };

  const submit = async () => {
    if (!action) return;
    const v = await form.validateFields();
    const body: ActionBody & { rating?: Rating; comment?: string } = {};
    const text = (s?: string) => (s && s.trim() ? s.trim() : undefined);
    if (text(v.note)) body.note = text(v.note);
    if (text(v.reason)) body.reason = text(v.reason);
    if (v.photos?.length) body.photos = v.photos;
    if (fields.includes('into') || fields.includes('duplicateOf')) if (v.into) body.into = v.into;
    if (fields.includes('dispatch') && v.handlerChoice === 'other') {
      body.handler = v.handlerType === 'department' ? { type: 'department', departmentId: v.departmentId } : { type: v.handlerType!, nodeCode: v.nodeCode };
      if (c.status === 'returned') body.mode = v.mode;
    }
    if (fields.includes('dispatch') && c.status === 'returned' && v.handlerChoice !== 'other') body.mode = v.mode;
    if (fields.includes('redispatch')) {
      body.handler = v.handlerType === 'department' ? { type: 'department', departmentId: v.departmentId } : { type: v.handlerType!, nodeCode: v.nodeCode };
    }
    if (fields.includes('escalate') && v.escalateTo === 'department') body.departmentId = v.departmentId;
    if (fields.includes('summon')) body.departmentIds = v.departmentIds;
    if (fields.includes('extension')) body.extension = { amount: v.amount!, unit: v.unit! };
    if (fields.includes('rating')) {
      body.rating = v.rating;
      if (text(v.comment)) body.comment = text(v.comment);
    }
    setBusy(true);
    setProblem(undefined);
    try {
      await onSubmit(action, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.fields.length) {
        const mapped = err.fields.map((f) => ({ f, name: formField(f.field, fields) })).filter((x) => x.name && form.getFieldInstance(x.name) !== undefined);
        form.setFields(mapped.map((x) => ({ name: x.name!, errors: [x.f.reason] })));
        const rest = err.fields.filter((f) => !mapped.some((m) => m.f === f));
        setProblem(rest.length || !mapped.length ? err.fields.map((f) => `${f.field}: ${f.reason}`).join('; ') : undefined);
      } else if (!(err instanceof ApiError && err.status === 409)) {
        setProblem(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const title = action === 'rate' ? (c.reporter.isMe ? t('cases.button.rate') : t('cases.button.rateCallback')) : action ? l.button(action) : '';
  const reasonLabel = action === 'check_fail' ? t('cases.form.reason') : t('cases.form.reason');
  const handlerFields = (
    <>
      <Form.Item name="handlerType" label={t('cases.form.handlerType')} rules={[{ required: true }]}>
        <Radio.Group
          optionType="button"
          options={(['department', 'node_office', 'grid_worker'] as const).map((x) => ({ value: x, label: l.handlerType(x) }))}
        />
      </Form.Item>
      {handlerType === 'department' ? (
        <Form.Item name="departmentId" label={t('cases.form.department')} rules={[{ required: true }]}>
          <DepartmentSelect node={c.node?.code} exclude={action === 'redispatch' ? [c.handler?.departmentId] : undefined} />
        </Form.Item>
      ) : (
        <Form.Item name="nodeCode" label={t('cases.form.nodeOffice')} rules={[{ required: true }]}>
          <Select
            options={nodes
              .filter((n) => (handlerType === 'grid_worker' ? n.code.length >= 15 : true))
              .map((n) => ({ value: n.code, label: `${n.name}${l.paren(n.code)}` }))}
          />
        </Form.Item>
      )}
    </>
  );

  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      onOk={() => void submit().catch(() => undefined)}
      okText={t('cases.common.submit')}
      cancelText={t('cases.common.cancel')}
      okButtonProps={{ loading: busy, disabled: uploading }}
      style={mobile ? { top: 12 } : undefined}
      width={fields.includes('dispatch') ? 640 : 520}
    >
      <Form form={form} initialValues={initialValues} layout="vertical" requiredMark="optional" disabled={busy} className="wgc-action-form" data-action={action ?? undefined}>
        {fields.includes('dispatch') && (
          <>
            <div className="wgc-route-box" data-testid="suggested-route">
              <Typography.Text strong>{t('cases.form.suggested')}</Typography.Text>
              <Descriptions size="small" column={1} className="wgc-route-desc">
                <Descriptions.Item label={t('cases.form.lead')}>
                  {explain?.leadDepartment?.name ??
                    (explain ? `${l.handlerType(explain.lead.type)} · ${explain.handlingNodeName ?? explain.handlingNodeCode}` : route ? l.handlerType(route.lead.type) : '—')}
                  {explain?.lead.type === 'department' && !explain.leadDepartment && <Typography.Text type="warning"> {t('cases.form.noDepartment')}</Typography.Text>}
                </Descriptions.Item>
                <Descriptions.Item label={t('cases.detail.handlingLevel')}>{l.level(explain?.handlingLevel ?? route?.handlingLevel)}</Descriptions.Item>
                {(explain ?? route) && (
                  <Descriptions.Item label={t('cases.form.deadlines')}>
                    {t('cases.form.deadlineText', {
                      accept: l.deadline((explain ?? route)!.deadlines.accept),
                      sign: l.deadline((explain ?? route)!.deadlines.sign),
                      handle: l.deadline((explain ?? route)!.deadlines.handle),
                    })}
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t('cases.form.explanation')}>
                  <Typography.Text type="secondary" className="wgc-explanation">
                    {explain?.explanation ?? route?.explanation ?? '—'}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </div>
            <Form.Item name="handlerChoice">
              <Radio.Group
                options={[
                  { value: 'suggested', label: t('cases.form.useSuggested') },
                  { value: 'other', label: t('cases.form.chooseOther') },
                ]}
              />
            </Form.Item>
            {handlerChoice === 'other' && (
              <>
                {handlerFields}
                <Form.Item name="reason" label={t('cases.form.overrideReason')} rules={[{ required: true, whitespace: true, message: t('cases.form.reasonRequired') }]}>
                  <Input.TextArea rows={2} maxLength={2000} />
                </Form.Item>
              </>
            )}
            {c.status === 'returned' && (
              <Form.Item name="mode" label={t('cases.form.mode')}>
                <Radio.Group options={(['designate', 'negotiate'] as const).map((m) => ({ value: m, label: t(`cases.mode.${m}`) }))} />
              </Form.Item>
            )}
            {handlerChoice !== 'other' && (
              <Form.Item name="note" label={t('cases.form.note')}>
                <Input.TextArea rows={2} maxLength={4000} />
              </Form.Item>
            )}
          </>
        )}
        {fields.includes('redispatch') && handlerFields}
        {fields.includes('escalate') && (
          <>
            <Form.Item name="escalateTo" label={t('cases.form.escalateTarget')}>
              <Radio.Group
                options={[
                  { value: 'department', label: t('cases.form.escalateDept') },
                  { value: 'up', label: t('cases.form.escalateUp') },
                ]}
              />
            </Form.Item>
            {escalateTo === 'department' && (
              <Form.Item name="departmentId" label={t('cases.form.department')} rules={[{ required: true, message: t('cases.form.department') }]}>
                <DepartmentSelect node={c.node?.code} exclude={[c.handler?.departmentId]} />
              </Form.Item>
            )}
          </>
        )}
        {fields.includes('summon') && (
          <Form.Item name="departmentIds" label={t('cases.form.departments')} rules={[{ required: true }]}>
            <DepartmentSelect node={c.node?.code} multiple exclude={[c.handler?.departmentId, ...c.coHandlers.map((x) => x.departmentId)]} />
          </Form.Item>
        )}
        {fields.includes('into') && (
          <Form.Item name="into" label={t('cases.form.into')} rules={[{ required: true }]}>
            <Select options={intoOptions} placeholder={t('cases.form.intoPlaceholder')} showSearch={{ onSearch: (s) => void searchInto(s), filterOption: false }} />
          </Form.Item>
        )}
        {fields.includes('extension') && (
          <Form.Item label={t('cases.form.extensionAmount')} required>
            <Space.Compact>
              <Form.Item name="amount" noStyle rules={[{ required: true }]}>
                <InputNumber min={1} max={720} precision={0} aria-label={t('cases.form.extensionAmount')} />
              </Form.Item>
              <Form.Item name="unit" noStyle>
                <Select style={{ width: 120 }} options={(['hours', 'workdays'] as const).map((u) => ({ value: u, label: l.unit(u) }))} />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
        )}
        {fields.includes('rating') && (
          <>
            <Form.Item name="rating" label={t('cases.form.rating')} rules={[{ required: true, message: t('cases.form.ratingRequired') }]}>
              <Radio.Group
                optionType="button"
                buttonStyle="solid"
                options={(['satisfied', 'basically_satisfied', 'unsatisfied'] as const)
                  .filter((r) => c.abilities.includes(`rate_${r}` as never))
                  .map((r) => ({ value: r, label: l.rating(r) }))}
              />
            </Form.Item>
            <Form.Item name="comment" label={t('cases.form.comment')}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
          </>
        )}
        {fields.includes('reason') && (
          <Form.Item name="reason" label={reasonLabel} rules={[{ required: true, whitespace: true, message: t('cases.form.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        )}
        {fields.includes('reasonOptional') && (
          <Form.Item name="reason" label={t('cases.form.reason')}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        )}
        {fields.includes('duplicateOf') && c.duplicates.length > 0 && (
          <Form.Item name="into" label={t('cases.form.duplicateOf')}>
            <Select allowClear options={intoOptions} />
          </Form.Item>
        )}
        {fields.includes('result') && (
          <Form.Item name="note" label={t('cases.form.result')} rules={[{ required: true, whitespace: true, message: t('cases.form.resultRequired') }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        )}
        {fields.includes('noteRequired') && (
          <Form.Item name="note" label={t('cases.form.note')} rules={[{ required: true, whitespace: true, message: t('cases.form.noteRequired') }]}>
            <Input.TextArea rows={3} maxLength={4000} />
          </Form.Item>
        )}
        {fields.includes('note') && (
          <Form.Item name="note" label={t('cases.form.note')}>
            <Input.TextArea rows={2} maxLength={4000} />
          </Form.Item>
        )}
        {fields.includes('photos') && (
          <Form.Item name="photos" label={t('cases.form.photos')} valuePropName="ids" trigger="onChange">
            <PhotoPicker capture={mobile} onBusyChange={setUploading} />
          </Form.Item>
        )}
        {problem && <Alert type="error" showIcon title={problem} />}
      </Form>
    </Modal>
  );
}

/**
 * The selected node: its facts, the path of ancestors (those inside the
 * user's area are links), and how many nodes of each level lie beneath it.
 */
import { useEffect, useState } from 'react';
import { App, Breadcrumb, Descriptions, Empty, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, isAbort, type GridNode, type NodeCounts, type NodeDetail } from '../api';
import { errorText } from '../errors';
import { LEVEL_ORDER, colorOf } from '../levels';
import { LevelTag } from './LevelTag';

interface Props {
  node: NodeDetail | undefined;
  loading: boolean;
  roots: GridNode[];
  onSelect: (code: string) => void;
}

export function NodeDetails({ node, loading, roots, onSelect }: Props) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [counts, setCounts] = useState<NodeCounts>();
  const [countsLoading, setCountsLoading] = useState(false);
  const code = node?.code;

  useEffect(() => {
    if (!code) return;
    const ctrl = new AbortController();
    setCountsLoading(true);
    api
      .counts(code, ctrl.signal)
      .then(setCounts)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setCountsLoading(false);
      });
    return () => ctrl.abort();
  }, [code, message, t]);

  if (!node) {
    return (
      <div className="wg-details">
        <div className="wg-panel-head">
          <h2 className="wg-panel-title">{t('details.title')}</h2>
        </div>
        {loading ? <Skeleton active paragraph={{ rows: 6 }} /> : <Empty description={t('details.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      </div>
    );
  }

  const inArea = (c: string) => roots.some((r) => c.startsWith(r.code));
  const ancestors = [...node.ancestors].sort((a, b) => a.code.length - b.code.length);
  const fmt = new Intl.NumberFormat(i18n.language);
  const levelCounts = counts && counts.code === node.code ? LEVEL_ORDER.filter((l) => (counts.counts[l] ?? 0) > 0) : [];

  return (
    <div className="wg-details" aria-busy={loading}>
      <div className="wg-panel-head">
        <h2 className="wg-panel-title">{t('details.title')}</h2>
      </div>
      <Breadcrumb
        className="wg-path"
        aria-label={t('details.path')}
        items={[
          ...ancestors.map((a) => ({
            key: a.code,
            title: inArea(a.code) ? (
              <a
                href={`/nodes/${a.code}`}
                onClick={(e) => {
                  e.preventDefault();
                  onSelect(a.code);
                }}
              >
                {a.name}
              </a>
            ) : (
              <span>{a.name}</span>
            ),
          })),
          { key: node.code, title: <span aria-current="page">{node.name}</span> },
        ]}
      />
      <Typography.Title level={3} className="wg-node-name" data-testid="node-name">
        {node.name}
      </Typography.Title>
      <Descriptions
        size="small"
        column={1}
        bordered
        className="wg-facts"
        items={[
          { key: 'code', label: t('details.code'), children: <Typography.Text copyable>{node.code}</Typography.Text> },
          { key: 'level', label: t('details.level'), children: <LevelTag level={node.level} kind={node.kind} /> },
          { key: 'kind', label: t('details.kind'), children: t(`kinds.${node.kind}`, { defaultValue: node.kind }) },
          {
            key: 'status',
            label: t('details.status'),
            children: <Tag color={node.status === 'active' ? 'green' : 'default'}>{t(`status.${node.status}`, { defaultValue: node.status })}</Tag>,
          },
          {
            key: 'households',
            label: t('details.households'),
            children: node.households == null ? t('details.unknown') : fmt.format(node.households),
          },
          { key: 'children', label: t('details.children'), children: fmt.format(node.childCount) },
          ...(node.status === 'retired' && node.retiredReason
            ? [{ key: 'retired', label: t('details.retiredReason'), children: node.retiredReason }]
            : []),
        ]}
      />
      <h3 className="wg-subtitle">{t('details.counts')}</h3>
      {countsLoading && levelCounts.length === 0 ? (
        <Skeleton active title={false} paragraph={{ rows: 3 }} />
      ) : levelCounts.length === 0 ? (
        <Typography.Text type="secondary">{t('details.countsEmpty')}</Typography.Text>
      ) : (
        <ul className="wg-counts" aria-label={t('details.counts')}>
          {levelCounts.map((l) => (
            <li key={l} className="wg-count" style={{ borderTopColor: colorOf(l, 'admin') }} data-level={l}>
              <span className="wg-count-n">{fmt.format(counts!.counts[l] ?? 0)}</span>
              <span className="wg-count-label">{t(`levels.${l}`)}</span>
            </li>
          ))}
          {counts?.households != null && (
            <li className="wg-count wg-count-households" data-level="households">
              <span className="wg-count-n">{fmt.format(counts.households)}</span>
              <span className="wg-count-label">{t('details.households')}</span>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}

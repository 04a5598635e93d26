/**
 * A plain list of rows (title, description, actions on the right): what the
 * case screens need from antd's List, which antd 6.6 deprecates.
 */
import type { HTMLAttributes, ReactNode } from 'react';
import { Empty, Spin } from 'antd';

export interface Row {
  key: string | number;
  title: ReactNode;
  description?: ReactNode;
  avatar?: ReactNode;
  actions?: ReactNode[];
  className?: string;
  onClick?: () => void;
  attrs?: HTMLAttributes<HTMLLIElement> & Record<`data-${string}`, string | number | undefined>;
}

export function SimpleList({ rows, loading, empty }: { rows: Row[]; loading?: boolean; empty?: ReactNode }) {
  if (loading && !rows.length) return <Spin className="wgc-list-spin" />;
  if (!rows.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />;
  return (
    <ul className="wgc-list">
      {rows.map((r) => (
        <li key={r.key} className={`wgc-list-row${r.onClick ? ' wg-clickable' : ''}${r.className ? ` ${r.className}` : ''}`} onClick={r.onClick} {...r.attrs}>
          {r.avatar && <div className="wgc-list-avatar">{r.avatar}</div>}
          <div className="wgc-list-main">
            <div className="wgc-list-title">{r.title}</div>
            {r.description && <div className="wgc-list-desc">{r.description}</div>}
          </div>
          {!!r.actions?.length && (
            <div className="wgc-list-actions" onClick={(e) => e.stopPropagation()}>
              {r.actions}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

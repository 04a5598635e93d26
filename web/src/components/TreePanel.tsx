/**
 * The grid tree (网格树): the user's roots, children loaded when a node opens,
 * a level tag on each node, and a search box over the current root. A
 * selection made elsewhere (map, breadcrumb, search) opens the tree down to it.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type Key } from 'react';
import { App, AutoComplete, Empty, Input, Spin, Tree, Typography } from 'antd';
import type { TreeDataNode } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, isAbort, type GridNode, type NodeDetail, type SearchHit } from '../api';
import { errorText } from '../errors';
import { LevelTag } from './LevelTag';

interface Props {
  roots: GridNode[];
  selectedCode: string | undefined;
  /** The selected node with its ancestors (undefined while it loads). */
  selected: NodeDetail | undefined;
  /** The root the search box searches under. */
  searchRoot: GridNode | undefined;
  onSelect: (code: string) => void;
}

/** The codes from the tree root holding `node` down to `node` itself. */
function chainInTree(node: NodeDetail, roots: GridNode[]): string[] {
  const root = roots.find((r) => node.code.startsWith(r.code));
  if (!root) return [node.code];
  const between = [...node.ancestors]
    .filter((a) => a.code.length >= root.code.length && node.code.startsWith(a.code) && a.code !== node.code)
    .sort((a, b) => a.code.length - b.code.length)
    .map((a) => a.code);
  return [...between, node.code];
}

export function TreePanel({ roots, selectedCode, selected, searchRoot, onSelect }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [childrenOf, setChildrenOf] = useState<Record<string, GridNode[]>>({});
  const [expanded, setExpanded] = useState<Key[]>(() => (roots[0] ? [roots[0].code] : []));
  const pending = useRef(new Map<string, Promise<GridNode[]>>());
  const known = useRef(childrenOf);
  known.current = childrenOf;

  /** Loads a node's children once; concurrent callers share the request. */
  const loadChildren = useCallback(
    async (code: string): Promise<GridNode[]> => {
      const have = known.current[code];
      if (have) return have;
      let p = pending.current.get(code);
      if (!p) {
        p = api.children(code).then((r) => r.items);
        pending.current.set(code, p);
      }
      try {
        const items = await p;
        setChildrenOf((prev) => (prev[code] ? prev : { ...prev, [code]: items }));
        return items;
      } catch (err) {
        message.error(`${t('tree.loadFailed')}: ${errorText(t, err)}`);
        throw err;
      } finally {
        pending.current.delete(code);
      }
    },
    [message, t],
  );

  // Open the tree down to a node selected elsewhere, loading the levels between.
  const chain = useMemo(() => (selected ? chainInTree(selected, roots) : []), [selected, roots]);
  useEffect(() => {
    if (chain.length === 0) return;
    let cancelled = false;
    void (async () => {
      const opens = chain.slice(0, -1);
      try {
        for (const code of opens) await loadChildren(code);
      } catch {
        return;
      }
      if (cancelled) return;
      setExpanded((prev) => [...new Set([...prev, ...opens])]);
    })();
    return () => {
      cancelled = true;
    };
  }, [chain, loadChildren]);

  // Keep the selected node in view once it is rendered.
  const treeBox = useRef<HTMLDivElement>(null);
  const [height, setHeight] = useState<number>();
  useEffect(() => {
    const el = treeBox.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(Math.max(160, Math.floor(el.clientHeight))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const treeRef = useRef<{ scrollTo: (opts: { key: Key; align?: 'top' | 'bottom' | 'auto'; offset?: number }) => void }>(null);
  useEffect(() => {
    if (!selectedCode) return;
    const id = window.setTimeout(() => treeRef.current?.scrollTo({ key: selectedCode, align: 'auto', offset: 24 }), 50);
    return () => window.clearTimeout(id);
  }, [selectedCode, childrenOf, expanded]);

  const treeData = useMemo(() => {
    const build = (n: GridNode): TreeDataNode => {
      const kids = childrenOf[n.code];
      return {
        key: n.code,
        isLeaf: n.childCount === 0,
        title: (
          <span className={n.status === 'retired' ? 'wg-tree-title wg-retired' : 'wg-tree-title'} data-code={n.code}>
            <LevelTag level={n.level} kind={n.kind} />
            <span className="wg-tree-name" title={n.name}>{n.name}</span>
            {n.childCount > 0 && <span className="wg-tree-count">{n.childCount}</span>}
          </span>
        ),
        children: kids?.map(build),
      };
    };
    return roots.map(build);
  }, [roots, childrenOf]);

  return (
    <div className="wg-tree">
      <div className="wg-panel-head">
        <h2 className="wg-panel-title">{t('tree.title')}</h2>
      </div>
      {searchRoot && <NodeSearch root={searchRoot} onSelect={onSelect} />}
      <div className="wg-tree-box" ref={treeBox}>
        {roots.length === 0 ? (
          <Empty description={t('tree.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Tree
            ref={treeRef as never}
            aria-label={t('tree.title')}
            blockNode
            showLine={{ showLeafIcon: false }}
            height={height}
            treeData={treeData}
            selectedKeys={selectedCode ? [selectedCode] : []}
            expandedKeys={expanded}
            loadedKeys={Object.keys(childrenOf)}
            onExpand={(keys) => setExpanded(keys)}
            loadData={async (node) => {
              await loadChildren(String(node.key)).catch(() => undefined);
            }}
            onSelect={(_keys, info) => onSelect(String(info.node.key))}
          />
        )}
      </div>
    </div>
  );
}

/** Search under one root by name or code; picking a hit selects it. */
function NodeSearch({ root, onSelect }: { root: GridNode; onSelect: (code: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>();
  const [busy, setBusy] = useState(false);
  /** The code just picked: the select's own onChange would otherwise put it in the box. */
  const picked = useRef<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setHits(undefined);
      return;
    }
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      setBusy(true);
      api
        .search(root.code, q, ctrl.signal)
        .then((r) => setHits(r.items))
        .catch((err: unknown) => {
          if (!isAbort(err)) message.error(errorText(t, err));
        })
        .finally(() => {
          if (!ctrl.signal.aborted) setBusy(false);
        });
    }, 250);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [query, root.code, message, t]);

  const options = (hits ?? []).map((h) => ({
    value: h.code,
    label: (
      <div className="wg-search-hit" data-code={h.code}>
        <div>
          <LevelTag level={h.level} kind={h.kind} />
          <span className="wg-search-name">{h.name}</span>
        </div>
        <Typography.Text type="secondary" className="wg-search-path" ellipsis>
          {Array.isArray(h.pathNames) ? h.pathNames.join(' / ') : h.pathNames}
        </Typography.Text>
      </div>
    ),
  }));

  return (
    <div className="wg-search">
      <AutoComplete
        value={query}
        options={options}
        onSearch={(v) => {
          picked.current = null;
          setQuery(v);
        }}
        onChange={(v) => {
          if (picked.current !== null && v === picked.current) {
            picked.current = null;
            return;
          }
          setQuery(typeof v === 'string' ? v : '');
        }}
        onSelect={(code: string) => {
          picked.current = code;
          setQuery('');
          setHits(undefined);
          onSelect(code);
        }}
        defaultActiveFirstOption
        popupMatchSelectWidth={320}
        notFoundContent={hits && !busy ? t('tree.noResults') : busy ? <Spin size="small" /> : null}
        style={{ width: '100%' }}
      >
        <Input
          aria-label={t('tree.searchLabel')}
          maxLength={50}
          placeholder={`${t('tree.search')} · ${root.name}`}
          prefix={<SearchOutlined />}
          allowClear
        />
      </AutoComplete>
    </div>
  );
}

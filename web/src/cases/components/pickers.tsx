/**
 * Pickers shared by the case screens: the category tree (searchable by name
 * and keyword), the grid tree (children loaded as it opens), departments.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Select, TreeSelect } from 'antd';
import type { GridNode } from '../../api';
import { casesApi, type Category, type Department } from '../casesApi';
import { useLabels } from '../i18n';

let categoryCache: Promise<Category[]> | undefined;

/** The category tree, loaded once per page load (and again after an edit). */
export function useCategories(): { tree: Category[] | undefined; flat: Category[]; byCode: Map<string, Category>; reload: () => void } {
  const [tree, setTree] = useState<Category[]>();
  const load = useCallback((fresh = false) => {
    if (fresh || !categoryCache) categoryCache = casesApi.categories();
    categoryCache.then(setTree).catch(() => {
      categoryCache = undefined;
    });
  }, []);
  useEffect(() => load(), [load]);
  const flat = useMemo(() => {
    const out: Category[] = [];
    const walk = (xs: Category[]) => xs.forEach((c) => (out.push(c), walk(c.children ?? [])));
    walk(tree ?? []);
    return out;
  }, [tree]);
  const byCode = useMemo(() => new Map(flat.map((c) => [c.code, c])), [flat]);
  return { tree, flat, byCode, reload: () => load(true) };
}

interface CategoryPickerProps {
  value?: string;
  onChange?: (code: string | undefined) => void;
  placeholder?: string;
  /** Only leaves may be chosen (a report needs a concrete category). */
  leavesOnly?: boolean;
  includeInactive?: boolean;
  allowClear?: boolean;
  id?: string;
  size?: 'large' | 'middle' | 'small';
  style?: React.CSSProperties;
}

export function CategoryPicker({ value, onChange, placeholder, leavesOnly, includeInactive, allowClear, id, size, style }: CategoryPickerProps) {
  const l = useLabels();
  const { tree } = useCategories();
  const data = useMemo(() => {
    type Node = { value: string; title: string; search: string; selectable: boolean; children: Node[] };
    const map = (xs: Category[]): Node[] =>
      xs
        .filter((c) => includeInactive || c.active)
        .map((c) => {
          const children = map(c.children ?? []);
          return {
            value: c.code,
            title: l.category(c),
            search: [c.nameZh, c.nameEn, c.code, ...(c.keywords ?? [])].join(' ').toLowerCase(),
            selectable: !leavesOnly || children.length === 0,
            children,
          };
        });
    return map(tree ?? []);
  }, [tree, l, leavesOnly, includeInactive]);
  return (
    <TreeSelect
      id={id}
      value={value}
      onChange={(v) => onChange?.(v ?? undefined)}
      treeData={data}
      placeholder={placeholder}
      showSearch={{
        filterTreeNode: (input, node) => String((node as { search?: string }).search ?? '').includes(input.trim().toLowerCase()),
      }}
      allowClear={allowClear}
      loading={!tree}
      size={size}
      style={{ width: '100%', ...style }}
      popupMatchSelectWidth={false}
      listHeight={360}
    />
  );
}

interface NodePickerProps {
  value?: string;
  onChange?: (code: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  style?: React.CSSProperties;
}

interface TreeNodeData {
  id: string;
  pId?: string;
  value: string;
  title: string;
  isLeaf: boolean;
}

/**
 * A node of the grid tree in the user's part of it: browse (children load as
 * the tree opens) or type a name to search under the user's roots.
 */
export function NodePicker({ value, onChange, placeholder, allowClear = true, id, style }: NodePickerProps) {
  const [nodes, setNodes] = useState<TreeNodeData[]>([]);
  const [roots, setRoots] = useState<GridNode[]>([]);
  const [hits, setHits] = useState<TreeNodeData[] | null>(null);
  const toData = (n: GridNode, parent?: string): TreeNodeData => ({ id: n.code, pId: parent, value: n.code, title: n.name, isLeaf: n.childCount === 0 });
  useEffect(() => {
    const ctrl = new AbortController();
    casesApi
      .roots(ctrl.signal)
      .then((r) => {
        setRoots(r.items);
        setNodes(r.items.map((n) => toData(n)));
      })
      .catch(() => undefined);
    return () => ctrl.abort();
  }, []);
  const loadData = async (node: { id?: string; value?: string | number }) => {
    const code = String(node.id ?? node.value);
    if (nodes.some((n) => n.pId === code)) return;
    const r = await casesApi.children(code);
    setNodes((prev) => [...prev, ...r.items.filter((c) => !prev.some((p) => p.id === c.code)).map((c) => toData(c, code))]);
  };
  const search = useMemo(() => {
    let ctrl: AbortController | undefined;
    let timer: number | undefined;
    return (text: string) => {
      ctrl?.abort();
      window.clearTimeout(timer);
      const q = text.trim();
      if (q.length < 2) {
        setHits(null);
        return;
      }
      timer = window.setTimeout(() => {
        ctrl = new AbortController();
        const signal = ctrl.signal;
        Promise.all(roots.map((r) => casesApi.searchNodes(r.code, q, signal)))
          .then((lists) =>
            setHits(
              lists.flatMap((l) =>
                l.items.map((n) => ({ id: n.code, value: n.code, title: Array.isArray(n.pathNames) ? n.pathNames.join(' / ') : n.pathNames, isLeaf: true })),
              ),
            ),
          )
          .catch(() => undefined);
      }, 250);
    };
  }, [roots]);
  // While searching, the hits; a chosen hit joins the tree (at the top) so its name shows after the search ends.
  const data = hits ?? nodes;
  return (
    <TreeSelect
      id={id}
      treeDataSimpleMode
      treeData={data}
      loadData={hits ? undefined : loadData}
      value={value}
      onChange={(v, labels) => {
        const code = v ?? undefined;
        if (code && hits && !nodes.some((n) => n.id === code)) {
          const hit = hits.find((h) => h.id === code);
          if (hit) setNodes((prev) => [...prev, { ...hit, pId: 'search', title: String(labels?.[0] ?? hit.title) }]);
        }
        setHits(null);
        onChange?.(code);
      }}
      showSearch={{ onSearch: search, filterTreeNode: false }}
      placeholder={placeholder}
      allowClear={allowClear}
      style={{ width: '100%', ...style }}
      popupMatchSelectWidth={false}
      listHeight={360}
    />
  );
}

interface DepartmentSelectProps {
  /** Departments serving this node (at it, above it, below it). */
  node?: string;
  value?: number | number[];
  onChange?: (v: number | number[] | undefined) => void;
  multiple?: boolean;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  exclude?: (number | null | undefined)[];
  style?: React.CSSProperties;
}

export function DepartmentSelect({ node, value, onChange, multiple, placeholder, allowClear, id, exclude, style }: DepartmentSelectProps) {
  const l = useLabels();
  const [items, setItems] = useState<Department[]>();
  useEffect(() => {
    const ctrl = new AbortController();
    casesApi
      .departments(node, ctrl.signal)
      .then((r) => setItems(r.items.filter((d) => d.status === 'active')))
      .catch(() => setItems([]));
    return () => ctrl.abort();
  }, [node]);
  const options = useMemo(() => {
    const groups = new Map<string, { label: string; options: { value: number; label: string; search: string }[] }>();
    for (const d of items ?? []) {
      if (exclude?.includes(d.id)) continue;
      const g = groups.get(d.nodeCode) ?? { label: d.nodeName, options: [] };
      g.options.push({ value: d.id, label: d.name, search: `${d.name} ${l.deptKind(d.kind)} ${d.kind}`.toLowerCase() });
      groups.set(d.nodeCode, g);
    }
    // The nearest departments (deepest nodes) first.
    return [...groups.entries()].sort((a, b) => b[0].length - a[0].length).map(([, g]) => g);
  }, [items, exclude, l]);
  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      value={value}
      onChange={(v) => onChange?.(v)}
      options={options}
      placeholder={placeholder}
      allowClear={allowClear}
      loading={!items}
      showSearch={{ filterOption: (input, o) => String((o as { search?: string })?.search ?? '').includes(input.trim().toLowerCase()) }}
      style={{ width: '100%', ...style }}
    />
  );
}

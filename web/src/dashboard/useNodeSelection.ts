/**
 * The user's tree roots and the selected node's details (with ancestors) for
 * the dashboard screens; a code from the URL, else the first root.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, isAbort, type GridNode, type NodeDetail } from '../api';

export function useNodeSelection(code: string | undefined) {
  const [roots, setRoots] = useState<GridNode[]>();
  const [rootsError, setRootsError] = useState<unknown>();
  const [detail, setDetail] = useState<NodeDetail>();
  const [detailError, setDetailError] = useState<unknown>();

  useEffect(() => {
    const ctrl = new AbortController();
    api
      .roots(ctrl.signal)
      .then((r) => setRoots(r.items))
      .catch((err: unknown) => {
        if (!isAbort(err)) setRootsError(err);
      });
    return () => ctrl.abort();
  }, []);

  const selectedCode = code ?? roots?.[0]?.code;
  useEffect(() => {
    if (!selectedCode) return;
    const ctrl = new AbortController();
    setDetailError(undefined);
    api
      .node(selectedCode, ctrl.signal)
      .then(setDetail)
      .catch((err: unknown) => {
        if (!isAbort(err)) setDetailError(err);
      });
    return () => ctrl.abort();
  }, [selectedCode]);

  const current = detail && detail.code === selectedCode ? detail : undefined;
  const searchRoot = useMemo(() => {
    if (!roots) return undefined;
    return (selectedCode && roots.find((r) => selectedCode.startsWith(r.code))) || roots[0];
  }, [roots, selectedCode]);
  return { roots, rootsError, selectedCode, current, detailError, searchRoot };
}

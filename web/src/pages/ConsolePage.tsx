/**
 * The console after sign-in: the grid tree on the left, the map in the
 * centre, the selected node's details on the right. The selection lives in
 * the URL (/nodes/<code>) so a reload or a shared link opens the same node;
 * with no code the user's first root is selected.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, isAbort, type GridNode, type NodeDetail } from '../api';
import { errorText } from '../errors';
import { navigate, nodeCodeFromPath, nodePath } from '../router';
import { useSession } from '../session';
import { AppHeader } from '../components/AppHeader';
import { TreePanel } from '../components/TreePanel';
import { MapView } from '../components/MapView';
import { NodeDetails } from '../components/NodeDetails';

export function ConsolePage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { meta } = useSession();
  const [roots, setRoots] = useState<GridNode[]>();
  const [rootsError, setRootsError] = useState<unknown>();
  const [detail, setDetail] = useState<NodeDetail>();
  const [detailLoading, setDetailLoading] = useState(false);

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

  const selectedCode = nodeCodeFromPath(path) ?? roots?.[0]?.code;

  useEffect(() => {
    if (!selectedCode) return;
    const ctrl = new AbortController();
    setDetailLoading(true);
    api
      .node(selectedCode, ctrl.signal)
      .then(setDetail)
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        message.error(errorText(t, err));
        // A stale or foreign link: fall back to the user's own root.
        if (err instanceof ApiError && err.status === 404) navigate('/', { replace: true });
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setDetailLoading(false);
      });
    return () => ctrl.abort();
  }, [selectedCode, message, t]);

  const select = useCallback((code: string) => navigate(nodePath(code)), []);
  const current = detail && detail.code === selectedCode ? detail : undefined;
  const searchRoot = useMemo(() => {
    if (!roots) return undefined;
    const code = current?.code ?? selectedCode;
    return (code && roots.find((r) => code.startsWith(r.code))) || roots[0];
  }, [roots, current, selectedCode]);

  let body;
  if (rootsError) {
    const forbidden = rootsError instanceof ApiError && rootsError.status === 403;
    body = (
      <Result
        status={forbidden ? '403' : 'error'}
        title={forbidden ? t('tree.noAccess') : t('tree.loadFailed')}
        subTitle={forbidden ? t('tree.noAccessHint') : errorText(t, rootsError)}
      />
    );
  } else if (!roots) {
    body = (
      <div className="wg-fullpage-spin">
        <Spin size="large" description={t('app.loading')} />
      </div>
    );
  } else {
    body = (
      <div className="wg-body">
        <section className="wg-panel wg-tree-panel">
          <TreePanel roots={roots} selectedCode={selectedCode} selected={current} searchRoot={searchRoot} onSelect={select} />
        </section>
        <section className="wg-map-panel">
          <MapView code={selectedCode} tileUrl={meta.tileUrl} city={meta.city} onSelect={select} />
        </section>
        <section className="wg-panel wg-details-panel">
          <NodeDetails node={current ?? (detailLoading ? undefined : detail)} loading={detailLoading} roots={roots} onSelect={select} />
        </section>
      </div>
    );
  }

  return (
    <div className="wg-console">
      <AppHeader />
      {body}
    </div>
  );
}

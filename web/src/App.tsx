/**
 * The app shell: antd theme and locale (zh-CN first, en on request), the
 * session check, and the choice between the sign-in page and the console.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App as AntApp, Button, ConfigProvider, Result, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type Me, type Meta } from './api';
import { errorText } from './errors';
import { navigate, usePathname } from './router';
import { SessionContext, type Session } from './session';
import { SignInPage } from './pages/SignInPage';
import { areaFor } from './screens';
import { isPublicScreen } from './public/paths';

// The console (and Leaflet with it) loads after sign-in: the sign-in page stays light.
const ConsolePage = lazy(() => import('./pages/ConsolePage').then((m) => ({ default: m.ConsolePage })));
// Pages without an account (anonymous report, following a case by its link).
const PublicScreens = lazy(() => import('./public/PublicScreens'));
// Every other screen area (cases, H5 pages, …) loads on demand too: see screens.ts.

export function App() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? enUS : zhCN;
  return (
    <ConfigProvider
      locale={locale}
      // Keep "登录" as typed: the inserted space would change what screen readers and tests read.
      button={{ autoInsertSpace: false }}
      theme={{ token: { colorPrimary: '#1d5fd1', borderRadius: 6, fontFamily: "-apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Segoe UI', Roboto, sans-serif" } }}
    >
      <AntApp className="wg-app">
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}

function Shell() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const path = usePathname();
  const [meta, setMeta] = useState<Meta>();
  /** undefined while checking, null when signed out. */
  const [me, setMe] = useState<Me | null>();
  const [fatal, setFatal] = useState<unknown>();
  /** Where to go after signing in (a deep link opened while signed out). */
  const returnTo = useRef<string | null>(null);
  const signedOutOnPurpose = useRef(false);

  const load = useCallback(async () => {
    setFatal(undefined);
    try {
      const [m, who] = await Promise.all([
        api.meta(),
        api.me().catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 401) return null;
          throw err;
        }),
      ]);
      setMeta(m);
      if (who) setCsrfToken(who.csrfToken);
      setMe(who);
    } catch (err) {
      setFatal(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setMe((prev) => {
        if (prev) message.warning({ content: t('errors.SESSION_EXPIRED'), key: 'session-expired' });
        return null;
      });
    });
  }, [message, t]);

  // Keep the URL in step with the session: signed out → /login, signed in → away from /login.
  useEffect(() => {
    if (me === null && path !== '/login' && !isPublicScreen(path)) {
      returnTo.current = path !== '/' && !signedOutOnPurpose.current ? path : null;
      signedOutOnPurpose.current = false;
      navigate('/login', { replace: true });
    } else if (me && path === '/login') {
      navigate(returnTo.current ?? '/', { replace: true });
      returnTo.current = null;
    }
  }, [me, path]);

  const onSignedIn = useCallback(async (csrf: string) => {
    setCsrfToken(csrf);
    const who = await api.me();
    setCsrfToken(who.csrfToken);
    setMe(who);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setCsrfToken('');
      // A deliberate sign-out should not send the next user back to this page.
      signedOutOnPurpose.current = true;
      setMe(null);
      message.success(t('header.signedOut'));
    }
  }, [message, t]);

  const session = useMemo<Session | null>(() => (meta && me ? { meta, me, signOut } : null), [meta, me, signOut]);

  if (fatal) {
    return (
      <Result
        status="error"
        title={t('errors.UNAVAILABLE')}
        subTitle={errorText(t, fatal)}
        extra={<Button onClick={() => void load()}>{t('app.retry')}</Button>}
      />
    );
  }
  const spinner = (
    <div className="wg-fullpage-spin">
      <Spin size="large" description={t('app.loading')} />
    </div>
  );
  if (meta && isPublicScreen(path)) {
    return (
      <Suspense fallback={spinner}>
        <PublicScreens path={path} />
      </Suspense>
    );
  }
  if (!meta || me === undefined) return spinner;
  if (!session) return <SignInPage meta={meta} onSignedIn={onSignedIn} />;
  const Area = areaFor(path, session.me.permissions)?.Component;
  return (
    <SessionContext.Provider value={session}>
      <Suspense fallback={spinner}>
        {Area ? <Area path={path} /> : <ConsolePage path={path} />}
      </Suspense>
    </SessionContext.Provider>
  );
}

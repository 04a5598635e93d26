/**
 * The dashboard's map: the node's children as polygons shaded by this
 * month's reports (density), and the open cases as points in their clock
 * colour; clicking a child drills down. Works with no tile server; a tile
 * layer is added when the installation has one.
 */
import { useEffect, useRef, useState } from 'react';
import { App, Segmented, Spin, Typography } from 'antd';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { isAbort, type Meta } from '../api';
import { errorText } from '../errors';
import { useLabels } from '../cases/i18n';
import { dashboardApi, type CasePoints, type DensityFeatures, type DensityProps } from './dashboardApi';

interface Props {
  code: string;
  tileUrl: string | null;
  city: Meta['city'];
  onSelect: (code: string) => void;
  /** Changes when live events arrive: the layers reload. */
  tick: number;
}

const CLOCK_HEX = { green: '#16a34a', yellow: '#d97706', red: '#dc2626' } as const;
/** Light to dark red, by share of the busiest child. */
const RAMP = ['#fee2e2', '#fecaca', '#fca5a5', '#f87171', '#ef4444', '#b91c1c'];

function textNode(text: string): HTMLElement {
  const span = document.createElement('span');
  span.textContent = text;
  return span;
}

export function DashboardMap({ code, tileUrl, city, onSelect, tick }: Props) {
  const l = useLabels();
  const { t } = l;
  const { message } = App.useApp();
  const box = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<L.Map>();
  const [density, setDensity] = useState<DensityFeatures>();
  const [points, setPoints] = useState<CasePoints>();
  const [mode, setMode] = useState<'density' | 'points'>('density');
  const [loading, setLoading] = useState(false);
  const [bbox, setBbox] = useState<[number, number, number, number]>();
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const m = L.map(el, { attributionControl: !!tileUrl, minZoom: 3, maxZoom: 19, zoomSnap: 0.25 });
    const c = city?.center;
    m.setView(c ? [c[1], c[0]] : [23.1, 114.4], 9);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(m);
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(el);
    let timer: number | undefined;
    m.on('moveend', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const b = m.getBounds();
        setBbox([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
      }, 250);
    });
    setMap(m);
    return () => {
      window.clearTimeout(timer);
      ro.disconnect();
      m.remove();
      setMap(undefined);
    };
  }, [tileUrl, city]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    dashboardApi
      .density({ node: code }, ctrl.signal)
      .then(setDensity)
      .catch((err: unknown) => {
        if (!isAbort(err)) message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [code, tick, message, t]);

  // Points: the open cases in view (the server caps them and says so).
  useEffect(() => {
    if (!bbox) return;
    const ctrl = new AbortController();
    dashboardApi
      .points({ node: code, bbox, open: true, limit: 2000 }, ctrl.signal)
      .then(setPoints)
      .catch((err: unknown) => {
        if (!isAbort(err)) setPoints(undefined);
      });
    return () => ctrl.abort();
  }, [code, bbox, tick]);

  // Children polygons, shaded by count; fitted to view when the node changes.
  const fitted = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!map || !density || density.node.code !== code) return;
    const max = Math.max(1, ...density.features.map((f) => f.properties.count));
    const fill = (p: DensityProps) => (p.count === 0 ? '#f1f5f9' : RAMP[Math.min(RAMP.length - 1, Math.floor((p.count / max) * (RAMP.length - 1)))]!);
    const layer = L.geoJSON(density, {
      style: (f) => {
        const p = f!.properties as DensityProps;
        return mode === 'density'
          ? { color: '#ffffff', weight: 1.5, fillColor: fill(p), fillOpacity: 0.8, className: 'wgd-density' }
          : { color: '#64748b', weight: 1.2, fillColor: '#e2e8f0', fillOpacity: 0.25, className: 'wgd-density' };
      },
      onEachFeature: (f, lyr) => {
        const p = f.properties as DensityProps;
        const path = lyr as L.Path;
        const lines = [`${p.name}`, `${t('dashboard.map.legendCount')}: ${p.count}`, `${t('dashboard.map.open')}: ${p.open}`, `${t('dashboard.map.overdue')}: ${p.overdue}`];
        if (p.per100Households !== null) lines.push(`${t('dashboard.map.per100')}: ${p.per100Households.toFixed(1)}`);
        path.bindTooltip(textNode(lines.join(' · ')), { sticky: true });
        path.on('add', () => {
          const el = path.getElement();
          if (!el) return;
          el.setAttribute('data-code', p.code);
          el.setAttribute('data-count', String(p.count));
          el.setAttribute('role', 'button');
          el.setAttribute('aria-label', `${p.name} ${p.count}`);
          el.setAttribute('tabindex', '0');
          el.addEventListener('keydown', (e) => {
            if ((e as KeyboardEvent).key === 'Enter') onSelectRef.current(p.code);
          });
        });
        path.on('click', () => onSelectRef.current(p.code));
        path.on('mouseover', () => path.setStyle({ weight: 3 }));
        path.on('mouseout', () => layer.resetStyle(path));
      },
    }).addTo(map);
    if (fitted.current !== code) {
      const b = layer.getBounds();
      if (b.isValid()) map.fitBounds(b, { padding: [16, 16], maxZoom: 17 });
      else {
        const mb = map.getBounds();
        setBbox([mb.getWest(), mb.getSouth(), mb.getEast(), mb.getNorth()]);
      }
      fitted.current = code;
    }
    return () => {
      layer.remove();
    };
  }, [map, density, code, mode, t]);

  useEffect(() => {
    if (!map || !points) return;
    const group = L.layerGroup();
    for (const f of points.features) {
      const [lng, lat] = f.geometry.coordinates as [number, number];
      const p = f.properties;
      L.circleMarker([lat, lng], { radius: mode === 'points' ? 6 : 4, color: '#fff', weight: 1, fillColor: CLOCK_HEX[p.clockColour], fillOpacity: 0.95, className: `wgd-point wgd-point-${p.clockColour}`, interactive: mode === 'points' })
        .bindTooltip(textNode(`${p.number} · ${l.status(p.status)} · ${l.clock(p.clockColour)}`))
        .addTo(group);
    }
    group.addTo(map);
    return () => {
      group.remove();
    };
  }, [map, points, mode, l]);

  return (
    <div className="wgd-map">
      <div className="wgd-map-tools">
        <Segmented
          size="small"
          value={mode}
          onChange={(v) => setMode(v as 'density' | 'points')}
          options={[
            { value: 'density', label: t('dashboard.map.density') },
            { value: 'points', label: t('dashboard.map.points') },
          ]}
        />
        <span className="wgd-map-legend">
          {(['green', 'yellow', 'red'] as const).map((c) => (
            <span key={c}>
              <span className="wgd-dot" style={{ background: CLOCK_HEX[c] }} aria-hidden /> {l.clock(c)}
            </span>
          ))}
        </span>
        {points?.truncated && <Typography.Text type="warning">{t('dashboard.map.truncated', { limit: points.limit })}</Typography.Text>}
      </div>
      <div ref={box} className="wgd-map-canvas" data-testid="dashboard-map" />
      {loading && (
        <div className="wg-map-overlay wg-map-loading">
          <Spin />
        </div>
      )}
    </div>
  );
}

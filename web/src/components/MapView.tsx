/**
 * The map: the selected node's outline and its children's polygons, coloured
 * by level (or by kind for grids), named, fitted to view; clicking a child
 * selects it. Works with no tile server (polygons on a plain background);
 * a tile layer is added only when the installation configures one.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { App, Empty, Spin } from 'antd';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { useTranslation } from 'react-i18next';
import { api, isAbort, type Meta, type NodeFeatureProps, type NodeFeatures } from '../api';
import { errorText } from '../errors';
import { colorOf } from '../levels';
import { labelPoint } from '../geo';

interface Props {
  code: string | undefined;
  tileUrl: string | null;
  city: Meta['city'];
  onSelect: (code: string) => void;
}

/** Above this many children the names show on hover only, so labels do not bury the shapes. */
const MAX_PERMANENT_LABELS = 30;

/** Names come from users: Leaflet would read a string as HTML, a text node it cannot. */
function textLabel(text: string): HTMLElement {
  const span = document.createElement('span');
  span.textContent = text;
  return span;
}

/** Neighbouring children share a colour; a small lightness step per index tells them apart. */
function shade(hex: string, index: number): string {
  const n = parseInt(hex.slice(1), 16);
  const steps = [0, 0.18, -0.12, 0.3, 0.08, -0.2];
  const f = steps[index % steps.length]!;
  const ch = (v: number) => Math.round(f >= 0 ? v + (255 - v) * f : v * (1 + f));
  const r = ch((n >> 16) & 255);
  const g = ch((n >> 8) & 255);
  const b = ch(n & 255);
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

export function MapView({ code, tileUrl, city, onSelect }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const box = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<L.Map>();
  const [data, setData] = useState<{ code: string; fc: NodeFeatures }>();
  const [loading, setLoading] = useState(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  // The map itself: created once per tile setting, resized with its box.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const m = L.map(el, {
      zoomControl: true,
      attributionControl: !!tileUrl,
      minZoom: 3,
      maxZoom: 19,
      zoomSnap: 0.25,
    });
    const center = city?.center;
    m.setView(center ? [center[1], center[0]] : [23.1, 114.4], 9);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(m);
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(el);
    setMap(m);
    return () => {
      ro.disconnect();
      m.remove();
      setMap(undefined);
    };
  }, [tileUrl, city]);

  // The shapes of the selected node and its children.
  useEffect(() => {
    if (!code) return;
    const ctrl = new AbortController();
    setLoading(true);
    api
      .geojson(code, ctrl.signal)
      .then((fc) => setData({ code, fc }))
      .catch((err: unknown) => {
        if (isAbort(err)) return;
        setData({ code, fc: { type: 'FeatureCollection', features: [] } });
        message.error(errorText(t, err));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [code, message, t]);

  useEffect(() => {
    if (!map || !data) return;
    const children = data.fc.features.filter((f) => f.properties.role === 'child');
    const selfs = data.fc.features.filter((f) => f.properties.role !== 'child');
    const permanent = children.length <= MAX_PERMANENT_LABELS;
    const index = new Map(children.map((f, i) => [f.properties.code, i]));

    const styleOf = (p: NodeFeatureProps): L.PathOptions => {
      if (p.role !== 'child') {
        return { color: '#1f2937', weight: 2.5, dashArray: '6 4', fill: false, interactive: false, className: 'wg-self-outline' };
      }
      const retired = p.status === 'retired';
      return {
        color: '#ffffff',
        weight: 1.5,
        fillColor: shade(colorOf(p.level, p.kind), index.get(p.code) ?? 0),
        fillOpacity: retired ? 0.15 : 0.5,
        dashArray: retired ? '4 4' : undefined,
        className: 'wg-child-polygon',
      };
    };

    // Children first, the outline on top (it takes no clicks).
    const layer = L.geoJSON({ type: 'FeatureCollection', features: [...children, ...selfs] } as NodeFeatures, {
      style: (f) => styleOf(f!.properties as NodeFeatureProps),
      onEachFeature: (f, lyr) => {
        const p = f.properties as NodeFeatureProps;
        if (p.role !== 'child') return;
        const path = lyr as L.Path;
        if (!permanent) path.bindTooltip(textLabel(p.name), { sticky: true });
        path.on('add', () => {
          const el = path.getElement();
          if (!el) return;
          el.setAttribute('data-code', p.code);
          el.setAttribute('data-level', p.level);
          el.setAttribute('role', 'button');
          el.setAttribute('aria-label', p.name);
          el.setAttribute('tabindex', '0');
          el.addEventListener('keydown', (e) => {
            if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') onSelectRef.current(p.code);
          });
        });
        path.on('click', () => onSelectRef.current(p.code));
        path.on('mouseover', () => {
          path.setStyle({ weight: 3, fillOpacity: 0.7 });
          path.bringToFront();
        });
        path.on('mouseout', () => layer.resetStyle(path));
      },
    }).addTo(map);

    // Few children: their names stay on the map, each at the point farthest inside its shape.
    const labels = L.layerGroup();
    if (permanent) {
      for (const f of children) {
        const at = labelPoint(f.geometry);
        if (!at) continue;
        L.tooltip({ permanent: true, direction: 'center', className: 'wg-map-label', interactive: false })
          .setLatLng([at[1], at[0]])
          .setContent(textLabel(f.properties.name))
          .addTo(labels);
      }
      labels.addTo(map);
    }

    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    return () => {
      labels.remove();
      layer.remove();
    };
  }, [map, data]);

  const empty = !loading && data && data.code === code && data.fc.features.length === 0;
  /** One legend entry per colour in use: levels for divisions, kinds for grids. */
  const legend = useMemo(() => {
    const seen = new Map<string, { color: string; label: string }>();
    for (const f of data?.fc.features ?? []) {
      const p = f.properties;
      if (p.role !== 'child') continue;
      const key = p.kind === 'admin' ? `level:${p.level}` : `kind:${p.kind}`;
      if (!seen.has(key)) seen.set(key, { color: colorOf(p.level, p.kind), label: p.kind === 'admin' ? t(`levels.${p.level}`) : t(`kinds.${p.kind}`) });
    }
    return [...seen.entries()];
  }, [data, t]);
  return (
    <div className="wg-map" aria-label={t('map.label')} role="region">
      <div ref={box} className="wg-map-canvas" data-testid="map" />
      {loading && (
        <div className="wg-map-overlay wg-map-loading">
          <Spin description={t('map.loading')} />
        </div>
      )}
      {legend.length > 0 && !loading && (
        <ul className="wg-map-legend" aria-label={t('map.legend')}>
          {legend.map(([key, e]) => (
            <li key={key}>
              <span className="wg-legend-swatch" style={{ background: e.color }} aria-hidden />
              {e.label}
            </li>
          ))}
        </ul>
      )}
      {empty && (
        <div className="wg-map-overlay">
          <Empty description={t('map.noShapes')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        </div>
      )}
    </div>
  );
}

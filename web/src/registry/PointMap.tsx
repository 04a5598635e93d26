/** Points on a plain Leaflet map (no tile server needed): a household, a place, a thing, or a list of them. */
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

export interface MapPoint {
  lng: number | null;
  lat: number | null;
  label?: string;
  colour?: string;
}

export function PointMap({ points, height = 260 }: { points: MapPoint[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const map = L.map(el, { attributionControl: false, zoomControl: true });
    const placed = points.filter((p): p is MapPoint & { lng: number; lat: number } => p.lng != null && p.lat != null);
    const group = L.featureGroup(
      placed.map((p) => {
        const m = L.circleMarker([p.lat, p.lng], { radius: 7, color: p.colour ?? '#1677ff', fillOpacity: 0.8 });
        if (p.label) m.bindTooltip(p.label);
        return m;
      }),
    ).addTo(map);
    if (placed.length) map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 17 });
    else map.setView([23.08, 114.4], 12);
    return () => {
      map.remove();
    };
  }, [points]);
  return <div ref={box} style={{ height, width: '100%', background: '#eef2f6', borderRadius: 8 }} data-testid="registry-map" />;
}

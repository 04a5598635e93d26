/** A patrol's track on a plain Leaflet map (no tile server needed): the line, start and end. */
import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';

export function TrackMap({ coordinates, height = 360 }: { coordinates: number[][]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const map = L.map(el, { attributionControl: false, zoomControl: true });
    const latlngs = coordinates.map(([lng, lat]) => [lat!, lng!] as [number, number]);
    if (latlngs.length) {
      const line = L.polyline(latlngs, { color: '#1677ff', weight: 4 }).addTo(map);
      L.circleMarker(latlngs[0]!, { radius: 6, color: '#52c41a', fillOpacity: 1 }).addTo(map);
      L.circleMarker(latlngs[latlngs.length - 1]!, { radius: 6, color: '#f5222d', fillOpacity: 1 }).addTo(map);
      map.fitBounds(line.getBounds(), { padding: [20, 20], maxZoom: 18 });
    } else map.setView([23.08, 114.4], 12);
    return () => {
      map.remove();
    };
  }, [coordinates]);
  return <div ref={box} style={{ height, width: '100%', background: '#eef2f6', borderRadius: 8 }} data-testid="track-map" />;
}

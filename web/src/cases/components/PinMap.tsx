/**
 * A small map with one pin: the case's place, inside the outline of its grid
 * when the viewer may see the grid's shape. With `onMove`, the pin can be
 * dragged (or the map tapped) to adjust the place. No tile server needed; the
 * installation's tiles are drawn when it has some.
 */
import { useEffect, useRef, useState } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { NodeFeatures } from '../../api';

interface Props {
  location: { lng: number; lat: number } | null;
  /** Shape(s) to draw under the pin (the grid). */
  outline?: NodeFeatures | null;
  onMove?: (p: { lng: number; lat: number }) => void;
  tileUrl?: string | null;
  height?: number | string;
  label?: string;
  fallbackCenter?: [number, number];
}

const pinIcon = L.divIcon({ className: 'wgc-pin', html: '<span class="wgc-pin-dot"></span>', iconSize: [28, 28], iconAnchor: [14, 28] });

export function PinMap({ location, outline, onMove, tileUrl, height = 240, label, fallbackCenter }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<L.Map>();
  const marker = useRef<L.Marker | undefined>(undefined);
  const onMoveRef = useRef(onMove);
  onMoveRef.current = onMove;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const m = L.map(el, { zoomControl: true, attributionControl: !!tileUrl, minZoom: 3, maxZoom: 19 });
    const c = fallbackCenter ?? [114.4, 23.1];
    m.setView([c[1], c[0]], 11);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => onMoveRef.current?.({ lng: round(e.latlng.lng), lat: round(e.latlng.lat) }));
    const ro = new ResizeObserver(() => m.invalidateSize());
    ro.observe(el);
    setMap(m);
    return () => {
      ro.disconnect();
      m.remove();
      setMap(undefined);
    };
  }, [tileUrl]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!map || !outline?.features.length) return;
    const layer = L.geoJSON(outline, { style: { color: '#1d5fd1', weight: 2, fillColor: '#2f6fdb', fillOpacity: 0.12, interactive: false } }).addTo(map);
    // The whole grid in view, with the pin (it may lie just outside when dragged).
    const b = layer.getBounds();
    if (location) b.extend(L.latLng(location.lat, location.lng));
    if (b.isValid()) map.fitBounds(b, { padding: [16, 16], maxZoom: 17 });
    return () => {
      layer.remove();
    };
  }, [map, outline]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!map) return;
    if (!location) {
      marker.current?.remove();
      marker.current = undefined;
      return;
    }
    const ll = L.latLng(location.lat, location.lng);
    if (!marker.current) {
      marker.current = L.marker(ll, { icon: pinIcon, draggable: !!onMoveRef.current, keyboard: false, title: label }).addTo(map);
      marker.current.on('dragend', () => {
        const p = marker.current!.getLatLng();
        onMoveRef.current?.({ lng: round(p.lng), lat: round(p.lat) });
      });
      const bounds = outline?.features.length ? L.geoJSON(outline).getBounds().extend(ll) : undefined;
      if (bounds?.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
      else map.setView(ll, 16);
    } else {
      marker.current.setLatLng(ll);
      if (!map.getBounds().contains(ll)) map.panTo(ll);
    }
  }, [map, location, outline, label]);

  return <div ref={box} className="wgc-pinmap" style={{ height }} role="region" aria-label={label} data-testid="pin-map" />;
}

/** Six decimals: about 0.1 m, more than a phone's fix. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

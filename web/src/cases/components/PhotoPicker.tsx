/**
 * Photos for a report or an action: picked from the camera or the album,
 * shrunk on the phone when large (a 12-megapixel photo becomes ~2048 px JPEG),
 * uploaded at once to /api/cases/photos, shown as thumbnails that can be
 * removed. The form gets the uploaded ids; it waits while uploads run.
 */
import { useEffect, useRef, useState } from 'react';
import { App, Button, Spin } from 'antd';
import { CameraOutlined, CloseOutlined, ExclamationCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../errors';
import { casesApi } from '../casesApi';

interface Item {
  key: string;
  preview: string;
  status: 'uploading' | 'done' | 'error';
  sha256?: string;
}

interface Props {
  /** Ids of the uploaded photos (what the form sends). */
  onChange?: (ids: string[]) => void;
  /** True while an upload runs: the form should not submit yet. */
  onBusyChange?: (busy: boolean) => void;
  max?: number;
  /** Open the rear camera on phones. */
  capture?: boolean;
  label?: string;
  id?: string;
}

const MAX_BYTES = 10 * 1024 * 1024;
/** Photos above this size are re-encoded in the browser before upload. */
const SHRINK_ABOVE = 1.5 * 1024 * 1024;
const MAX_EDGE = 2048;

async function shrink(file: File): Promise<Blob> {
  if (file.size <= SHRINK_ABOVE || !/^image\/(jpeg|png|webp)$/.test(file.type)) return file;
  try {
    const bmp = await createImageBitmap(file);
    const scale = Math.min(1, MAX_EDGE / Math.max(bmp.width, bmp.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bmp.width * scale);
    canvas.height = Math.round(bmp.height * scale);
    canvas.getContext('2d')!.drawImage(bmp, 0, 0, canvas.width, canvas.height);
    bmp.close();
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.85));
    return blob && blob.size < file.size ? blob : file;
  } catch {
    return file;
  }
}

export function PhotoPicker({ onChange, onBusyChange, max = 9, capture, label, id }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>([]);
  const cb = useRef({ onChange, onBusyChange });
  cb.current = { onChange, onBusyChange };

  useEffect(() => {
    cb.current.onChange?.(items.filter((i) => i.status === 'done').map((i) => i.sha256!));
    cb.current.onBusyChange?.(items.some((i) => i.status === 'uploading'));
  }, [items]);

  useEffect(() => () => items.forEach((i) => URL.revokeObjectURL(i.preview)), []); // eslint-disable-line react-hooks/exhaustive-deps

  const pick = async (files: FileList | null) => {
    if (!files?.length) return;
    const room = max - items.length;
    const chosen = [...files].slice(0, Math.max(0, room));
    if (files.length > room) message.warning(t('cases.form.photoLimit'));
    const fresh = chosen.map((f) => ({ file: f, item: { key: `${Date.now()}-${Math.random()}`, preview: URL.createObjectURL(f), status: 'uploading' as const } }));
    setItems((prev) => [...prev, ...fresh.map((x) => x.item)]);
    if (input.current) input.current.value = '';
    await Promise.all(
      fresh.map(async ({ file, item }) => {
        try {
          const blob = await shrink(file);
          if (blob.size > MAX_BYTES) throw new Error(t('cases.form.photoTooBig'));
          const name = blob === file ? file.name : file.name.replace(/\.\w+$/, '') + '.jpg';
          const { items: up } = await casesApi.uploadPhotos([blob], [name]);
          setItems((prev) => prev.map((i) => (i.key === item.key ? { ...i, status: 'done', sha256: up[0]!.sha256 } : i)));
        } catch (err) {
          message.error(errorText(t, err));
          setItems((prev) => prev.map((i) => (i.key === item.key ? { ...i, status: 'error' } : i)));
        }
      }),
    );
  };

  const remove = (key: string) =>
    setItems((prev) => {
      const gone = prev.find((i) => i.key === key);
      if (gone) URL.revokeObjectURL(gone.preview);
      return prev.filter((i) => i.key !== key);
    });

  return (
    <div className="wgc-photos-picker">
      {items.map((i) => (
        <div key={i.key} className={`wgc-thumb wgc-thumb-${i.status}`} data-status={i.status}>
          <img src={i.preview} alt="" />
          {i.status === 'uploading' && (
            <div className="wgc-thumb-over">
              <Spin size="small" />
            </div>
          )}
          {i.status === 'error' && (
            <div className="wgc-thumb-over">
              <ExclamationCircleOutlined style={{ color: '#cf1322', fontSize: 20 }} />
            </div>
          )}
          <button type="button" className="wgc-thumb-remove" aria-label={t('cases.common.delete')} onClick={() => remove(i.key)}>
            <CloseOutlined />
          </button>
        </div>
      ))}
      {items.length < max && (
        <Button className="wgc-thumb-add" icon={<CameraOutlined />} onClick={() => input.current?.click()}>
          {label ?? t('cases.form.addPhoto')}
        </Button>
      )}
      <input
        ref={input}
        id={id}
        type="file"
        accept="image/*"
        multiple
        {...(capture ? { capture: 'environment' } : {})}
        aria-label={label ?? t('cases.form.addPhoto')}
        data-testid="photo-input"
        style={{ display: 'none' }}
        onChange={(e) => void pick(e.target.files)}
      />
    </div>
  );
}

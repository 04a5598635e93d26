import type { FastifyRequest } from 'fastify';
import { fieldError } from '../errors.js';
import { storePhoto, type StoredPhoto } from './photos.js';

/** Stores every file of a multipart request (field "photos"); 400/413/415 naming the field for bad uploads. */
export async function receivePhotos(req: FastifyRequest, cfg: { uploadDir: string; maxPhotoBytes: number }): Promise<{ items: StoredPhoto[] }> {
  if (!req.isMultipart()) throw fieldError('photos', 'send multipart/form-data with one or more files', 'UNSUPPORTED_MEDIA_TYPE');
  const items: StoredPhoto[] = [];
  for await (const part of req.files()) {
    const buf = await part.toBuffer().catch((e: { code?: string }) => {
      if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw fieldError('photos', `a file is larger than ${Math.round(cfg.maxPhotoBytes / 1024 / 1024)} MB`, 'PAYLOAD_TOO_LARGE');
      throw e;
    });
    items.push(storePhoto(cfg.uploadDir, buf, cfg.maxPhotoBytes, `photos.${items.length}`));
  }
  if (!items.length) throw fieldError('photos', 'no file received');
  return { items };
}

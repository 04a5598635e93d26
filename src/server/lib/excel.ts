/**
 * exceljs, loaded on first use: it and its zip libraries take ~0.25 s to load,
 * which every server start paid although most never read or write a sheet.
 */
import type ExcelJS from 'exceljs';

let loaded: Promise<typeof ExcelJS> | undefined;

export function excel(): Promise<typeof ExcelJS> {
  loaded ??= import('exceljs').then((m) => (m as unknown as { default: typeof ExcelJS }).default ?? (m as unknown as typeof ExcelJS));
  return loaded;
}

import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Level, NodeKind } from '../api';
import { colorOf } from '../levels';

/** The level of a node as a small coloured tag (grids show their kind's colour). */
export function LevelTag({ level, kind = 'admin' }: { level: Level; kind?: NodeKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={colorOf(level, kind)} className="wg-level-tag" variant="solid" title={kind === 'admin' ? t(`levels.${level}`) : `${t(`levels.${level}`)} · ${t(`kinds.${kind}`)}`}>
      {t(`levelsShort.${level}`, { defaultValue: level })}
    </Tag>
  );
}

/**
 * The queue's export button: Excel or CSV of every case matching the queue's
 * current filters. A plain link (GET, same-origin cookie): the browser
 * streams the file straight to disk, however many rows.
 */
import { Button, Dropdown, Space, Tooltip } from 'antd';
import { DownloadOutlined, DownOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import './i18n';
import { caseExportUrl } from './paths';

/** `query`: the queue's query (GET /api/cases parameters); paging and sort are left out of the file's URL. */
export function ExportButton({ query }: { query: object }) {
  const { t } = useTranslation();
  const go = (format: 'xlsx' | 'csv') => {
    const a = document.createElement('a');
    a.href = caseExportUrl(format, query);
    a.download = '';
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  return (
    <Space.Compact>
      <Tooltip title={t('ledgers.export.hint')}>
        <Button icon={<DownloadOutlined />} onClick={() => go('xlsx')}>
          {t('ledgers.export.button')}
        </Button>
      </Tooltip>
      <Dropdown menu={{ items: [{ key: 'xlsx', label: t('ledgers.export.xlsx') }, { key: 'csv', label: t('ledgers.export.csv') }], onClick: ({ key }) => go(key as 'xlsx' | 'csv') }}>
        <Button icon={<DownOutlined />} aria-label={t('ledgers.export.more')} />
      </Dropdown>
    </Space.Compact>
  );
}

/** The grid worker's household lookup on the phone (/h5/households): search by address, room or name, then the household. */
import { useEffect, useState } from 'react';
import { Empty, Input, List, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { H5Shell } from '../h5/H5Shell';
import { navigate } from '../router';
import { registryApi, type Household } from './registryApi';
import { HouseholdPage } from './RegistryPages';
import { Go } from './Go';

export function H5HouseholdsPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Household[]>();
  useEffect(() => {
    const ctrl = new AbortController();
    const term = q.trim();
    const load = async (): Promise<Household[]> => {
      const byAddress = await registryApi.households({ q: term || undefined, pageSize: 30 }, ctrl.signal);
      if (!term || byAddress.items.length) return byAddress.items;
      // Not an address: look for a person of that name and show their households.
      const people = await registryApi.residents({ name: term, pageSize: 30 }, ctrl.signal);
      const ids = [...new Set(people.items.map((r) => r.householdId).filter((x): x is number => !!x))].slice(0, 10);
      return Promise.all(ids.map((id) => registryApi.household(id)));
    };
    const timer = window.setTimeout(() => load().then(setItems, () => undefined), 250);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [q]);
  return (
    <H5Shell title={t('registry.h5.title')}>
      <div style={{ padding: 12 }}>
        <Input.Search allowClear placeholder={t('registry.h5.search')} value={q} onChange={(e) => setQ(e.target.value)} aria-label={t('registry.h5.search')} />
      </div>
      {!items ? (
        <Spin style={{ display: 'block', margin: 32 }} />
      ) : items.length === 0 ? (
        <Empty description={t('registry.h5.empty')} />
      ) : (
        <List
          dataSource={items}
          renderItem={(h) => (
            <List.Item onClick={() => navigate(`/h5/households/${h.id}`)} style={{ padding: '10px 16px', cursor: 'pointer' }}>
              <List.Item.Meta title={<Go to={`/h5/households/${h.id}`}>{[h.building, h.unit, h.room].filter(Boolean).join(' ') || h.address}</Go>} description={`${h.address} · ${h.headName ?? ''} · ${t('registry.h5.persons', { n: h.memberCount })}`} />
            </List.Item>
          )}
        />
      )}
    </H5Shell>
  );
}

export function H5HouseholdPage({ id }: { id: number }) {
  const { t } = useTranslation();
  return (
    <H5Shell title={t('registry.household')} back="/h5/households">
      <div style={{ padding: 12 }}>
        <HouseholdPage id={id} compact />
      </div>
    </H5Shell>
  );
}

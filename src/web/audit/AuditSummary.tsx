/**
 * The « vision globale » of the journal: actions per user × kind of action over the filtered
 * period, with row and column totals, and a chart of actions per day per user. Loaded on demand
 * (the chart library is only fetched by those who open this view).
 */
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ACTION_GROUPS } from '../../core/audit-labels';
import { api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { AuditSummary as Summary } from '../app/types';
import { useI18n } from '../i18n';
import { LoadError, Loading } from '../ui/QueryState';

/** Distinct colours for up to ten users, then repeated; readable on white. */
const COLOURS = ['#1f5fa8', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0f766e', '#a16207', '#be185d', '#4d7c0f', '#475569'];

export default function AuditSummary({ dossierId, filterQuery }: { dossierId: string; filterQuery: string }) {
  const { t, locale, format } = useI18n();
  const summary = useQuery({
    queryKey: keys.auditSummary(dossierId, filterQuery),
    queryFn: ({ signal }) => api.get<Summary>(`/api/d/${seg(dossierId)}/audit/summary?${filterQuery}`, signal),
  });
  if (summary.isPending) return <Loading />;
  if (summary.isError) return <LoadError error={summary.error} retry={() => void summary.refetch()} />;
  const data = summary.data;
  if (data.total === 0) return <p>{t('audit.noMatch')}</p>;
  const groups = Object.keys(ACTION_GROUPS).filter((g) => data.byUser.some((u) => u.groups[g]));
  const columnTotal = (g: string) => data.byUser.reduce((n, u) => n + (u.groups[g] ?? 0), 0);
  const users = data.byUser.map((u, i) => ({ key: u.userId ?? 'system', name: u.name || t('audit.system'), colour: COLOURS[i % COLOURS.length]! }));
  const days = new Map<string, Record<string, number | string>>();
  for (const d of data.byDay) {
    const row = days.get(d.day) ?? { day: d.day };
    row[d.userId ?? 'system'] = d.count;
    days.set(d.day, row);
  }
  const chart = [...days.values()];

  return (
    <div className="audit-summary">
      <div className="table-wrap">
        <table className="list-table">
          <caption>{t('audit.summaryCaption', { count: format.number(data.total) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.who')}</th>
              {groups.map((g) => (
                <th key={g} scope="col" className="num">
                  {ACTION_GROUPS[g]![locale]}
                </th>
              ))}
              <th scope="col" className="num">
                {t('audit.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.byUser.map((u) => (
              <tr key={u.userId ?? 'system'}>
                <th scope="row">{u.name || t('audit.system')}</th>
                {groups.map((g) => (
                  <td key={g} className="num">
                    {format.number(u.groups[g] ?? 0)}
                  </td>
                ))}
                <td className="num">
                  <strong>{format.number(u.total)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('audit.total')}</th>
              {groups.map((g) => (
                <td key={g} className="num">
                  <strong>{format.number(columnTotal(g))}</strong>
                </td>
              ))}
              <td className="num">
                <strong>{format.number(data.total)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <figure className="audit-chart">
        <figcaption>{t('audit.chartCaption')}</figcaption>
        <ResponsiveContainer width="100%" height={280}>
          <BarChart data={chart} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={(day: string) => format.date(day)} fontSize={12} />
            <YAxis allowDecimals={false} fontSize={12} />
            <Tooltip labelFormatter={(day) => format.date(String(day))} />
            <Legend />
            {users.map((u) => (
              <Bar key={u.key} dataKey={u.key} name={u.name} stackId="actions" fill={u.colour} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}

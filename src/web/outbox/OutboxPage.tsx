/**
 * The local outbox: without an SMTP server, e-mails are kept by the server and read here — only
 * by the person running Ardoise, on that machine (platform/local-outbox.ts). To anyone else the
 * page says what it is for and shows nothing.
 */
import { useQuery } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, seg } from '../app/api';
import { keys, useConfig } from '../app/queries';
import type { OutboxMessage, OutboxSummary } from '../app/types';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';

export function OutboxPage() {
  const { t } = useI18n();
  const { messageId } = useParams();
  const config = useConfig();

  if (config.isPending) return <Loading />;
  if (config.isError) return <LoadError error={config.error} retry={() => void config.refetch()} />;
  if (!config.data.outboxAvailable) {
    return (
      <Page title={t('outbox.title')}>
        <Alert kind="info">
          <p>{t('outbox.purpose')}</p>
          <p>{t('outbox.unavailable')}</p>
        </Alert>
      </Page>
    );
  }
  return (
    <Page title={t('outbox.title')} intro={<Alert kind="info">{t('outbox.banner')}</Alert>}>
      <div className="outbox">
        <MessageList selectedId={messageId} />
        {messageId ? <MessageView id={messageId} /> : <p className="outbox__empty-view">{t('outbox.pick')}</p>}
      </div>
    </Page>
  );
}

function MessageList({ selectedId }: { selectedId: string | undefined }) {
  const { t, format } = useI18n();
  const list = useQuery({
    queryKey: keys.outbox,
    queryFn: ({ signal }) => api.get<{ messages: OutboxSummary[] }>('/api/outbox', signal),
    refetchInterval: 5_000,
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <LoadError error={list.error} retry={() => void list.refetch()} />;
  const messages = [...list.data.messages].sort((a, b) => b.date.localeCompare(a.date));
  return (
    <section className="outbox__list" aria-labelledby="outbox-list">
      <h2 id="outbox-list">{t('outbox.listTitle', { count: messages.length })}</h2>
      {messages.length === 0 ? (
        <p>{t('outbox.empty')}</p>
      ) : (
        <ul>
          {messages.map((m) => (
            <li key={m.id}>
              <Link to={`/outbox/${m.id}`} aria-current={m.id === selectedId ? 'page' : undefined} className="outbox__item">
                <span className="outbox__subject">{m.subject}</span>
                <span className="outbox__meta">
                  {t('outbox.to', { to: m.to })} · {format.dateTime(m.date)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MessageView({ id }: { id: string }) {
  const { t, format } = useI18n();
  const message = useQuery({
    queryKey: keys.outboxMessage(id),
    queryFn: ({ signal }) => api.get<{ message: OutboxMessage }>(`/api/outbox/${seg(id)}`, signal),
  });
  if (message.isPending) return <Loading />;
  if (message.isError) return <LoadError error={message.error} />;
  const m = message.data.message;
  return (
    <article className="outbox__message" aria-labelledby="outbox-subject">
      <h2 id="outbox-subject">{m.subject}</h2>
      <dl className="details details--compact">
        <div>
          <dt>{t('outbox.from')}</dt>
          <dd>{m.from}</dd>
        </div>
        <div>
          <dt>{t('outbox.recipient')}</dt>
          <dd>{m.to}</dd>
        </div>
        {m.cc && (
          <div>
            <dt>{t('outbox.cc')}</dt>
            <dd>{m.cc}</dd>
          </div>
        )}
        {m.replyTo && (
          <div>
            <dt>{t('outbox.replyTo')}</dt>
            <dd>{m.replyTo}</dd>
          </div>
        )}
        <div>
          <dt>{t('outbox.date')}</dt>
          <dd>{format.dateTime(m.date)}</dd>
        </div>
      </dl>
      <div className="outbox__text">{linkify(m.text, m.links)}</div>
      {m.attachments && m.attachments.length > 0 && (
        <section aria-labelledby="outbox-attachments">
          <h3 id="outbox-attachments">{t('outbox.attachments')}</h3>
          <ul className="outbox__links">
            {m.attachments.map((a, i) => (
              <li key={i}>
                <a href={`/api/outbox/${seg(m.id)}/attachments/${i}`} target="_blank" rel="noopener">
                  {a.filename}
                </a>{' '}
                <span className="muted">({Math.max(1, Math.round(a.size / 1024))} Ko)</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {m.links.length > 0 && (
        <section aria-labelledby="outbox-links">
          <h3 id="outbox-links">{t('outbox.links')}</h3>
          <ul className="outbox__links">
            {m.links.map((href) => (
              <li key={href}>
                <a href={safeHref(href)}>{href}</a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

/** Only web links are made clickable (a `javascript:` URL in a message must stay text). */
function safeHref(href: string): string | undefined {
  try {
    const url = new URL(href, window.location.origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function linkify(text: string, links: string[]): ReactNode {
  const known = [...new Set(links)].filter((l) => text.includes(l)).sort((a, b) => b.length - a.length);
  const pattern = known.length > 0 ? new RegExp(`(${known.map(escapeRegExp).join('|')})`) : /(https?:\/\/[^\s<>"]+)/;
  return text.split(pattern).map((part, i) =>
    i % 2 === 1 && safeHref(part) ? (
      <a key={i} href={safeHref(part)}>
        {part}
      </a>
    ) : (
      <Fragment key={i}>{part}</Fragment>
    ),
  );
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

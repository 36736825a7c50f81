/** The frame of `/d/:dossierId/…`: header with the dossier switcher, navigation by permission, the page. */
import { useEffect, useId, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import type { Permission } from '../../core/permissions';
import { can } from '../../core/permissions';
import { ApiError } from '../app/api';
import { Brand, SkipLink } from '../app/layouts';
import { LanguageSwitch } from '../app/LanguageSwitch';
import { useDossier, useMe } from '../app/queries';
import type { DossierSummary } from '../app/types';
import { UserMenu } from '../app/UserMenu';
import { useT, type MessageKey } from '../i18n';
import { Alert } from '../ui/Alert';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { SendingNotices } from '../mail/SendingNotices';
import { DossierProvider } from './context';

interface NavItem {
  to: string;
  label: MessageKey;
  /** The permission the entry needs; given several, any one of them. */
  permission: Permission | readonly Permission[];
  end?: boolean;
  /** When the path alone does not tell (Factures vs Avoirs = `invoices?type=credit_note`): active for this path and query. */
  match?: (path: string, search: URLSearchParams) => boolean;
}

const isCreditNotes = (search: URLSearchParams) => search.get('type') === 'credit_note';

const NAV: NavItem[] = [
  { to: '', label: 'nav.home', permission: 'dossier.read', end: true },
  { to: 'quotes', label: 'nav.quotes', permission: 'quotes.read' },
  { to: 'invoices', label: 'nav.invoices', permission: 'invoices.read', match: (path, search) => /^invoices(\/|$)/.test(path) && !isCreditNotes(search) },
  { to: 'invoices?type=credit_note', label: 'nav.creditNotes', permission: 'invoices.read', match: (path, search) => path === 'invoices' && isCreditNotes(search) },
  { to: 'customers', label: 'nav.customers', permission: 'customers.read' },
  { to: 'products', label: 'nav.products', permission: 'products.read' },
  { to: 'envois', label: 'nav.envois', permission: ['quotes.read', 'invoices.read'] },
  { to: 'members', label: 'nav.members', permission: 'members.manage' },
  { to: 'profiles', label: 'nav.profiles', permission: 'members.manage' },
  { to: 'settings', label: 'nav.settings', permission: 'settings.manage', end: true },
  { to: 'numbering', label: 'nav.numbering', permission: 'settings.manage' },
  { to: 'settings/emails', label: 'nav.mailTemplates', permission: 'settings.manage' },
  { to: 'audit', label: 'nav.audit', permission: 'audit.read' },
];

export function DossierLayout() {
  const t = useT();
  const { dossierId = '' } = useParams();
  const me = useMe();
  const current = useDossier(dossierId);
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const navId = useId();

  useEffect(() => setMenuOpen(false), [location.key]);

  const user = me.data?.user;
  const permissions = current.data?.membership.permissions ?? [];
  const items = NAV.filter((item) => (typeof item.permission === 'string' ? [item.permission] : item.permission).some((p) => can(permissions, p)));

  let content;
  if (current.isPending) content = <Loading />;
  else if (current.isError) {
    content =
      current.error instanceof ApiError && (current.error.status === 404 || current.error.status === 403) ? (
        <Page title={t('dossier.notFoundTitle')}>
          <Alert kind="warning">
            <p>{t('dossier.notFoundBody')}</p>
          </Alert>
          <p>
            <Link to="/dossiers">{t('dossier.backToPicker')}</Link>
          </p>
        </Page>
      ) : (
        <LoadError error={current.error} retry={() => void current.refetch()} />
      );
  } else {
    content = (
      <DossierProvider value={current.data}>
        <SendingNotices />
        <Outlet />
      </DossierProvider>
    );
  }

  return (
    <div className="shell shell--dossier">
      <SkipLink />
      <header className="topbar">
        <Brand to="/dossiers" />
        <DossierSwitcher currentId={dossierId} currentName={current.data?.dossier.legalName} dossiers={me.data?.dossiers ?? []} />
        <div className="topbar__end">
          <LanguageSwitch loggedIn />
          {user && <UserMenu user={user} />}
        </div>
        {items.length > 0 && (
          <button
            type="button"
            className="nav-toggle"
            aria-expanded={menuOpen}
            aria-controls={navId}
            onClick={() => setMenuOpen((v) => !v)}
          >
            <span className="nav-toggle__icon" aria-hidden="true" />
            {t('nav.menu')}
          </button>
        )}
      </header>
      <div className="shell__body">
        {items.length > 0 && (
          <nav id={navId} className={menuOpen ? 'sidenav sidenav--open' : 'sidenav'} aria-label={t('nav.label')}>
            <ul>
              {items.map((item) => {
                const to = `/d/${dossierId}${item.to ? `/${item.to}` : ''}`;
                if (item.match) {
                  const active = item.match(location.pathname.slice(`/d/${dossierId}/`.length), new URLSearchParams(location.search));
                  return (
                    <li key={item.label}>
                      <Link to={to} className={active ? 'active' : undefined} aria-current={active ? 'page' : undefined}>
                        {t(item.label)}
                      </Link>
                    </li>
                  );
                }
                return (
                  <li key={item.label}>
                    <NavLink to={to} end={item.end}>
                      {t(item.label)}
                    </NavLink>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        <main id="main" tabIndex={-1} className="shell__main">
          {content}
        </main>
      </div>
    </div>
  );
}

function DossierSwitcher({ currentId, currentName, dossiers }: { currentId: string; currentName: string | undefined; dossiers: DossierSummary[] }) {
  const t = useT();
  const navigate = useNavigate();
  const id = useId();
  const options = dossiers.some((d) => d.id === currentId) || !currentName ? dossiers : [{ id: currentId, legalName: currentName, profileName: '' }, ...dossiers];
  if (options.length === 0) return <span className="switcher__name">{currentName}</span>;
  // A select shows its option on one line, cut when the name is long: the name is drawn in full
  // (wrapping) under the select, which stays the control (transparent, over it).
  const shown = options.find((d) => d.id === currentId)?.legalName ?? currentName;
  return (
    <div className="switcher">
      <label htmlFor={id} className="switcher__label">
        {t('header.dossier')}
      </label>
      <div className="switcher__control">
        <span className="switcher__shown" aria-hidden="true">
          {shown}
        </span>
        <select id={id} value={currentId} onChange={(e) => navigate(`/d/${e.target.value}`)}>
          {options.map((d) => (
            <option key={d.id} value={d.id}>
              {d.legalName}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

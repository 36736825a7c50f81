/** The frames around pages: public (login, sign-up…) and logged-in without a dossier (picker, account). */
import type { ReactNode } from 'react';
import { Link, Outlet } from 'react-router';
import { useT } from '../i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { useConfig, useMe } from './queries';
import { UserMenu } from './UserMenu';

export function SkipLink() {
  const t = useT();
  return (
    <a className="skip-link" href="#main" onClick={(e) => {
      const main = document.getElementById('main');
      if (main) {
        e.preventDefault();
        main.focus();
      }
    }}>
      {t('common.skipToContent')}
    </a>
  );
}

export function Brand({ to }: { to: string }) {
  return (
    <Link to={to} className="brand">
      <span className="brand__mark" aria-hidden="true">
        A
      </span>
      <span className="brand__name">Ardoise</span>
    </Link>
  );
}

export function PublicLayout({ children, wide = false }: { children?: ReactNode; wide?: boolean }) {
  const t = useT();
  const config = useConfig();
  return (
    <div className="public">
      <SkipLink />
      <header className="public__header">
        <Brand to="/" />
        <LanguageSwitch loggedIn={false} />
      </header>
      <main id="main" tabIndex={-1} className={wide ? 'public__main public__main--wide' : 'public__main'}>
        {children ?? <Outlet />}
      </main>
      <footer className="public__footer">
        <span>{t('footer.tagline')}</span>
        {config.data?.outboxAvailable && <Link to="/outbox">{t('outbox.title')}</Link>}
      </footer>
    </div>
  );
}

export function AppLayout() {
  const t = useT();
  const me = useMe();
  const user = me.data?.user;
  return (
    <div className="shell">
      <SkipLink />
      <header className="topbar">
        <Brand to="/dossiers" />
        <nav className="topbar__links" aria-label={t('header.mainNav')}>
          <Link to="/dossiers">{t('header.dossiers')}</Link>
        </nav>
        <div className="topbar__end">
          <LanguageSwitch loggedIn />
          {user && <UserMenu user={user} />}
        </div>
      </header>
      <main id="main" tabIndex={-1} className="shell__main">
        <Outlet />
      </main>
    </div>
  );
}

/** Accueil: the dossier at a glance and where the member may go from here. */
import { Link } from 'react-router';
import { can } from '../../core/permissions';
import { useI18n } from '../i18n';
import { Page } from '../ui/Page';
import { planLabel, profileLabel } from '../members/labels';
import { useCurrentDossier } from './context';

export function DossierHome() {
  const { t, locale, format } = useI18n();
  const { dossier, membership } = useCurrentDossier();
  const perms = membership.permissions;
  const incomplete = !dossier.siren || !dossier.address;

  return (
    <Page title={t('home.title', { name: dossier.legalName })} context={dossier.legalName}>
      <dl className="cards">
        <div className="card">
          <dt>{t('home.plan')}</dt>
          <dd>{planLabel(dossier.plan)}</dd>
        </div>
        <div className="card">
          <dt>{t('home.profile')}</dt>
          <dd>{profileLabel(membership.profileId, membership.profileName, locale)}</dd>
        </div>
        <div className="card">
          <dt>{t('home.createdAt')}</dt>
          <dd>{format.date(dossier.createdAt)}</dd>
        </div>
      </dl>

      {incomplete && can(perms, 'settings.manage') && (
        <section className="panel panel--accent" aria-labelledby="home-setup">
          <h2 id="home-setup">{t('home.setupTitle')}</h2>
          <p>{t('home.setupBody')}</p>
          <Link className="btn btn--primary" to={`/d/${dossier.id}/settings`}>
            {t('home.setupAction')}
          </Link>
        </section>
      )}

      <section className="panel" aria-labelledby="home-shortcuts">
        <h2 id="home-shortcuts">{t('home.shortcuts')}</h2>
        <ul className="shortcuts">
          {can(perms, 'members.manage') && (
            <li>
              <Link to={`/d/${dossier.id}/members`}>{t('nav.members')}</Link>
              <span>{t('home.membersHint')}</span>
            </li>
          )}
          {can(perms, 'settings.manage') && (
            <li>
              <Link to={`/d/${dossier.id}/settings`}>{t('nav.settings')}</Link>
              <span>{t('home.settingsHint')}</span>
            </li>
          )}
          {can(perms, 'audit.read') && (
            <li>
              <Link to={`/d/${dossier.id}/audit`}>{t('nav.audit')}</Link>
              <span>{t('home.auditHint')}</span>
            </li>
          )}
          <li>
            <Link to="/account">{t('header.account')}</Link>
            <span>{t('home.accountHint')}</span>
          </li>
        </ul>
      </section>
    </Page>
  );
}

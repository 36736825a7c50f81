/** Every route of the web app. The dossier is always in the URL, so two tabs can show two dossiers. */
import { lazy, Suspense } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';
import { AccountPage } from '../account/AccountPage';
import { AuditPage } from '../audit/AuditPage';
import { ForgotPasswordPage } from '../auth/ForgotPasswordPage';
import { ConfirmSignupPage } from '../auth/ConfirmSignupPage';
import { InvitationPage } from '../auth/InvitationPage';
import { LoginPage } from '../auth/LoginPage';
import { ResetPasswordPage } from '../auth/ResetPasswordPage';
import { homePath } from '../auth/session';
import { SignupPage } from '../auth/SignupPage';
import { RequirePermission } from '../dossiers/context';
import { DossierHome } from '../dossiers/DossierHome';
import { DossierLayout } from '../dossiers/DossierLayout';
import { DossierPickerPage } from '../dossiers/DossierPickerPage';
import { invoicingRoutes } from '../documents/routes';
import { useT } from '../i18n';
import { EnvoisPage } from '../mail/EnvoisPage';
import { MembersPage } from '../members/MembersPage';
import { OutboxPage } from '../outbox/OutboxPage';
import { ProfilesPage } from '../profiles/ProfilesPage';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { AppLayout, PublicLayout } from './layouts';
import { useMe } from './queries';
import { RequireAuth } from './RequireAuth';

// The settings page brings the validation schema (zod): loaded when first opened.
const SettingsPage = lazy(() => import('../settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const MailTemplatesPage = lazy(() => import('../mail-templates/MailTemplatesPage').then((m) => ({ default: m.MailTemplatesPage })));

export function App() {
  const t = useT();
  return (
    <Routes>
      <Route element={<PublicLayout />}>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/signup" element={<SignupPage />} />
        <Route path="/signup/confirm" element={<ConfirmSignupPage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="/invitation/:token" element={<InvitationPage />} />
      </Route>
      <Route element={<PublicLayout wide />}>
        <Route path="/outbox" element={<OutboxPage />} />
        <Route path="/outbox/:messageId" element={<OutboxPage />} />
      </Route>
      <Route element={<RequireAuth />}>
        <Route element={<AppLayout />}>
          <Route path="/dossiers" element={<DossierPickerPage />} />
          <Route path="/account" element={<AccountPage />} />
        </Route>
        <Route path="/d/:dossierId" element={<DossierLayout />}>
          <Route index element={<DossierHome />} />
          <Route
            path="members"
            element={
              <RequirePermission permission="members.manage" title={t('members.title')}>
                <MembersPage />
              </RequirePermission>
            }
          />
          <Route
            path="profiles"
            element={
              <RequirePermission permission="members.manage" title={t('profiles.title')}>
                <ProfilesPage />
              </RequirePermission>
            }
          />
          <Route
            path="settings"
            element={
              <RequirePermission permission="settings.manage" title={t('settings.title')}>
                <Suspense fallback={<Loading />}>
                  <SettingsPage />
                </Suspense>
              </RequirePermission>
            }
          />
          <Route
            path="settings/emails"
            element={
              <RequirePermission permission="settings.manage" title={t('mailTemplates.title')}>
                <Suspense fallback={<Loading />}>
                  <MailTemplatesPage />
                </Suspense>
              </RequirePermission>
            }
          />
          <Route
            path="audit"
            element={
              <RequirePermission permission="audit.read" title={t('audit.title')}>
                <AuditPage />
              </RequirePermission>
            }
          />
          <Route
            path="envois"
            element={
              <RequirePermission permission={['quotes.read', 'invoices.read']} title={t('envois.title')}>
                <EnvoisPage />
              </RequirePermission>
            }
          />
          {invoicingRoutes(t)}
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>
      <Route path="/" element={<Home />} />
      <Route element={<PublicLayout />}>
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/** `/`: the dossier (or the picker) when logged in, the login page otherwise. */
function Home() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} retry={() => void me.refetch()} />;
  return <Navigate to={me.data ? homePath(me.data) : '/login'} replace />;
}

function NotFound() {
  const t = useT();
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </Page>
  );
}

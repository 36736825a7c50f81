/** The dossier's logo: PNG or JPEG up to 512 KiB, sent as the raw request body. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type ChangeEvent } from 'react';
import { LOGO_MAX_BYTES, LOGO_TYPES } from '../../core/dossier';
import { api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { Dossier, DossierAnswer } from '../app/types';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { ConfirmButton } from '../ui/ConfirmButton';
import { Spinner } from '../ui/Spinner';

export function LogoSection({ dossier }: { dossier: Dossier }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onSaved = (updated: Dossier, message: string) => {
    queryClient.setQueryData<DossierAnswer>(keys.dossier(dossier.id), (old) => (old ? { ...old, dossier: updated } : old));
    setError(null);
    setNotice(message);
  };

  const upload = useMutation({
    mutationFn: (file: File) => api.put<{ dossier: Dossier }>(`/api/d/${seg(dossier.id)}/logo`, file, file.type),
    onSuccess: ({ dossier: updated }) => onSaved(updated, t('settings.logoSaved')),
    onError: (e) => {
      setNotice(null);
      setError(e.message);
    },
    onSettled: () => {
      if (input.current) input.current.value = '';
    },
  });

  const remove = useMutation({
    mutationFn: () => api.delete<{ dossier: Dossier }>(`/api/d/${seg(dossier.id)}/logo`),
    onSuccess: ({ dossier: updated }) => onSaved(updated, t('settings.logoRemoved')),
    onError: (e) => {
      setNotice(null);
      setError(e.message);
    },
  });

  function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    setNotice(null);
    if (!(LOGO_TYPES as readonly string[]).includes(file.type)) {
      setError(t('settings.logoType'));
      event.target.value = '';
      return;
    }
    if (file.size > LOGO_MAX_BYTES) {
      setError(t('settings.logoTooLarge', { max: Math.round(LOGO_MAX_BYTES / 1024) }));
      event.target.value = '';
      return;
    }
    setError(null);
    upload.mutate(file);
  }

  // The URL carries the file's id, so a new logo is never hidden by the browser cache.
  const src = dossier.logoUrl;

  return (
    <section className="panel logo" aria-labelledby="logo-title">
      <h2 id="logo-title">{t('settings.logoTitle')}</h2>
      <div className="logo__body">
        <div className="logo__preview">{src ? <img src={src} alt={t('settings.logoAlt', { name: dossier.legalName })} /> : <span className="muted">{t('settings.noLogo')}</span>}</div>
        <div className="logo__actions">
          <div className="field">
            <label htmlFor={inputId}>{dossier.logoUrl ? t('settings.logoReplace') : t('settings.logoChoose')}</label>
            <p className="field__hint" id={`${inputId}-hint`}>
              {t('settings.logoHint', { max: Math.round(LOGO_MAX_BYTES / 1024) })}
            </p>
            <input ref={input} id={inputId} type="file" accept={LOGO_TYPES.join(',')} aria-describedby={`${inputId}-hint`} onChange={choose} disabled={upload.isPending} />
          </div>
          {upload.isPending && <Spinner label={t('settings.logoUploading')} />}
          {dossier.logoUrl && (
            <ConfirmButton question={t('settings.logoRemoveQuestion')} confirmLabel={t('settings.logoRemove')} busy={remove.isPending} onConfirm={() => remove.mutate()}>
              {t('settings.logoRemove')}
            </ConfirmButton>
          )}
        </div>
      </div>
      {error && (
        <Alert kind="error">
          <p>{error}</p>
        </Alert>
      )}
      {notice && (
        <Alert kind="success">
          <p>{notice}</p>
        </Alert>
      )}
    </section>
  );
}

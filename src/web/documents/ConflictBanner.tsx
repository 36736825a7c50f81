/** The one banner of a document someone else changed: who and when, what became of the user's typing, and « Recharger ». */
import type { Ref } from 'react';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { conflictMessage, type DocumentConflict } from './conflict';

interface ConflictBannerProps {
  conflict: DocumentConflict;
  editing: boolean;
  dirty: boolean;
  onReload: () => void;
  ref?: Ref<HTMLDivElement>;
}

export function ConflictBanner({ conflict, editing, dirty, onReload, ref }: ConflictBannerProps) {
  const { t, locale } = useI18n();
  const message = conflictMessage(conflict, { editing, dirty, locale });
  return (
    <div ref={ref} tabIndex={-1} role={message.role} className={`alert alert--${message.role === 'alert' ? 'warning' : 'info'} conflict-banner`} data-testid="conflict-banner">
      <p className="alert__title">{message.title}</p>
      <div className="alert__body">
        <p>{message.body}</p>
        {message.reload && (
          <Button small variant="primary" onClick={onReload}>
            {t('common.reload')}
          </Button>
        )}
      </div>
    </div>
  );
}

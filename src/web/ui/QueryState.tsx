/** What a page shows while its data loads or when loading failed. */
import { ApiError } from '../app/api';
import { useT } from '../i18n';
import { Alert } from './Alert';
import { Button } from './Button';
import { Spinner } from './Spinner';

export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const t = useT();
  const message = error instanceof ApiError ? error.message : t('error.unexpected');
  return (
    <Alert kind="error" title={t('error.loadFailed')}>
      <p>{message}</p>
      {retry && (
        <Button small onClick={retry}>
          {t('common.retry')}
        </Button>
      )}
    </Alert>
  );
}

export { Spinner as Loading };

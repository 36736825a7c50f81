import { useT } from '../i18n';

export function Spinner({ inline = false, label }: { inline?: boolean; label?: string }) {
  const t = useT();
  if (inline) return <span className="spinner spinner--inline" aria-hidden="true" />;
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

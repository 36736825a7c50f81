import type { ReactNode, Ref } from 'react';

type Kind = 'error' | 'success' | 'info' | 'warning';

interface AlertProps {
  kind?: Kind;
  title?: ReactNode;
  children?: ReactNode;
  ref?: Ref<HTMLDivElement>;
  /** Focusable so a failed submit can move the focus to it. */
  focusable?: boolean;
}

/** Errors and warnings are announced at once (role=alert); success and info politely (role=status). */
export function Alert({ kind = 'info', title, children, ref, focusable }: AlertProps) {
  const role = kind === 'error' || kind === 'warning' ? 'alert' : 'status';
  return (
    <div ref={ref} className={`alert alert--${kind}`} role={role} tabIndex={focusable ? -1 : undefined}>
      {title && <p className="alert__title">{title}</p>}
      {children && <div className="alert__body">{children}</div>}
    </div>
  );
}

/** A destructive action asked twice, inline (no browser dialog, so it works the same everywhere). */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useT } from '../i18n';
import { Button } from './Button';

interface ConfirmButtonProps {
  /** The button's text, e.g. "Retirer". */
  children: ReactNode;
  /** Accessible name when the text alone is ambiguous in a table, e.g. "Retirer Marie Dupont". */
  label?: string;
  question: string;
  confirmLabel?: string;
  busy?: boolean;
  onConfirm: () => void;
}

export function ConfirmButton({ children, label, question, confirmLabel, busy, onConfirm }: ConfirmButtonProps) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <Button ref={openerRef} small variant="ghost" aria-label={label} busy={busy} onClick={() => setAsking(true)}>
        {children}
      </Button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm__question">{question}</span>
      <Button
        ref={confirmRef}
        small
        variant="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel ?? t('common.confirm')}
      </Button>
      <Button small variant="ghost" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </Button>
    </span>
  );
}

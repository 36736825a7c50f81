/** The form-level error summary: one alert listing what failed, focused when a submit fails. */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { ApiError } from '../app/api';
import { useT } from '../i18n';
import { fieldId } from './Field';

export interface FormErrors {
  message: string | null;
  fields: Record<string, string>;
  summaryRef: RefObject<HTMLDivElement | null>;
  /** Show these errors and move the focus to the summary. */
  fail: (message: string | null, fields?: Record<string, string>) => void;
  /** Show an error thrown by the API (or anything else) and move the focus to the summary. */
  failWith: (error: unknown) => void;
  clear: () => void;
}

export function useFormErrors(): FormErrors {
  const t = useT();
  const [state, setState] = useState<{ message: string | null; fields: Record<string, string>; attempt: number }>({
    message: null,
    fields: {},
    attempt: 0,
  });
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.attempt > 0) summaryRef.current?.focus();
  }, [state.attempt]);

  const fail = useCallback((message: string | null, fields: Record<string, string> = {}) => {
    setState((s) => ({ message, fields, attempt: s.attempt + 1 }));
  }, []);

  const failWith = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) fail(error.message, error.fields);
      else fail(t('error.unexpected'));
    },
    [fail, t],
  );

  const clear = useCallback(() => setState((s) => ({ message: null, fields: {}, attempt: s.attempt })), []);

  return { message: state.message, fields: state.fields, summaryRef, fail, failWith, clear };
}

interface ErrorSummaryProps {
  errors: FormErrors;
  /** Field path → label, to name the fields in the summary; fields not listed are shown by message only. */
  labels?: Record<string, string>;
}

export function ErrorSummary({ errors, labels = {} }: ErrorSummaryProps) {
  const t = useT();
  const entries = Object.entries(errors.fields).sort(([a], [b]) => documentOrder(a, b));
  const visible = errors.message !== null || entries.length > 0;
  return (
    <div ref={errors.summaryRef} tabIndex={-1} role="alert" className={visible ? 'alert alert--error error-summary' : 'visually-hidden'}>
      {visible && (
        <>
          <p className="alert__title">{errors.message ?? t('error.checkFields')}</p>
          {entries.length > 0 && (
            <ul>
              {entries.map(([path, message]) => (
                <li key={path}>
                  <a
                    href={`#${fieldId(path)}`}
                    onClick={(event) => {
                      const target = document.getElementById(fieldId(path));
                      if (target) {
                        event.preventDefault();
                        target.focus();
                      }
                    }}
                  >
                    {labels[path] ? `${labels[path]} : ${message}` : message}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

/** Errors are listed in the order of their fields on the page (fields not on the page last). */
function documentOrder(pathA: string, pathB: string): number {
  const a = document.getElementById(fieldId(pathA));
  const b = document.getElementById(fieldId(pathB));
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}

/** Labelled form controls: the label, hint and error are tied to the control for screen readers. */
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';
import { useI18n } from '../i18n';

/** The DOM id of a field, from its path (`address.city` → `f-address-city`); the error summary links to it. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export interface ControlProps {
  id: string;
  'aria-required': true | undefined;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface FieldProps {
  /** The field path, e.g. `siren` or `address.postalCode`. */
  name: string;
  label: ReactNode;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
  /** Marked with an asterisk (see `RequiredLegend`) and `aria-required`. */
  required?: boolean | undefined;
  children: (control: ControlProps) => ReactNode;
}

export function Field({ name, label, error, hint, className, required, children }: FieldProps) {
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={['field', error ? 'field--invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className={required ? 'field__label--required' : undefined}>
        {label}
      </label>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      {children({ id, 'aria-required': required ? true : undefined, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'onChange' | 'value'> & {
  name: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
};

export function TextField({ name, label, value, onChange, error, hint, className, ...rest }: InputProps) {
  return (
    <Field name={name} label={label} error={error} hint={hint} className={className} required={rest.required}>
      {(control) => <input {...rest} {...control} name={name} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id' | 'name' | 'onChange' | 'value'> & {
  name: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
  children: ReactNode;
};

export function SelectField({ name, label, value, onChange, error, hint, className, children, ...rest }: SelectProps) {
  return (
    <Field name={name} label={label} error={error} hint={hint} className={className} required={rest.required}>
      {(control) => (
        <select {...rest} {...control} name={name} value={value} onChange={(e) => onChange(e.target.value)}>
          {children}
        </select>
      )}
    </Field>
  );
}

interface CheckboxProps {
  name: string;
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabled?: boolean;
}

export function CheckboxField({ name, label, checked, onChange, error, hint, disabled }: CheckboxProps) {
  const id = fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={['field', 'field--checkbox', error ? 'field--invalid' : ''].filter(Boolean).join(' ')}>
      <div className="checkbox">
        <input
          type="checkbox"
          id={id}
          name={name}
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Says what the asterisk of required fields means; placed before the fields of a form that has some. */
export function RequiredLegend() {
  const { t } = useI18n();
  return <p className="form__required-legend">{t('form.requiredLegend')}</p>;
}

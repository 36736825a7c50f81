/** The UI language: a typed dictionary per locale, `useT()`, and `Intl` formatting. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from '../../core/errors';
import { setApiLocale } from '../app/api';
import { en } from './en';
import { fr, type MessageKey } from './fr';

export type { MessageKey };
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { fr, en };
const INTL_LOCALES: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };
const STORAGE_KEY = 'ardoise.locale';
/** Set when the language was picked on a public page, so login keeps that choice (see auth/afterLogin). */
const CHOSEN_KEY = 'ardoise.localeChosen';

export function isLocale(value: unknown): value is Locale {
  return value === 'fr' || value === 'en';
}

function storedLocale(): Locale {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : 'fr';
  } catch {
    return 'fr';
  }
}

export function localeChosenBeforeLogin(): boolean {
  try {
    return sessionStorage.getItem(CHOSEN_KEY) === '1';
  } catch {
    return false;
  }
}

export function markLocaleChosen(chosen: boolean): void {
  try {
    if (chosen) sessionStorage.setItem(CHOSEN_KEY, '1');
    else sessionStorage.removeItem(CHOSEN_KEY);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
}

export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const template = DICTIONARIES[locale][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export interface Formatters {
  date: (iso: string) => string;
  dateTime: (iso: string) => string;
  money: (cents: number) => string;
  number: (value: number) => string;
}

function formatters(locale: Locale): Formatters {
  const tag = INTL_LOCALES[locale];
  const date = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
  const dateTime = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' });
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: 'EUR' });
  const number = new Intl.NumberFormat(tag);
  const safe = (f: Intl.DateTimeFormat) => (iso: string) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : f.format(d);
  };
  return {
    date: safe(date),
    dateTime: safe(dateTime),
    money: (cents) => money.format(cents / 100),
    number: (value) => number.format(value),
  };
}

interface I18nContextValue {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  format: Formatters;
}

const I18nContext = createContext<I18nContextValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(storedLocale);
  setApiLocale(locale);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    setApiLocale(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage disabled */
    }
    setLocaleState(next);
  }, []);

  const value = useMemo<I18nContextValue>(
    () => ({ locale, setLocale, t: (key, vars) => translate(locale, key, vars), format: formatters(locale) }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nContextValue {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

export function useT(): Translate {
  return useI18n().t;
}

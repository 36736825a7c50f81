/** A page: sets the document title and moves the focus to its heading after each navigation. */
import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router';

interface PageProps {
  title: string;
  /** Shown in the tab title after the page title, e.g. the dossier's name. */
  context?: string | undefined;
  intro?: ReactNode;
  actions?: ReactNode;
  narrow?: boolean;
  children?: ReactNode;
}

export function Page({ title, context, intro, actions, narrow, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const location = useLocation();

  useEffect(() => {
    document.title = [title, context, 'Ardoise'].filter(Boolean).join(' · ');
  }, [title, context]);

  useEffect(() => {
    // The first page of a visit keeps the browser's default focus; later navigations announce the new page.
    if (location.key !== 'default') heading.current?.focus();
  }, [location.key]);

  return (
    <div className={narrow ? 'page page--narrow' : 'page'}>
      <div className="page__header">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="page__actions">{actions}</div>}
      </div>
      {intro && <div className="page__intro">{intro}</div>}
      {children}
    </div>
  );
}

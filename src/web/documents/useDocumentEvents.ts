/**
 * Working together on a document: a server-sent event stream tells who else has the page open
 * (`presence`) and when someone else changed the document (`changed`). Closed on unmount.
 */
import { useEffect, useRef, useState } from 'react';
import type { DocumentFamily } from '../../core/documents';

export interface Viewer {
  userId: string;
  name: string;
}

export interface RemoteChange {
  version: number | null;
  what: string;
  byUserId: string;
  byName: string;
  /** When the page heard of it (ISO 8601). */
  at: string;
}

export function useDocumentEvents(dossierId: string, family: DocumentFamily, documentId: string, myUserId: string | undefined, onRemoteChange: (change: RemoteChange) => void) {
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const callback = useRef(onRemoteChange);
  callback.current = onRemoteChange;
  const me = useRef(myUserId);
  me.current = myUserId;

  useEffect(() => {
    setViewers([]);
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/d/${encodeURIComponent(dossierId)}/${family}/${encodeURIComponent(documentId)}/events`);
    const onPresence = (event: MessageEvent<string>) => {
      try {
        const list = JSON.parse(event.data) as Viewer[];
        if (Array.isArray(list)) setViewers(list);
      } catch {
        /* a malformed event is ignored */
      }
    };
    const onChanged = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as Omit<RemoteChange, 'at'>;
        if (data.byUserId === me.current) return;
        callback.current({ ...data, at: new Date().toISOString() });
      } catch {
        /* ignored */
      }
    };
    source.addEventListener('presence', onPresence as EventListener);
    source.addEventListener('changed', onChanged as EventListener);
    return () => {
      source.removeEventListener('presence', onPresence as EventListener);
      source.removeEventListener('changed', onChanged as EventListener);
      source.close();
    };
  }, [dossierId, family, documentId]);

  const others = viewers.filter((v) => v.userId !== myUserId);
  // One name per person, even with the page open in two tabs.
  const names = [...new Map(others.map((v) => [v.userId, v.name])).values()];
  return { others: names };
}

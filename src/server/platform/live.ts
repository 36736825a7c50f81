import pg from 'pg';
import type { Db } from '../db/pool';
import { notifyAtCommit } from '../db/tx';

/**
 * Live updates between the members of a dossier (presence on a document, "someone saved it"),
 * fanned out across app nodes with PostgreSQL LISTEN/NOTIFY: a node notifies inside the
 * transaction of the change (delivered at commit), every node forwards to its own subscribers.
 */
export interface LiveEvent {
  dossierId: string;
  topic: string;
  kind: string;
  data?: Record<string, unknown>;
}

export type Subscriber = (event: LiveEvent) => void;

export interface LiveHub {
  /** Queues an event in the transaction `t`: sent to every node if and when it commits. */
  publish(t: Db, event: LiveEvent): Promise<void>;
  subscribe(dossierId: string, topic: string, subscriber: Subscriber): Promise<() => void>;
  close(): Promise<void>;
}

const CHANNEL = 'ardoise_live';

export function createLiveHub(connectionString: string, log: (error: unknown) => void): LiveHub {
  const subscribers = new Map<string, Set<Subscriber>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;

  function deliver(payload: string | undefined): void {
    if (!payload) return;
    const event = JSON.parse(payload) as LiveEvent;
    for (const subscriber of subscribers.get(`${event.dossierId}:${event.topic}`) ?? []) subscriber(event);
  }

  async function listen(): Promise<void> {
    const c = new pg.Client({ connectionString });
    c.on('notification', (msg) => deliver(msg.payload));
    c.on('error', (error) => {
      log(error);
      client = null;
      connecting = null;
      if (!closed && subscribers.size > 0) setTimeout(() => void ensureListening().catch(log), 1000);
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  }

  function ensureListening(): Promise<void> {
    if (client) return Promise.resolve();
    connecting ??= listen().catch((error: unknown) => {
      connecting = null;
      throw error;
    });
    return connecting;
  }

  return {
    async publish(t, event) {
      await notifyAtCommit(t, CHANNEL, JSON.stringify(event));
    },
    async subscribe(dossierId, topic, subscriber) {
      await ensureListening();
      const key = `${dossierId}:${topic}`;
      const set = subscribers.get(key) ?? new Set<Subscriber>();
      set.add(subscriber);
      subscribers.set(key, set);
      return () => {
        set.delete(subscriber);
        if (set.size === 0) subscribers.delete(key);
      };
    },
    async close() {
      closed = true;
      subscribers.clear();
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}

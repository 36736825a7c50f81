import type { Config } from '../config';
import type { Db } from '../db/pool';
import type { Tx } from '../db/tx';
import type { Mailer } from './mail';
import type { FileStore } from './storage';
import type { LiveHub } from './live';

/** What every feature receives: configuration and the shared services. */
export interface AppContext {
  config: Config;
  /** Only for maintenance (migrations, operator commands): application queries go through `tx`. */
  db: Db;
  tx: Tx;
  mailer: Mailer;
  files: FileStore;
  live: LiveHub;
}

/**
 * Work a request starts but does not wait for: the e-mails of password reset and sign-up, whose
 * answer must not depend on whether the address has an account (neither in content nor in time).
 *
 * A task starts after the current turn of the event loop, so the answer is written before the
 * task looks anything up. At most `concurrency` tasks run at once (the others wait their turn in
 * memory), so a burst of requests cannot take the whole connection pool. A failure is reported to
 * `onError` (logged), never to the client. The app awaits every queued task when it closes
 * (`onClose` hook in app.ts), so a clean stop loses no e-mail.
 */
export interface BackgroundTasks {
  run(name: string, task: () => Promise<void>): void;
  /** Resolves once every task queued so far, and those they queue, has settled. */
  idle(): Promise<void>;
  /** Tasks queued or running. */
  readonly pending: number;
}

export function createBackgroundTasks(opts: { concurrency?: number; onError(error: unknown, name: string): void }): BackgroundTasks {
  const concurrency = opts.concurrency ?? 4;
  const queue: { name: string; task: () => Promise<void> }[] = [];
  let running = 0;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (running > 0 || queue.length > 0) return;
    const wake = waiters;
    waiters = [];
    for (const resolve of wake) resolve();
  };

  const next = () => {
    while (running < concurrency && queue.length > 0) {
      const { name, task } = queue.shift()!;
      running++;
      void (async () => {
        try {
          await task();
        } catch (error) {
          opts.onError(error, name);
        } finally {
          running--;
          next();
          settle();
        }
      })();
    }
  };

  return {
    run(name, task) {
      queue.push({ name, task });
      setImmediate(next);
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    get pending() {
      return running + queue.length;
    },
  };
}

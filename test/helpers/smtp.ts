import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { TestServer } from './server';

/** What an in-process SMTP server received: the envelope's recipients and the parsed message. */
export interface Received {
  rcptTo: string[];
  parsed: ParsedMail;
}

export interface TestSmtp {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on a free port of 127.0.0.1 that keeps every message it accepts, parsed with
 * mailparser. `refuse` picks the messages it answers with a permanent failure (550) instead.
 */
export async function startSmtp(opts: { refuse?: (parsed: ParsedMail) => boolean } = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const parsed = await simpleParser(Buffer.concat(chunks));
        if (opts.refuse?.(parsed)) {
          callback(Object.assign(new Error('5.1.1 Adresse inconnue'), { responseCode: 550 }));
          return;
        }
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), parsed });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as net.AddressInfo).port));
  });
  return { port, received, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

/** Polls `probe` until it answers something truthy. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sign-up confirmation link of `email`, as it arrived over SMTP (for `signUp`'s `confirmationLink`). */
export function receivedLink(smtp: TestSmtp, node: TestServer) {
  return async (email: string) => {
    await node.ctx.tasks.idle();
    const mail = smtp.received.find((r) => r.rcptTo.includes(email));
    return /\S+\/signup\/confirm\?token=[\w-]+/.exec(mail?.parsed.text ?? '')?.[0] ?? null;
  };
}

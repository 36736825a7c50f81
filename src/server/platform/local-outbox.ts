import net from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config';

/**
 * Who may read the local outbox. Without an SMTP server, password-reset and invitation links are
 * kept on the server: whoever reads them can take over the account or join the dossier. So they
 * are shown only to the person running the instance, on the machine itself:
 *
 * - the instance is a local one: no SMTP server, not production, no `PUBLIC_URL` other than
 *   localhost, no `TRUST_PROXY` (a public address or a declared proxy means other people reach it,
 *   and a reverse proxy on the same host forwards their requests from loopback);
 * - the request comes over a loopback connection (the socket's peer, never `X-Forwarded-For`),
 *   carries no forwarding header (a proxy on the same host would add one), and names a loopback
 *   host (a page of another site whose name resolves to 127.0.0.1 — DNS rebinding — is refused).
 *
 * No session is asked for: the outbox is read precisely by people who cannot log in yet (a reset
 * link, an invitation). Anyone else gets 404, as if the routes did not exist.
 */
export function localOutboxReader(config: Pick<Config, 'production' | 'publicUrl' | 'trustProxy'>, smtpConfigured: boolean): (request: FastifyRequest) => boolean {
  const localInstance = !smtpConfigured && !config.production && !config.trustProxy && isLoopbackHost(new URL(config.publicUrl).host);
  return (request) => localInstance && isLoopbackAddress(request.socket.remoteAddress) && !FORWARDING_HEADERS.some((h) => h in request.headers) && isLoopbackHost(request.headers.host);
}

const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip'];

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1, and 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`, a dual-stack socket's peer). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return LOOPBACK.check(mapped[1]!, 'ipv4');
  const family = net.isIP(address);
  return family === 4 ? LOOPBACK.check(address, 'ipv4') : family === 6 && LOOPBACK.check(address, 'ipv6');
}

/** `localhost`, a loopback address or `[::1]`, with or without a port (a `Host` header, or a URL's host). */
export function isLoopbackHost(host: string | undefined): boolean {
  const match = /^(?:\[([0-9a-f:.]+)\]|([\w.-]+))(?::\d{1,5})?$/i.exec(host ?? '');
  if (!match) return false;
  return match[2]?.toLowerCase() === 'localhost' || isLoopbackAddress(match[1] ?? match[2]);
}

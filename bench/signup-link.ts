/**
 * The token of the sign-up confirmation link e-mailed to `email`, read from the local outbox over
 * HTTP as its page does (the benchmarks' apps have no SMTP server). The e-mail is sent just after
 * the sign-up's answer, so it is looked for a few times.
 */
export async function signupConfirmationToken(baseUrl: string, email: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const list = await fetch(`${baseUrl}/api/outbox`);
    if (!list.ok) throw new Error(`GET /api/outbox: ${list.status} (the benchmark needs a local instance without SMTP)`);
    const entry = ((await list.json()) as { messages: { id: string; to: string }[] }).messages.find((m) => m.to === email);
    if (entry) {
      const message = (await (await fetch(`${baseUrl}/api/outbox/${entry.id}`)).json()) as { message: { links: string[] } };
      const link = message.message.links.find((l) => l.includes('/signup/confirm?token='));
      if (link) return new URL(link).searchParams.get('token')!;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no sign-up confirmation e-mail to ${email}`);
}

/**
 * A local SMTP server (smtp-server + mailparser) for the demo and the e2e tests. It accepts any login, no TLS,
 * on 127.0.0.1, and saves every received message as <dir>/<n>-<subject>.eml plus its attachments next to it.
 *
 *   const smtp = await startSmtpServer({ dir: 'demo-output/mail' });
 *   // n8n SMTP credential: host 127.0.0.1, port smtp.port, secure false, disableStartTls true, any user/password
 *   const msg = await smtp.waitForMessage((m) => m.subject === 'x');
 *   await smtp.stop();
 */
import * as fs from 'fs';
import * as path from 'path';

// no type packages for these two: keep the typing local
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SMTPServer } = require('smtp-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { simpleParser } = require('mailparser');

export interface ReceivedAttachment {
	filename: string;
	contentType: string;
	size: number;
	content: Buffer;
	/** where it was saved */
	file: string;
}

export interface ReceivedMessage {
	from: string;
	to: string[];
	subject: string;
	text: string;
	html: string;
	attachments: ReceivedAttachment[];
	/** the .eml file */
	emlFile: string;
	raw: Buffer;
	/** the SMTP AUTH username, if the client logged in */
	user?: string;
}

export interface SmtpServerHandle {
	host: string;
	port: number;
	dir: string;
	messages: ReceivedMessage[];
	waitForMessage(match?: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
	stop(): Promise<void>;
	/** data for an n8n `smtp` credential pointing at this server */
	credentialData(): Record<string, unknown>;
}

function safeName(s: string): string {
	return s.replace(/[^a-zA-Z0-9._-]+/g, '_').slice(0, 60) || 'message';
}

export async function startSmtpServer(opts: { dir: string; port?: number; host?: string }): Promise<SmtpServerHandle> {
	const host = opts.host ?? '127.0.0.1';
	fs.mkdirSync(opts.dir, { recursive: true });
	const messages: ReceivedMessage[] = [];
	const waiters: Array<() => void> = [];
	let counter = 0;

	const server = new SMTPServer({
		secure: false,
		disabledCommands: ['STARTTLS'],
		authOptional: true,
		allowInsecureAuth: true,
		logger: false,
		size: 50 * 1024 * 1024,
		onAuth(auth: { username: string }, _session: unknown, cb: (e: Error | null, r?: { user: string }) => void) {
			cb(null, { user: auth.username });
		},
		onData(stream: NodeJS.ReadableStream, session: { user?: string; envelope: { mailFrom: { address: string } | false; rcptTo: Array<{ address: string }> } }, cb: (e?: Error | null) => void) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('error', cb);
			stream.on('end', async () => {
				try {
					const raw = Buffer.concat(chunks);
					const parsed = await simpleParser(raw);
					const n = ++counter;
					const base = `${String(n).padStart(3, '0')}-${safeName(parsed.subject ?? '')}`;
					const emlFile = path.join(opts.dir, `${base}.eml`);
					fs.writeFileSync(emlFile, raw);
					const attachments: ReceivedAttachment[] = (parsed.attachments ?? []).map(
						(a: { filename?: string; contentType: string; size: number; content: Buffer }, i: number) => {
							const file = path.join(opts.dir, `${base}-${safeName(a.filename ?? `attachment-${i + 1}`)}`);
							fs.writeFileSync(file, a.content);
							return { filename: a.filename ?? '', contentType: a.contentType, size: a.size, content: a.content, file };
						},
					);
					messages.push({
						from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
						to: session.envelope.rcptTo.map((r) => r.address),
						subject: parsed.subject ?? '',
						text: parsed.text ?? '',
						html: typeof parsed.html === 'string' ? parsed.html : '',
						attachments,
						emlFile,
						raw,
						user: session.user,
					});
					waiters.splice(0).forEach((w) => w());
					cb();
				} catch (e) {
					cb(e as Error);
				}
			});
		},
	});

	const port: number = await new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(opts.port ?? 0, host, () => resolve(server.server.address().port));
	});

	return {
		host,
		port,
		dir: opts.dir,
		messages,
		async waitForMessage(match = () => true, timeoutMs = 30000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const found = messages.find(match);
				if (found) return found;
				const left = deadline - Date.now();
				if (left <= 0) throw new Error(`no matching email within ${timeoutMs} ms (received ${messages.length})`);
				await new Promise<void>((resolve) => {
					const t = setTimeout(resolve, left);
					waiters.push(() => {
						clearTimeout(t);
						resolve();
					});
				});
			}
		},
		async stop() {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
		credentialData() {
			return { user: 'demo', password: 'demo', host, port, secure: false, disableStartTls: true };
		},
	};
}

/**
 * The end-to-end suite, run once per n8n major version (n8n-v1.test.ts, n8n-v2.test.ts).
 *
 * One real n8n process per suite (installed with scripts/ensure-n8n.sh if missing), with the packed package
 * (npm run build + npm pack) installed into <userFolder>/.n8n/nodes/node_modules like n8n's community-package
 * installer does. Every server it needs is started here: the Leonardo API emulator, a local SMTP server and a local
 * S3-compatible server. Workflows come from examples/ and run through `n8n execute` or a production webhook; the
 * assertions read the real outputs (PNG headers of the files on disk, the email received with its attachment, the
 * S3 object, the webhook's HTTP answer) and cross-check them with the emulator's records.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startEmulator, DEFAULT_KEYS, type EmulatorHandle } from '../../emulator';
import {
	buildAndPack,
	describeResult,
	loadExample,
	mp4Size,
	newUserFolder,
	pngSize,
	startN8n,
	withParameters,
	type N8nFlavor,
	type N8nInstance,
	type WorkflowJson,
} from '../../scripts/n8n';
import { startS3Server, type S3ServerHandle } from '../../scripts/local-servers/s3';
import { startSmtpServer, type SmtpServerHandle } from '../../scripts/local-servers/smtp';
import { runEditorChecks } from './editor';

const BUCKET = 'leonardo.outputs';

/** The first video stream as ffprobe decodes it, or undefined when ffprobe is not installed (CI installs ffmpeg). */
function ffprobe(file: string): { codec_type: string; width: number; height: number; nb_read_frames?: string } | undefined {
	const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_type,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' });
	if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
	if (r.status !== 0) throw new Error(`ffprobe cannot decode ${file}: ${r.stderr}`);
	return JSON.parse(r.stdout).streams[0];
}
const SETUP_TIMEOUT_MS = 20 * 60 * 1000; // includes a first-time n8n install (5-8 min) on a clean machine
const RUN_TIMEOUT_MS = 4 * 60 * 1000;

export function describeN8n(flavor: N8nFlavor, opts: { editor?: boolean } = {}): void {
	describe(`real n8n ${flavor}: packed community package end to end`, () => {
		let n8n: N8nInstance;
		let emu: EmulatorHandle;
		let smtp: SmtpServerHandle;
		let s3: S3ServerHandle;
		let work: string;
		let out: string;
		const workflows: Record<string, WorkflowJson> = {};

		beforeAll(async () => {
			const tarball = buildAndPack();
			work = newUserFolder(`e2e-${flavor}`);
			out = path.join(work, 'out');
			for (const d of ['demo', 'video', 'content', 'mail', 's3']) fs.mkdirSync(path.join(out, d), { recursive: true });
			emu = await startEmulator({ port: 0, host: '127.0.0.1', latencyMs: 300 });
			smtp = await startSmtpServer({ dir: path.join(out, 'mail') });
			s3 = await startS3Server({ buckets: [BUCKET], dir: path.join(out, 's3') });
			n8n = await startN8n({
				flavor,
				userFolder: path.join(work, 'n8n'),
				packages: [tarball],
				fileAccessDirs: [out],
			});
			const leonardo = { apiKey: DEFAULT_KEYS.MAESTRO, plan: 'MAESTRO', baseUrl: emu.url };
			await n8n.importCredentials([
				{ id: 'leonardoDemo001', name: 'Leonardo', type: 'leonardoApi', data: leonardo },
				{ id: 'leonardoCred001', name: 'Leonardo', type: 'leonardoApi', data: leonardo },
				{ id: 'smtpDemo0000001', name: 'Local SMTP', type: 'smtp', data: smtp.credentialData() },
				{ id: 'smtpCred0000001', name: 'SMTP', type: 'smtp', data: smtp.credentialData() },
				{ id: 'awsS3Cred000001', name: 'S3', type: 'aws', data: s3.credentialData() },
			]);
			workflows.demo = withParameters(loadExample('demo-character-story'), {
				'Save Images': { fileName: `=${out}/demo/{{ $json.generationId }}-{{ $json.index }}.png` },
				'Save Clip': { fileName: `=${out}/video/{{ $json.generationId }}.mp4` },
			});
			workflows.content = withParameters(loadExample('scheduled-content'), {
				'Write Files to Disk': {
					fileName: `=${out}/content/{{ $('Today\\'s Theme').item.json.date }}-{{ $json.imageId }}.png`,
				},
			});
			workflows.webhook = loadExample('webhook-generate');
			await n8n.importWorkflow(Object.values(workflows));
		}, SETUP_TIMEOUT_MS);

		afterAll(async () => {
			await n8n?.stop();
			await smtp?.stop();
			await s3?.stop();
			await emu?.stop();
		}, 60000);

		test('n8n loads the packed package from the community-nodes folder', async () => {
			const installed = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-leonardo');
			const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
			expect(pkg.dependencies ?? {}).toEqual({});
			const types = await n8n.rest.nodeTypes();
			const names = types.map((t) => t.name);
			expect(names).toContain('n8n-nodes-leonardo.leonardo');
			// usableAsTool: n8n generates the AI-tool variant
			expect(names).toContain('n8n-nodes-leonardo.leonardoTool');
			const creds = (await n8n.rest.credentialTypes()).map((c) => c.name);
			expect(creds).toContain('leonardoApi');
			// nothing in n8n's log points into the installed package (a load error or a stack trace would)
			const log = fs.readFileSync(n8n.logFile, 'utf8');
			expect(log.split('\n').filter((l) => l.includes('.n8n/nodes/node_modules/n8n-nodes-leonardo'))).toEqual([]);
		});

		test('demo workflow: portrait -> scenes with LoRA + character reference -> motion clip -> PNG/MP4 files + email with attachment', async () => {
			const before = smtp.messages.length;
			const r = await n8n.execute(workflows.demo.id!, { timeoutMs: RUN_TIMEOUT_MS });
			if (r.status !== 'success') throw new Error(`workflow did not succeed:\n${describeResult(r)}`);

			const portrait = r.output('Character Portrait');
			expect(portrait).toHaveLength(1);
			const scenes = r.output('Story Scenes');
			expect(scenes).toHaveLength(2);

			// the API really received the LoRA and the character reference
			const gen = (emu.admin.server as any).store.generations.get(scenes[0].json.generationId);
			expect(gen).toBeDefined();
			expect(gen.elements).toEqual([{ akUUID: '5f3e58d8-7af3-4d5b-92e3-a3d04b9a3414', weight: 0.8 }]);
			expect(gen.controlnetsUsed).toBe(true);

			// files written by n8n's Read/Write Files node decode as PNGs of the requested size
			const files = fs.readdirSync(path.join(out, 'demo')).filter((f) => f.endsWith('.png')).sort();
			expect(files).toEqual([0, 1].map((i) => `${scenes[0].json.generationId}-${i}.png`));
			for (const f of files) expect(pngSize(fs.readFileSync(path.join(out, 'demo', f)))).toEqual({ width: 1024, height: 768 });

			// a motion clip of the first scene (executeOnce), saved as an MP4
			const clip = r.output('Animate First Scene');
			expect(clip).toHaveLength(1);
			const motion = (emu.admin.server as any).store.generations.get(clip[0].json.generationId);
			expect(motion?.motion?.sourceImageId).toBe(scenes[0].json.imageId);
			const mp4 = fs.readFileSync(path.join(out, 'video', `${clip[0].json.generationId}.mp4`));
			// SVD motion renders at its own resolution, in the source image's aspect ratio (1024x768)
			const size = mp4Size(mp4);
			expect(size.width * 768).toBe(size.height * 1024);
			const probed = ffprobe(path.join(out, 'video', `${clip[0].json.generationId}.mp4`));
			if (probed) {
				expect(probed).toMatchObject({ codec_type: 'video', width: size.width, height: size.height });
				expect(Number(probed.nb_read_frames)).toBeGreaterThan(0);
			}

			// one email (executeOnce) with the first scene attached
			const mail = await smtp.waitForMessage((m) => m.subject.includes(String(scenes[0].json.generationId)), 30000);
			expect(smtp.messages.length).toBe(before + 1);
			expect(mail.to).toEqual(['you@example.com']);
			expect(mail.text).toContain('Size: 1024x768');
			expect(mail.attachments).toHaveLength(1);
			expect(mail.attachments[0].contentType).toBe('image/png');
			expect(pngSize(mail.attachments[0].content)).toEqual({ width: 1024, height: 768 });
			expect(mail.attachments[0].content.equals(fs.readFileSync(path.join(out, 'demo', files[0])))).toBe(true);
		}, RUN_TIMEOUT_MS);

		test('scheduled content example: generate -> files on disk + S3 objects + email', async () => {
			const r = await n8n.execute(workflows.content.id!, { timeoutMs: RUN_TIMEOUT_MS });
			if (r.status !== 'success') throw new Error(`workflow did not succeed:\n${describeResult(r)}`);
			const images = r.output('Generate Post Images');
			expect(images).toHaveLength(2);
			const date = String(r.output("Today's Theme")[0].json.date);
			expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

			for (const img of images) {
				const file = path.join(out, 'content', `${date}-${img.json.imageId}.png`);
				const onDisk = fs.readFileSync(file);
				expect(pngSize(onDisk)).toEqual({ width: 1024, height: 1024 });
				const obj = s3.getObject(BUCKET, `daily/${date}/${img.json.imageId}.png`);
				expect(obj).toBeDefined();
				expect(obj!.contentType).toBe('image/png');
				expect(obj!.body.equals(onDisk)).toBe(true);
			}
			const mail = await smtp.waitForMessage((m) => m.subject.startsWith("Today's post images"), 30000);
			expect(mail.to).toEqual(['social-team@example.com']);
			expect(mail.text).toContain(`s3://${BUCKET}/daily/${date}/`);
			expect(mail.attachments).toHaveLength(1);
			expect(pngSize(mail.attachments[0].content)).toEqual({ width: 1024, height: 1024 });
		}, RUN_TIMEOUT_MS);

		test('webhook example: another app POSTs a prompt and gets the PNG back', async () => {
			await n8n.activate(workflows.webhook.id!);
			const url = `${n8n.url}/webhook/leonardo-generate`;
			let res: Response | undefined;
			// v2 registers production webhooks about a second after activation: retry while 404
			for (let i = 0; i < 40; i++) {
				res = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ prompt: 'A paper boat on a calm lake, watercolor', width: 832, height: 640 }),
				});
				if (res.status !== 404) break;
				await new Promise((r) => setTimeout(r, 500));
			}
			const body = Buffer.from(await res!.arrayBuffer());
			expect({ status: res!.status, body: res!.status === 200 ? 'png' : body.toString().slice(0, 500) }).toEqual({ status: 200, body: 'png' });
			expect(res!.headers.get('content-type')).toMatch(/^image\/png/);
			expect(pngSize(body)).toEqual({ width: 832, height: 640 });
			const generationId = res!.headers.get('x-leonardo-generation-id');
			expect(generationId).toBeTruthy();
			const gen = (emu.admin.server as any).store.generations.get(generationId);
			expect(gen?.prompt).toBe('A paper boat on a calm lake, watercolor');
		}, RUN_TIMEOUT_MS);

		if (opts.editor) {
			test('editor: log in, open the workflow, open the Leonardo node panel, parameters and model picker render', async () => {
				await runEditorChecks({ n8n, emu, flavor, workflowId: workflows.demo.id!, nodeName: 'Story Scenes', expectedNodes: workflows.demo.nodes.length, apiKey: DEFAULT_KEYS.MAESTRO });
			}, RUN_TIMEOUT_MS);
		}
	});
}

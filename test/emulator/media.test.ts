/** Output files: real PNGs (size, determinism, distinctness) and real MP4s (ISO-BMFF, H.264 video track). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { EmulatorHandle } from '../../emulator';
import { escapeRbsp } from '../../emulator/h264';
import { crc32, pngInfo, renderPixels, renderPng } from '../../emulator/images';
import { renderMp4, topLevelBoxes, videoSize } from '../../emulator/video';
import { api, download, generate, waitGeneration } from './helpers';
import { start } from './helpers';

function decodePngRgb(buf: Buffer): { width: number; height: number; channels: number; rows: Buffer } {
	const info = pngInfo(buf);
	if (!info) throw new Error('not a PNG');
	let p = 8;
	const idat: Buffer[] = [];
	while (p < buf.length) {
		const len = buf.readUInt32BE(p);
		const type = buf.toString('ascii', p + 4, p + 8);
		const data = buf.subarray(p + 8, p + 8 + len);
		expect(buf.readUInt32BE(p + 8 + len)).toBe(crc32(buf.subarray(p + 4, p + 8 + len)));
		if (type === 'IDAT') idat.push(data);
		p += 12 + len;
	}
	const channels = info.colorType === 6 ? 4 : 3;
	const rows = inflateSync(Buffer.concat(idat));
	const stride = info.width * channels;
	expect(rows.length).toBe((stride + 1) * info.height);
	// undo the PNG row filters (None, Sub, Up, Average, Paeth) in place
	for (let y = 0; y < info.height; y++) {
		const o = y * (stride + 1);
		const type = rows[o];
		expect(type).toBeLessThanOrEqual(4);
		if (type === 0) continue;
		for (let i = 0; i < stride; i++) {
			const a = i >= channels ? rows[o + 1 + i - channels] : 0;
			const b = y > 0 ? rows[o - stride + i] : 0;
			let pred = type === 1 ? a : type === 2 ? b : (a + b) >> 1;
			if (type === 4) {
				const c = y > 0 && i >= channels ? rows[o - stride + i - channels] : 0;
				const p = a + b - c;
				const pa = Math.abs(p - a);
				const pb = Math.abs(p - b);
				const pc = Math.abs(p - c);
				pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			rows[o + 1 + i] = (rows[o + 1 + i] + pred) & 0xff;
		}
	}
	return { width: info.width, height: info.height, channels, rows };
}

function meanColour(png: Buffer): [number, number, number] {
	const { width, height, channels, rows } = decodePngRgb(png);
	const sum = [0, 0, 0];
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) sum[c] += rows[y * (width * channels + 1) + 1 + x * channels + c];
	return sum.map((s) => s / (width * height)) as [number, number, number];
}

let emu: EmulatorHandle;
const key = 'c0570000-0000-4000-8000-000000000005';
beforeAll(async () => {
	emu = await start({ latencyMs: 20 });
});
afterAll(() => emu.stop());

test('generated images are valid PNGs of the requested size, deterministic for prompt + seed', async () => {
	const a = await generate(emu, { prompt: 'a red fox in snow', width: 640, height: 384, num_images: 2, seed: 1234 }, key);
	const b = await generate(emu, { prompt: 'a red fox in snow', width: 640, height: 384, num_images: 2, seed: 1234 }, key);
	const c = await generate(emu, { prompt: 'a blue whale at night', width: 640, height: 384, num_images: 1, seed: 1234 }, key);
	const [a0, a1, b0, c0] = await Promise.all([a.generated_images[0].url, a.generated_images[1].url, b.generated_images[0].url, c.generated_images[0].url].map((u: string) => download(u)));
	for (const f of [a0, a1, b0, c0]) {
		expect(f.status).toBe(200);
		expect(f.contentType).toBe('image/png');
		const d = decodePngRgb(f.bytes);
		expect([d.width, d.height]).toEqual([640, 384]);
	}
	expect(a0.bytes.equals(b0.bytes)).toBe(true); // same prompt + seed
	expect(a0.bytes.equals(a1.bytes)).toBe(false); // second image of the batch differs
	const ma = meanColour(a0.bytes);
	const mc = meanColour(c0.bytes);
	const distance = Math.hypot(ma[0] - mc[0], ma[1] - mc[1], ma[2] - mc[2]);
	expect(distance).toBeGreaterThan(20); // clearly different pictures
});

test('transparency foreground_only gives an RGBA PNG', async () => {
	const g = await generate(emu, { prompt: 'a logo', width: 128, height: 128, num_images: 1, transparency: 'foreground_only', alchemy: false }, key);
	const f = await download(g.generated_images[0].url);
	expect(pngInfo(f.bytes)?.colorType).toBe(6);
});

test('CDN: no auth needed, HEAD and byte ranges work, unknown paths 404', async () => {
	const g = await generate(emu, { prompt: 'range test', width: 64, height: 64, num_images: 1 }, key);
	const url = g.generated_images[0].url;
	const head = await fetch(url, { method: 'HEAD' });
	expect(head.status).toBe(200);
	const size = Number(head.headers.get('content-length'));
	const part = await fetch(url, { headers: { range: 'bytes=0-7' } });
	expect(part.status).toBe(206);
	expect(Buffer.from(await part.arrayBuffer()).toString('hex')).toBe('89504e470d0a1a0a');
	expect(part.headers.get('content-range')).toBe(`bytes 0-7/${size}`);
	expect((await fetch(`${emu.url}/cdn/users/nobody/nothing.png`)).status).toBe(404);
});

test('a 1024x1024 PNG renders fast (cached by content on repeat)', () => {
	const spec = { prompt: `speed ${Date.now()}`, seed: 1, width: 1024, height: 1024 };
	const t0 = process.hrtime.bigint();
	const first = renderPng(spec);
	const coldMs = Number(process.hrtime.bigint() - t0) / 1e6;
	const t1 = process.hrtime.bigint();
	const again = renderPng(spec);
	const warmMs = Number(process.hrtime.bigint() - t1) / 1e6;
	expect(again).toBe(first); // same Buffer from the cache
	expect(pngInfo(first)).toMatchObject({ width: 1024, height: 1024 });
	// generous bound for a shared 2-core machine; bench/ figures are printed by emulator/bench.ts
	expect(coldMs).toBeLessThan(1000);
	expect(warmMs).toBeLessThan(5);
});

/** Finds a box by path (e.g. moov/trak/tkhd) and returns its payload (after the 8-byte header). */
function findBox(buf: Buffer, path: string): Buffer {
	const [head, ...rest] = path.split('/');
	let p = 0;
	while (p + 8 <= buf.length) {
		const size = buf.readUInt32BE(p);
		if (size < 8) break;
		if (buf.toString('ascii', p + 4, p + 8) === head) {
			const payload = buf.subarray(p + 8, p + size);
			return rest.length ? findBox(payload, rest.join('/')) : payload;
		}
		p += size;
	}
	throw new Error(`box ${path} not found`);
}

/** The container facts a player relies on, read straight from the boxes. */
function mp4Layout(mp4: Buffer) {
	const stbl = 'moov/trak/mdia/minf/stbl';
	const mvhd = findBox(mp4, 'moov/mvhd');
	const tkhd = findBox(mp4, 'moov/trak/tkhd');
	const mdhd = findBox(mp4, 'moov/trak/mdia/mdhd');
	const stsd = findBox(mp4, `${stbl}/stsd`);
	const entry = stsd.subarray(8); // version/flags + entry_count
	const stts = findBox(mp4, `${stbl}/stts`);
	const stsc = findBox(mp4, `${stbl}/stsc`);
	const stsz = findBox(mp4, `${stbl}/stsz`);
	const stco = findBox(mp4, `${stbl}/stco`);
	const count = stsz.readUInt32BE(8);
	const sizes = Array.from({ length: count }, (_, i) => stsz.readUInt32BE(12 + 4 * i));
	const avcC = findBox(entry.subarray(8 + 78), 'avcC'); // 78 bytes of VisualSampleEntry fields
	return {
		ftyp: findBox(mp4, 'ftyp'),
		movie: { timescale: mvhd.readUInt32BE(12), duration: mvhd.readUInt32BE(16) },
		track: { duration: tkhd.readUInt32BE(20), width: tkhd.readUInt32BE(76) / 65536, height: tkhd.readUInt32BE(80) / 65536 },
		media: { timescale: mdhd.readUInt32BE(12), duration: mdhd.readUInt32BE(16) },
		sampleEntry: { type: entry.toString('ascii', 4, 8), width: entry.readUInt16BE(8 + 24), height: entry.readUInt16BE(8 + 26) },
		avcC,
		stts: { entries: stts.readUInt32BE(4), count: stts.readUInt32BE(8), delta: stts.readUInt32BE(12) },
		stsc: Array.from({ length: stsc.readUInt32BE(4) }, (_, i) => [0, 4, 8].map((o) => stsc.readUInt32BE(8 + 12 * i + o))),
		sizes,
		chunkOffsets: Array.from({ length: stco.readUInt32BE(4) }, (_, i) => stco.readUInt32BE(8 + 4 * i)),
		hasStss: (() => {
			try {
				findBox(mp4, `${stbl}/stss`);
				return true;
			} catch {
				return false;
			}
		})(),
	};
}

test('motion outputs are MP4 files with ftyp/moov/mdat and one H.264 video track', async () => {
	const r = await api(emu, 'POST', '/generations-text-to-video', { key, body: { prompt: 'rain on a window', resolution: 'RESOLUTION_480', duration: 2 } });
	const g = await waitGeneration(emu, r.body.motionVideoGenerationJob.generationId, key);
	expect(g.imageWidth).toBe(832);
	expect(g.imageHeight).toBe(480);
	const f = await download(g.generated_images[0].motionMP4URL);
	expect(f.contentType).toBe('video/mp4');
	expect(topLevelBoxes(f.bytes).map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat']);
	const m = mp4Layout(f.bytes);
	// 832x480 is encoded at 480x276 (long side capped, aspect kept, even sizes); the track says the same
	expect(videoSize(832, 480)).toEqual({ width: 480, height: 276 });
	expect(m.sampleEntry).toEqual({ type: 'avc1', width: 480, height: 276 });
	expect(m.track).toMatchObject({ width: 480, height: 276 });
	expect(f.bytes.includes(Buffer.from('png '))).toBe(false);
	const a = renderMp4({ prompt: 'x', seed: 1, width: 64, height: 48, durationSeconds: 1 });
	const b = renderMp4({ prompt: 'x', seed: 1, width: 64, height: 48, durationSeconds: 1 });
	const c = renderMp4({ prompt: 'y', seed: 1, width: 64, height: 48, durationSeconds: 1 });
	expect(a.equals(b)).toBe(true); // same prompt + seed
	expect(a.equals(c)).toBe(false);
});

test('MP4 boxes: brands, avcC, durations, sample table and length-prefixed I_PCM samples agree', () => {
	const mp4 = renderMp4({ prompt: 'box check', seed: 9, width: 100, height: 60, durationSeconds: 3 });
	const m = mp4Layout(mp4);
	expect(m.ftyp.toString('ascii', 0, 4)).toBe('isom');
	const brands = Array.from({ length: (m.ftyp.length - 8) / 4 }, (_, i) => m.ftyp.toString('ascii', 8 + 4 * i, 12 + 4 * i));
	expect(brands).toEqual(expect.arrayContaining(['isom', 'avc1']));
	// 3 s at 4 fps: 12 samples of one tick each, durations in the movie/media timescale
	expect(m.stts).toEqual({ entries: 1, count: 12, delta: m.media.timescale / 4 });
	expect(m.movie.duration / m.movie.timescale).toBe(3);
	expect(m.media.duration / m.media.timescale).toBe(3);
	expect(m.track.duration).toBe(m.movie.duration); // tkhd duration is in the movie timescale
	expect(m.track).toMatchObject({ width: 100, height: 60 });
	expect(m.hasStss).toBe(false); // every sample is an IDR picture (all sync samples)
	// avcC: version 1, Baseline profile 66, lengthSizeMinusOne 3, one SPS and one PPS
	const avcC = m.avcC;
	expect([avcC[0], avcC[1], avcC[4] & 3, avcC[5] & 0x1f]).toEqual([1, 66, 3, 1]);
	const spsLen = avcC.readUInt16BE(6);
	expect(avcC[8] & 0x1f).toBe(7); // SPS NAL
	expect(avcC[8 + 1]).toBe(avcC[1]); // profile_idc as in the SPS
	expect(avcC[8 + 3]).toBe(avcC[3]); // level_idc as in the SPS
	expect(avcC[8 + spsLen]).toBe(1); // numOfPictureParameterSets
	expect(avcC[8 + spsLen + 3] & 0x1f).toBe(8); // PPS NAL
	// one chunk holding all 12 samples; each sample = 4-byte length + one IDR NAL of exactly that length
	expect(m.stsc).toEqual([[1, 12, 1]]);
	expect(m.chunkOffsets).toHaveLength(1);
	const mdat = topLevelBoxes(mp4).reduce((o, b) => (b.type === 'mdat' ? o : o + b.size), 0);
	expect(m.chunkOffsets[0]).toBe(mdat + 8);
	let p = m.chunkOffsets[0];
	const macroblocks = Math.ceil(100 / 16) * Math.ceil(60 / 16);
	for (const size of m.sizes) {
		expect(mp4.readUInt32BE(p)).toBe(size - 4);
		expect(mp4[p + 4]).toBe(0x65); // nal_ref_idc 3, nal_unit_type 5 (IDR)
		// only I_PCM macroblocks fit this size: 2 bytes mb_type+alignment + 384 samples each, + a few header bytes
		expect(size - 4 - macroblocks * 386).toBeGreaterThanOrEqual(0);
		expect(size - 4 - macroblocks * 386).toBeLessThan(8);
		p += size;
	}
	expect(p).toBe(mp4.length);
});

test('emulation prevention matches the spec rule (00 00 0x -> 00 00 03 0x, final 00 -> 00 03)', () => {
	const reference = (r: Uint8Array) => {
		const o: number[] = [];
		let zeros = 0;
		for (const b of r) {
			if (zeros === 2 && b <= 3) {
				o.push(3);
				zeros = 0;
			}
			o.push(b);
			zeros = b === 0 ? zeros + 1 : 0;
		}
		if (r.length && r[r.length - 1] === 0) o.push(3);
		return Buffer.from(o);
	};
	expect(escapeRbsp(Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0]))).toEqual(Buffer.from([0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0, 4, 0, 0, 3]));
	let seed = 7;
	const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
	for (let t = 0; t < 2000; t++) {
		const bytes = Uint8Array.from({ length: Math.floor(rnd() * 14) }, () => (rnd() < 0.5 ? 0 : Math.floor(rnd() * 6)));
		expect(escapeRbsp(bytes)).toEqual(reference(bytes));
	}
});

function hasFfprobe(): boolean {
	try {
		execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

// ffprobe/ffmpeg are a test-only cross-check (apt package ffmpeg); the emulator itself needs no external binary.
// In CI (.ci/run installs ffmpeg) the checks always run, so a missing ffprobe fails instead of skipping.
const withFfmpeg = hasFfprobe() || process.env.CI ? test : test.skip;

describe('ffmpeg decodes the clips', () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'leonardo-emulator-mp4-'));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	const cases = [
		{ name: '160x96 (multiple of 16)', width: 160, height: 96, seconds: 2, video: [160, 96], crop: null },
		{ name: '100x60 (frame cropping)', width: 100, height: 60, seconds: 1, video: [100, 60], crop: [6, 2] },
		{ name: '1280x720 (downscaled, cropped)', width: 1280, height: 720, seconds: 3, video: [480, 270], crop: [0, 1] },
	] as const;

	withFfmpeg.each(cases)('$name: ffprobe sees H.264 Baseline of the right size, frames and duration; every frame decodes', ({ width, height, seconds, video, crop }) => {
		const spec = { prompt: `ffprobe check ${width}`, seed: 3, width, height, durationSeconds: seconds };
		const file = join(dir, `${width}x${height}.mp4`);
		writeFileSync(file, renderMp4(spec));
		const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]).toString());
		expect(out.streams).toHaveLength(1);
		const s = out.streams[0];
		expect(s).toMatchObject({ codec_type: 'video', codec_name: 'h264', codec_tag_string: 'avc1', width: video[0], height: video[1], pix_fmt: 'yuv420p' });
		// profile_idc 66 with constraint_set1 (no FMO/ASO/redundant slices): ffprobe names it Constrained Baseline
		expect(s.profile).toBe('Constrained Baseline');
		expect(Number(s.nb_frames)).toBe(seconds * 4);
		expect(Number(s.nb_read_frames)).toBe(seconds * 4);
		expect(Number(s.duration)).toBeCloseTo(seconds, 3);
		expect(Number(out.format.duration)).toBeCloseTo(seconds, 3);
		expect(out.format.format_name).toContain('mp4');

		const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
		expect(decode.status).toBe(0);
		expect(decode.stderr).toBe('');

		// independent parse of the headers: SPS/PPS fields and alternating idr_pic_id
		const trace = spawnSync('ffmpeg', ['-loglevel', 'debug', '-i', file, '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
		const field = (name: string) => [...trace.matchAll(new RegExp(`\\s${name}\\s+[01]+ = (\\d+)`, 'g'))].map((x) => Number(x[1]));
		expect(field('profile_idc')).toEqual([66]);
		expect(field('pic_order_cnt_type')).toEqual([2]);
		expect(field('entropy_coding_mode_flag')).toEqual([0]);
		expect(field('frame_cropping_flag')).toEqual([crop ? 1 : 0]);
		if (crop) expect([field('frame_crop_right_offset')[0], field('frame_crop_bottom_offset')[0]]).toEqual(crop);
		expect(field('idr_pic_id')).toEqual(Array.from({ length: seconds * 4 }, (_, i) => i % 2));
		expect(field('nal_unit_type').filter((t) => t === 5)).toHaveLength(seconds * 4);
	});

	withFfmpeg('decoded pixels match the rendered frames (BT.601 4:2:0 round trip) and the clip moves', () => {
		const spec = { prompt: 'pixel check', seed: 5, width: 832, height: 480, durationSeconds: 2 };
		const file = join(dir, 'pixels.mp4');
		writeFileSync(file, renderMp4(spec));
		const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
		const { width, height } = videoSize(832, 480);
		const frameBytes = width * height * 3;
		expect(raw.length).toBe(8 * frameBytes);
		const decoded = Array.from({ length: 8 }, (_, f) => raw.subarray(f * frameBytes, (f + 1) * frameBytes));
		const meanAbs = (a: Uint8Array, b: Uint8Array) => {
			let sum = 0;
			for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
			return sum / a.length;
		};
		decoded.forEach((frame, f) => {
			const expected = renderPixels({ ...spec, width, height, transparent: false, phase: f / 8 }).pixels;
			expect(meanAbs(frame, expected)).toBeLessThan(4); // only rounding and chroma subsampling differ
		});
		expect(meanAbs(decoded[0], decoded[4])).toBeGreaterThan(1); // frames differ: the disc moves
	});
});

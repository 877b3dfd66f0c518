/**
 * Motion outputs: a hand-written ISO-BMFF (MP4) muxer. One video track whose samples are PNG frames
 * (sample entry 'png ', which ffmpeg/ffprobe demux as codec "png"). No external binary needed. Each frame
 * is the job's picture with the disc moved along a path, so the clip visibly moves.
 */
import { encodePng, renderPixels, cacheByContent, type PictureSpec } from './images';

function box(type: string, ...payload: Buffer[]): Buffer {
	const body = Buffer.concat(payload);
	const head = Buffer.alloc(8);
	head.writeUInt32BE(8 + body.length, 0);
	head.write(type, 4, 'ascii');
	return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
	const vf = Buffer.alloc(4);
	vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
	return box(type, vf, ...payload);
}

function u32(...values: number[]): Buffer {
	const b = Buffer.alloc(4 * values.length);
	values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
	return b;
}

function u16(...values: number[]): Buffer {
	const b = Buffer.alloc(2 * values.length);
	values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
	return b;
}

const MATRIX = u32(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);

function visualSampleEntry(fourcc: string, width: number, height: number, name: string, ...extra: Buffer[]): Buffer {
	const compressor = Buffer.alloc(32);
	compressor[0] = Math.min(31, name.length);
	compressor.write(name.slice(0, 31), 1, 'ascii');
	return box(
		fourcc,
		Buffer.alloc(6), // reserved
		u16(1), // data_reference_index
		u16(0, 0), // pre_defined, reserved
		u32(0, 0, 0), // pre_defined
		u16(width, height),
		u32(0x00480000, 0x00480000), // 72 dpi
		u32(0), // reserved
		u16(1), // frame_count
		compressor,
		u16(0x0018, 0xffff), // depth, pre_defined = -1
		...extra,
	);
}

export interface Mp4Options {
	width: number;
	height: number;
	fps: number;
	frames: Buffer[];
}

/** Muxes PNG frames into an MP4 file (ftyp, moov with one video trak, mdat). */
export function muxPngMp4({ width, height, fps, frames }: Mp4Options): Buffer {
	const timescale = fps * 1000;
	const sampleDelta = 1000;
	const duration = frames.length * sampleDelta;
	const ftyp = box('ftyp', Buffer.from('isom', 'ascii'), u32(0x200), Buffer.from('isomiso2mp41', 'ascii'));
	const build = (chunkOffset: number) => {
		const mvhd = fullBox('mvhd', 0, 0, u32(0, 0, timescale, duration, 0x00010000), u16(0x0100, 0), u32(0, 0), MATRIX, u32(0, 0, 0, 0, 0, 0), u32(2));
		const tkhd = fullBox('tkhd', 0, 0x3, u32(0, 0, 1, 0, duration, 0, 0), u16(0, 0, 0, 0), MATRIX, u32(width << 16, height << 16));
		const mdhd = fullBox('mdhd', 0, 0, u32(0, 0, timescale, duration), u16(0x55c4 /* und */, 0));
		const hdlr = fullBox('hdlr', 0, 0, u32(0), Buffer.from('vide', 'ascii'), u32(0, 0, 0), Buffer.from('VideoHandler\0', 'ascii'));
		const vmhd = fullBox('vmhd', 0, 1, u16(0, 0, 0, 0));
		const dinf = box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1)));
		const stsd = fullBox('stsd', 0, 0, u32(1), visualSampleEntry('png ', width, height, 'PNG'));
		const stts = fullBox('stts', 0, 0, u32(1, frames.length, sampleDelta));
		const stss = undefined; // every PNG frame is a sync sample (no stss box = all sync)
		void stss;
		const stsc = fullBox('stsc', 0, 0, u32(1, 1, frames.length, 1));
		const stsz = fullBox('stsz', 0, 0, u32(0, frames.length, ...frames.map((f) => f.length)));
		const stco = fullBox('stco', 0, 0, u32(1, chunkOffset));
		const stbl = box('stbl', stsd, stts, stsc, stsz, stco);
		const minf = box('minf', vmhd, dinf, stbl);
		const mdia = box('mdia', mdhd, hdlr, minf);
		const trak = box('trak', tkhd, mdia);
		return box('moov', mvhd, trak);
	};
	const moovSize = build(0).length;
	const moov = build(ftyp.length + moovSize + 8);
	const mdat = box('mdat', ...frames);
	return Buffer.concat([ftyp, moov, mdat]);
}

export interface ClipSpec extends PictureSpec {
	durationSeconds: number;
	fps?: number;
}

/** A deterministic clip for a job (cached by content). */
export function renderMp4(spec: ClipSpec): Buffer {
	const fps = spec.fps ?? 4;
	const count = Math.max(1, Math.round(spec.durationSeconds * fps));
	const key = JSON.stringify(['mp4', spec.prompt, spec.seed, spec.index ?? 0, spec.width, spec.height, spec.variant ?? '', count, fps]);
	return cacheByContent(key, () => {
		const frames: Buffer[] = [];
		for (let f = 0; f < count; f++) {
			const { pixels } = renderPixels({ ...spec, transparent: false, phase: f / count });
			frames.push(encodePng(spec.width, spec.height, pixels, 3));
		}
		return muxPngMp4({ width: spec.width, height: spec.height, fps, frames });
	});
}

/** Parses the top-level boxes of an MP4 (for tests and the admin inspector). */
export function topLevelBoxes(buf: Buffer): Array<{ type: string; size: number }> {
	const out: Array<{ type: string; size: number }> = [];
	let p = 0;
	while (p + 8 <= buf.length) {
		const size = buf.readUInt32BE(p);
		out.push({ type: buf.toString('ascii', p + 4, p + 8), size });
		if (size < 8) break;
		p += size;
	}
	return out;
}

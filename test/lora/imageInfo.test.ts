import { readImageInfo } from '../../nodes/shared/imageInfo';
import {
	countCreatedThisMonth,
	imageCountNotice,
	instancePromptRequired,
	monthOf,
	trainingRanges,
} from '../../nodes/shared/loraTraining';
import { jpegHeader, png, webpExtended, webpLossless } from './images';

describe('readImageInfo (training image checks by content)', () => {
	it('reads PNG, JPEG and WebP sizes from their headers', () => {
		expect(readImageInfo(png(1, 24, 16))).toEqual({ ok: true, info: { format: 'png', width: 24, height: 16 } });
		expect(readImageInfo(jpegHeader(640, 480))).toEqual({ ok: true, info: { format: 'jpg', width: 640, height: 480 } });
		expect(readImageInfo(webpLossless(300, 200))).toEqual({ ok: true, info: { format: 'webp', width: 300, height: 200 } });
		expect(readImageInfo(webpExtended(1024, 768))).toEqual({ ok: true, info: { format: 'webp', width: 1024, height: 768 } });
	});

	it('refuses other formats, empty data and unreadable headers', () => {
		const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'latin1');
		expect(readImageInfo(gif)).toMatchObject({ ok: false, problem: expect.stringContaining('not a PNG, JPEG or WebP') });
		expect(readImageInfo(Buffer.from('hello, not an image'))).toMatchObject({ ok: false });
		expect(readImageInfo(Buffer.alloc(0))).toEqual({ ok: false, problem: 'it is empty' });
		// PNG signature only: no IHDR
		expect(readImageInfo(png(1).subarray(0, 12))).toMatchObject({ ok: false, problem: expect.stringContaining('truncated') });
		// JPEG without a frame header
		expect(readImageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toMatchObject({ ok: false });
		// zero-size PNG
		const zero = Buffer.from(png(1));
		zero.writeUInt32BE(0, 16);
		expect(readImageInfo(zero)).toMatchObject({ ok: false, problem: expect.stringContaining('no size') });
	});
});

describe('LoRA training rules (leonardo-api.md §7.7, product brief)', () => {
	it('uses the FLUX_DEV ranges by focus and the default ranges elsewhere', () => {
		expect(trainingRanges('Style', 'FLUX_DEV')).toMatchObject({ ok: true, ranges: { epochs: { default: 60 }, learningRate: { default: 1e-5 } } });
		expect(trainingRanges('Character', 'FLUX_DEV')).toMatchObject({ ok: true, ranges: { epochs: { min: 100, max: 200, default: 135 } } });
		expect(trainingRanges('Object', 'FLUX_DEV')).toMatchObject({ ok: true, ranges: { learningRate: { default: 4e-4 } } });
		expect(trainingRanges('General', 'FLUX_DEV')).toMatchObject({ ok: false });
		expect(trainingRanges('General', 'SDXL_1_0')).toMatchObject({ ok: true, ranges: { epochs: { min: 1, max: 250, default: 100 }, learningRate: { default: 1e-6 } } });
		expect(instancePromptRequired('Style', 'FLUX_DEV')).toBe(false);
		expect(instancePromptRequired('Character', 'FLUX_DEV')).toBe(true);
		expect(instancePromptRequired('Style', 'KINO_XL')).toBe(true);
	});

	it('notices image counts outside the recommended range', () => {
		expect(imageCountNotice('Character', 20)).toBeUndefined();
		expect(imageCountNotice('Character', 12)).toContain('fewer than the recommended 15-25');
		expect(imageCountNotice('Style', 25)).toBeUndefined();
		expect(imageCountNotice('Style', 31)).toContain('more than the recommended 20-30');
	});

	it('counts elements created this month from zone-less Leonardo timestamps', () => {
		const now = new Date('2025-11-25T12:00:00Z');
		expect(monthOf('2025-11-01T00:00:00.000')).toBe('2025-11');
		expect(monthOf('2025-10-31T23:59:59.999')).toBe('2025-10');
		expect(
			countCreatedThisMonth(
				[{ createdAt: '2025-11-02T10:00:00.000' }, { createdAt: '2025-10-30T10:00:00.000' }, null, { createdAt: '2025-11-25T11:00:00Z' }],
				now,
			),
		).toBe(2);
	});
});

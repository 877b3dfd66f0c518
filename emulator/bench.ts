/** Prints emulator output-generation figures: `npx tsx emulator/bench.ts`. */
import { renderPng } from './images';
import { renderMp4 } from './video';

function time<T>(fn: () => T): [T, number] {
	const t = process.hrtime.bigint();
	const v = fn();
	return [v, Number(process.hrtime.bigint() - t) / 1e6];
}

const runs: number[] = [];
for (let i = 0; i < 10; i++) runs.push(time(() => renderPng({ prompt: `bench ${i} ${Date.now()}`, seed: i, width: 1024, height: 1024 }))[1]);
runs.sort((a, b) => a - b);
const [png, cached] = time(() => renderPng({ prompt: 'bench 0 cached', seed: 0, width: 1024, height: 1024 }));
const [, cachedAgain] = time(() => renderPng({ prompt: 'bench 0 cached', seed: 0, width: 1024, height: 1024 }));
const [mp4, mp4Ms] = time(() => renderMp4({ prompt: `bench clip ${Date.now()}`, seed: 1, width: 832, height: 480, durationSeconds: 5 }));
console.log(`png 1024x1024 cold: median ${runs[5].toFixed(1)} ms, min ${runs[0].toFixed(1)} ms, max ${runs[9].toFixed(1)} ms (${png.length} bytes)`);
console.log(`png 1024x1024 first ${cached.toFixed(1)} ms, cached ${cachedAgain.toFixed(3)} ms`);
console.log(`mp4 832x480 5 s @ 4 fps: ${mp4Ms.toFixed(0)} ms (${mp4.length} bytes)`);

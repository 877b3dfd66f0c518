/**
 * Fault injection. All counters are "next N" budgets consumed by matching requests/jobs/deliveries;
 * `match` (optional) is a case-sensitive substring of "METHOD /path" (API path without /api/rest/v1|v2
 * prefix is matched too, e.g. "POST /generations").
 */

export interface RequestFault {
	/** How many upcoming matching API requests are affected. */
	next: number;
	match?: string;
}

export interface FaultConfig {
	/** Delay added before every API response (ms). */
	responseDelayMs: number;
	/** Overrides how long every new job stays PENDING (ms); null = emulator/key latency. */
	jobLatencyMs: number | null;
	/** The next N matching API requests answer 429 (standard body + Retry-After). */
	rateLimitBurst: RequestFault & { retryAfterSeconds?: number };
	/** The next N matching API requests answer a 5xx. */
	serverErrors: RequestFault & { status?: number };
	/** Fraction (0..1) of API requests that answer 5xx (deterministic PRNG). */
	serverErrorRate: number;
	/** The next N matching job-creating POSTs: job stored and charged, then the socket is destroyed. */
	dropAfterCommit: RequestFault;
	/** The next N new jobs end FAILED (refunded). */
	failJobs: { next: number };
	/** Jobs whose prompt contains any of these (case-insensitive) end FAILED. */
	failPrompts: string[];
	webhook: {
		/** Drop the next N deliveries (never sent). */
		drop: number;
		/** Send the next N deliveries twice. */
		duplicate: number;
		/** Delay every delivery by this many ms. */
		delayMs: number;
		/** Hold the next N deliveries and send them in reverse order once N are held (or on flush). */
		reorder: number;
	};
}

export function defaultFaults(): FaultConfig {
	return {
		responseDelayMs: 0,
		jobLatencyMs: null,
		rateLimitBurst: { next: 0 },
		serverErrors: { next: 0 },
		serverErrorRate: 0,
		dropAfterCommit: { next: 0 },
		failJobs: { next: 0 },
		failPrompts: [],
		webhook: { drop: 0, duplicate: 0, delayMs: 0, reorder: 0 },
	};
}

export type FaultPatch = Partial<Omit<FaultConfig, 'webhook'>> & { webhook?: Partial<FaultConfig['webhook']> };

export class Faults {
	config: FaultConfig = defaultFaults();
	private prng = 0x2545f491;

	set(patch: FaultPatch): FaultConfig {
		const { webhook, ...rest } = patch ?? {};
		this.config = { ...this.config, ...(rest as Partial<FaultConfig>), webhook: { ...this.config.webhook, ...(webhook ?? {}) } };
		return this.config;
	}

	reset(): void {
		this.config = defaultFaults();
		this.prng = 0x2545f491;
	}

	private static matches(f: RequestFault, method: string, path: string): boolean {
		if (f.next <= 0) return false;
		if (!f.match) return true;
		const short = path.replace(/^\/api\/rest\/v[12]/, '');
		return `${method} ${path}`.includes(f.match) || `${method} ${short}`.includes(f.match);
	}

	takeRateLimit(method: string, path: string): number | null {
		const f = this.config.rateLimitBurst;
		if (!Faults.matches(f, method, path)) return null;
		f.next--;
		return f.retryAfterSeconds ?? 1;
	}

	takeServerError(method: string, path: string): number | null {
		const f = this.config.serverErrors;
		if (Faults.matches(f, method, path)) {
			f.next--;
			return f.status ?? 500;
		}
		if (this.config.serverErrorRate > 0 && this.random() < this.config.serverErrorRate) return 500;
		return null;
	}

	takeDropAfterCommit(method: string, path: string): boolean {
		const f = this.config.dropAfterCommit;
		if (!Faults.matches(f, method, path)) return false;
		f.next--;
		return true;
	}

	/** Whether a new job with this prompt must fail (consumes the failJobs budget). */
	takeJobFailure(prompt: string | null | undefined): boolean {
		const p = (prompt ?? '').toLowerCase();
		if (p && this.config.failPrompts.some((w) => w && p.includes(w.toLowerCase()))) return true;
		if (this.config.failJobs.next > 0) {
			this.config.failJobs.next--;
			return true;
		}
		return false;
	}

	private random(): number {
		// xorshift32, deterministic per emulator (reset restores the seed)
		let x = this.prng;
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		this.prng = x >>> 0;
		return this.prng / 0x100000000;
	}
}

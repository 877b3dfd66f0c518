/**
 * Parses the output of `n8n execute --id=X --rawOutput`: the IRun JSON on stdout (v2 prints log lines before
 * it, so parsing starts at the first line that is exactly `{`), and gives easy access to node outputs.
 */

export interface RunItem {
	json: Record<string, any>;
	binary?: Record<string, { data?: string; id?: string; mimeType?: string; fileName?: string; fileSize?: string; fileExtension?: string; [k: string]: any }>;
	pairedItem?: unknown;
	[k: string]: any;
}

export interface ExecuteResult {
	/** the CLI exit code */
	code: number | null;
	/** 'success' | 'error' | 'waiting' | ... (undefined when no IRun was printed) */
	status?: string;
	finished?: boolean;
	/** the raw IRun */
	run?: any;
	/** the workflow error message, if any */
	error?: string;
	stdout: string;
	stderr: string;
	ms: number;
	/** output items of a node's last run (output index 0 by default) */
	output(nodeName: string, outputIndex?: number): RunItem[];
	/** names of the nodes that ran */
	nodesRun(): string[];
	/** the error of a node's last run, if any */
	nodeError(nodeName: string): any;
}

export function extractJson(stdout: string): any | undefined {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l.trimEnd() === '{');
	if (start < 0) return undefined;
	// the IRun ends at the last line that is exactly `}`
	let end = lines.length - 1;
	while (end > start && lines[end].trimEnd() !== '}') end--;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return undefined;
	}
}

export function parseExecuteOutput(stdout: string, stderr: string, code: number | null, ms: number): ExecuteResult {
	const run = extractJson(stdout);
	const runData = run?.data?.resultData?.runData ?? {};
	const errObj = run?.data?.resultData?.error;
	let error: string | undefined = errObj ? String(errObj.message ?? JSON.stringify(errObj)) : undefined;
	if (!run && code !== 0) {
		const m = /Error: (.*)/.exec(stderr) ?? /Error: (.*)/.exec(stdout);
		error = m ? m[1] : `n8n execute exited with ${code}`;
	}
	return {
		code,
		status: run?.status ?? (run ? (run.finished ? 'success' : 'error') : undefined),
		finished: run?.finished,
		run,
		error,
		stdout,
		stderr,
		ms,
		output(nodeName: string, outputIndex = 0): RunItem[] {
			const runs = runData[nodeName];
			if (!runs || runs.length === 0) throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(runData).join(', ')})`);
			const last = runs[runs.length - 1];
			return (last.data?.main?.[outputIndex] ?? []) as RunItem[];
		},
		nodesRun(): string[] {
			return Object.keys(runData);
		},
		nodeError(nodeName: string): any {
			const runs = runData[nodeName];
			return runs?.[runs.length - 1]?.error;
		},
	};
}

/** A short human summary of an execution result (for logs and assertion messages). */
export function describeResult(r: ExecuteResult): string {
	const lines = [`status=${r.status} code=${r.code} ${(r.ms / 1000).toFixed(1)} s`];
	if (r.error) lines.push(`error: ${r.error}`);
	for (const n of r.nodesRun()) {
		const err = r.nodeError(n);
		let count = 0;
		try {
			count = r.output(n).length;
		} catch {
			/* ignore */
		}
		lines.push(`  ${n}: ${err ? `ERROR ${err.message}${err.description ? ` (${err.description})` : ''}` : `${count} item(s)`}`);
	}
	if (!r.run) lines.push(`stdout: ${r.stdout.slice(-2000)}`, `stderr: ${r.stderr.slice(-2000)}`);
	return lines.join('\n');
}

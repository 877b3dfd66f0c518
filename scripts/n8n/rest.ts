/**
 * n8n's internal REST API (cookie session: owner setup, login, API keys, /types) and the public API
 * (X-N8N-API-KEY: workflows, activation, executions). Works with n8n 1.123 and 2.41.
 */

export class N8nRest {
	cookie = '';

	constructor(readonly baseUrl: string) {}

	async request(method: string, pathName: string, body?: unknown): Promise<any> {
		const res = await fetch(`${this.baseUrl}${pathName}`, {
			method,
			headers: {
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
				// n8n 1.9x+ checks this header on browser-id bound sessions
				'browser-id': 'n8n-nodes-leonardo-e2e',
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const setCookie = res.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const m = /^(n8n-auth=[^;]*)/.exec(c);
			if (m) this.cookie = m[1];
		}
		const text = await res.text();
		let json: any;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = text;
		}
		if (!res.ok) throw new Error(`${method} ${pathName} -> ${res.status}: ${text.slice(0, 500)}`);
		return json;
	}

	async setupOwner(owner: { email: string; firstName: string; lastName: string; password: string }): Promise<void> {
		try {
			await this.request('POST', '/rest/owner/setup', owner);
		} catch (e) {
			// already set up (reused user folder): log in instead
			if (!/400|403/.test(String(e))) throw e;
			await this.login(owner.email, owner.password);
		}
		if (!this.cookie) await this.login(owner.email, owner.password);
	}

	async login(email: string, password: string): Promise<void> {
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
	}

	async createApiKey(label = 'e2e'): Promise<string> {
		let scopes: string[] | undefined;
		try {
			scopes = (await this.request('GET', '/rest/api-keys/scopes')).data;
		} catch {
			scopes = undefined;
		}
		const body: Record<string, unknown> = { label: `${label}-${Date.now()}`, expiresAt: null };
		if (scopes) body.scopes = scopes;
		const res = await this.request('POST', '/rest/api-keys', body);
		return res.data.rawApiKey ?? res.data.apiKey;
	}

	async publicApi(apiKey: string, method: string, pathName: string, body?: unknown): Promise<any> {
		const res = await fetch(`${this.baseUrl}/api/v1${pathName}`, {
			method,
			headers: { 'X-N8N-API-KEY': apiKey, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`public API ${method} ${pathName} -> ${res.status}: ${text.slice(0, 500)}`);
		return text ? JSON.parse(text) : undefined;
	}

	/** Node types known to the running instance (needs the login cookie). */
	async nodeTypes(): Promise<Array<{ name: string; displayName: string; version: number | number[] }>> {
		return await this.request('GET', '/types/nodes.json');
	}

	async credentialTypes(): Promise<Array<{ name: string; displayName: string }>> {
		return await this.request('GET', '/types/credentials.json');
	}

	/** Polls GET /api/v1/executions until one for the workflow reaches a final status. */
	async waitForExecution(
		apiKey: string,
		workflowId: string,
		opts: { timeoutMs?: number; notBeforeId?: number } = {},
	): Promise<any> {
		const deadline = Date.now() + (opts.timeoutMs ?? 120000);
		while (Date.now() < deadline) {
			const list = await this.publicApi(apiKey, 'GET', `/executions?workflowId=${workflowId}&limit=20`);
			for (const e of list.data ?? []) {
				if (opts.notBeforeId && Number(e.id) <= opts.notBeforeId) continue;
				if (['success', 'error', 'crashed', 'canceled'].includes(e.status) || (e.finished && e.stoppedAt)) {
					return await this.publicApi(apiKey, 'GET', `/executions/${e.id}?includeData=true`);
				}
			}
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`no finished execution of workflow ${workflowId} within ${opts.timeoutMs ?? 120000} ms`);
	}
}

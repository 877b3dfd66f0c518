/**
 * HTTP between our own nodes: an Await node registering with the Leonardo Trigger (relay), the relay
 * resuming a waiting execution, the trigger's reconcile tick calling its own webhook. These are not
 * Leonardo API calls (no credential auth: the messages are HMAC-signed, see nodes/shared/relay.ts), so they
 * use n8n's plain request helper. Never throws for an HTTP status; the caller decides.
 */
import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

export interface RelayHttpContext {
	helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> };
}

export interface RelayResponse {
	statusCode: number;
	body: unknown;
}

export const RELAY_REQUEST_TIMEOUT_MS = 60_000;

export async function postRelay(
	this: RelayHttpContext,
	url: string,
	body: IDataObject | object,
	timeoutMs = RELAY_REQUEST_TIMEOUT_MS,
): Promise<RelayResponse> {
	const response = (await this.helpers.httpRequest({
		method: 'POST',
		url,
		body: body as IDataObject,
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as IN8nHttpFullResponse;
	return { statusCode: response.statusCode, body: response.body };
}

/** A short text of an answer body, for messages and 409 classification. */
export function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (Buffer.isBuffer(body)) return body.toString('utf8').slice(0, 500);
	if (typeof body === 'string') return body.slice(0, 500);
	try {
		return JSON.stringify(body).slice(0, 500);
	} catch {
		return String(body);
	}
}

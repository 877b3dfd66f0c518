/**
 * A minimal S3-compatible server on node:http, enough for n8n's AWS S3 node (n8n-nodes-base.awsS3 v2) with an `aws`
 * credential using a custom S3 endpoint: bucket location, list buckets/objects (ListObjectsV2), create bucket,
 * put/get/head/delete object, multi-object delete and multipart upload (n8n uses it when binary data lives in the
 * filesystem store). Path-style URLs only: /<bucket>/<key>.
 *
 * n8n's S3 node only uses the custom endpoint for path-style requests, which it makes when the bucket name contains
 * a dot (e.g. `leonardo.outputs`); with a dot-less name it would go to <bucket>.s3.<region>.amazonaws.com.
 *
 * Requests must be AWS SigV4 signed with the configured access key id (the signature itself is not recomputed).
 * Objects are kept in memory and, when `dir` is given, also written to <dir>/<bucket>/<key>.
 *
 *   const s3 = await startS3Server({ buckets: ['leonardo.outputs'], dir: 'demo-output/s3' });
 *   s3.getObject('leonardo.outputs', 'images/a.png')  // { body, contentType, ... } | undefined
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

export interface S3Object {
	body: Buffer;
	contentType: string;
	etag: string;
	lastModified: Date;
	metadata: Record<string, string>;
}

export interface S3ServerHandle {
	url: string;
	port: number;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	buckets: Map<string, Map<string, S3Object>>;
	getObject(bucket: string, key: string): S3Object | undefined;
	listKeys(bucket: string): string[];
	/** every request as "METHOD /path?query" (for debugging and assertions) */
	requests: string[];
	stop(): Promise<void>;
	/** data for an n8n `aws` credential pointing at this server */
	credentialData(): Record<string, unknown>;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function esc(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function md5hex(b: Buffer): string {
	return crypto.createHash('md5').update(b).digest('hex');
}

export async function startS3Server(
	opts: { port?: number; host?: string; buckets?: string[]; dir?: string; accessKeyId?: string; secretAccessKey?: string; region?: string } = {},
): Promise<S3ServerHandle> {
	const host = opts.host ?? '127.0.0.1';
	const accessKeyId = opts.accessKeyId ?? 'LOCALS3ACCESSKEY';
	const secretAccessKey = opts.secretAccessKey ?? 'local-s3-secret-key';
	const region = opts.region ?? 'us-east-1';
	const buckets = new Map<string, Map<string, S3Object>>();
	for (const b of opts.buckets ?? []) buckets.set(b, new Map());
	const uploads = new Map<string, { bucket: string; key: string; contentType: string; parts: Map<number, Buffer> }>();
	const requests: string[] = [];

	const send = (res: http.ServerResponse, status: number, xml?: string, headers: Record<string, string> = {}) => {
		const body = xml !== undefined ? Buffer.from(`${XML_DECL}\n${xml}`) : Buffer.alloc(0);
		res.writeHead(status, {
			...(xml !== undefined ? { 'content-type': 'application/xml' } : {}),
			'content-length': String(body.length),
			'x-amz-request-id': crypto.randomBytes(8).toString('hex'),
			...headers,
		});
		res.end(body);
	};
	const error = (res: http.ServerResponse, status: number, code: string, message: string, resource = '') =>
		send(res, status, `<Error><Code>${code}</Code><Message>${esc(message)}</Message><Resource>${esc(resource)}</Resource></Error>`);

	const persist = (bucket: string, key: string, obj?: S3Object) => {
		if (!opts.dir) return;
		const file = path.join(opts.dir, bucket, key);
		if (!path.resolve(file).startsWith(path.resolve(opts.dir))) return;
		if (obj) {
			fs.mkdirSync(path.dirname(file), { recursive: true });
			fs.writeFileSync(file, obj.body);
		} else fs.rmSync(file, { force: true });
	};

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				handle(req, res, Buffer.concat(chunks));
			} catch (e) {
				error(res, 500, 'InternalError', String(e));
			}
		});
	});

	function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = req.method ?? 'GET';
		requests.push(`${method} ${url.pathname}${url.search}`);
		const auth = String(req.headers.authorization ?? '');
		const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(auth);
		if (!m) return error(res, 403, 'AccessDenied', 'missing AWS SigV4 Authorization header');
		if (m[1] !== accessKeyId) return error(res, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');

		const segments = url.pathname.split('/').slice(1);
		const bucketName = decodeURIComponent(segments[0] ?? '');
		const key = segments.slice(1).map(decodeURIComponent).join('/');
		const q = url.searchParams;

		if (!bucketName) {
			if (method !== 'GET') return error(res, 405, 'MethodNotAllowed', method);
			const list = [...buckets.keys()]
				.map((b) => `<Bucket><Name>${esc(b)}</Name><CreationDate>${new Date().toISOString()}</CreationDate></Bucket>`)
				.join('');
			return send(res, 200, `<ListAllMyBucketsResult xmlns="${NS}"><Owner><ID>local</ID><DisplayName>local</DisplayName></Owner><Buckets>${list}</Buckets></ListAllMyBucketsResult>`);
		}

		if (!key) {
			if (method === 'PUT') {
				if (buckets.has(bucketName)) return error(res, 409, 'BucketAlreadyOwnedByYou', 'bucket exists', bucketName);
				buckets.set(bucketName, new Map());
				return send(res, 200, undefined, { location: `/${bucketName}` });
			}
			const bucket = buckets.get(bucketName);
			if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucketName);
			if (method === 'HEAD') return send(res, 200);
			if (method === 'DELETE') {
				if (bucket.size) return error(res, 409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', bucketName);
				buckets.delete(bucketName);
				return send(res, 204);
			}
			if (method === 'GET' && q.has('location')) {
				return send(res, 200, `<LocationConstraint xmlns="${NS}">${region}</LocationConstraint>`);
			}
			if (method === 'GET') {
				const prefix = q.get('prefix') ?? '';
				const max = Number(q.get('max-keys') ?? 1000);
				const delimiter = q.get('delimiter') ?? '';
				const all = [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort();
				const commonPrefixes = new Set<string>();
				const keys: string[] = [];
				for (const k of all) {
					const rest = k.slice(prefix.length);
					const cut = delimiter ? rest.indexOf(delimiter) : -1;
					if (cut >= 0) commonPrefixes.add(prefix + rest.slice(0, cut + delimiter.length));
					else if (keys.length < max) keys.push(k);
				}
				const prefixesXml = [...commonPrefixes].map((p) => `<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`).join('');
				const contents = keys
					.map((k) => {
						const o = bucket.get(k)!;
						return `<Contents><Key>${esc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
					})
					.join('');
				return send(res, 200, `<ListBucketResult xmlns="${NS}"><Name>${esc(bucketName)}</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>false</IsTruncated>${contents}${prefixesXml}</ListBucketResult>`);
			}
			if (method === 'POST' && q.has('delete')) {
				const keys = [...body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((x) => x[1]);
				for (const k of keys) {
					bucket.delete(k);
					persist(bucketName, k);
				}
				return send(res, 200, `<DeleteResult xmlns="${NS}">${keys.map((k) => `<Deleted><Key>${esc(k)}</Key></Deleted>`).join('')}</DeleteResult>`);
			}
			return error(res, 405, 'MethodNotAllowed', method);
		}

		const bucket = buckets.get(bucketName);
		if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', bucketName);
		const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');

		// multipart upload
		if (method === 'POST' && q.has('uploads')) {
			const uploadId = crypto.randomBytes(12).toString('hex');
			uploads.set(uploadId, { bucket: bucketName, key, contentType, parts: new Map() });
			return send(res, 200, `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${esc(bucketName)}</Bucket><Key>${esc(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
		}
		const uploadId = q.get('uploadId');
		if (uploadId) {
			const up = uploads.get(uploadId);
			if (!up) return error(res, 404, 'NoSuchUpload', 'The specified upload does not exist', key);
			if (method === 'PUT') {
				const n = Number(q.get('partNumber'));
				up.parts.set(n, body);
				return send(res, 200, undefined, { etag: `"${md5hex(body)}"` });
			}
			if (method === 'GET') {
				const parts = [...up.parts.entries()]
					.sort((a, b) => a[0] - b[0])
					.map(([n, b]) => `<Part><PartNumber>${n}</PartNumber><ETag>"${md5hex(b)}"</ETag><Size>${b.length}</Size></Part>`)
					.join('');
				return send(res, 200, `<ListPartsResult xmlns="${NS}"><Bucket>${esc(bucketName)}</Bucket><Key>${esc(key)}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts}</ListPartsResult>`);
			}
			if (method === 'POST') {
				const wanted = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((x) => Number(x[1]));
				const numbers = wanted.length ? wanted : [...up.parts.keys()].sort((a, b) => a - b);
				const missing = numbers.filter((n) => !up.parts.has(n));
				if (missing.length) return error(res, 400, 'InvalidPart', `missing part(s) ${missing.join(',')}`, key);
				const data = Buffer.concat(numbers.map((n) => up.parts.get(n)!));
				const obj: S3Object = { body: data, contentType: up.contentType, etag: `${md5hex(data)}-${numbers.length}`, lastModified: new Date(), metadata: {} };
				bucket.set(key, obj);
				persist(bucketName, key, obj);
				uploads.delete(uploadId);
				return send(res, 200, `<CompleteMultipartUploadResult xmlns="${NS}"><Location>/${esc(bucketName)}/${esc(key)}</Location><Bucket>${esc(bucketName)}</Bucket><Key>${esc(key)}</Key><ETag>"${obj.etag}"</ETag></CompleteMultipartUploadResult>`);
			}
			if (method === 'DELETE') {
				uploads.delete(uploadId);
				return send(res, 204);
			}
		}

		if (method === 'PUT') {
			const copySource = req.headers['x-amz-copy-source'];
			let data = body;
			let type = contentType;
			if (copySource) {
				const [sb, ...sk] = decodeURIComponent(String(copySource)).replace(/^\//, '').split('/');
				const src = buckets.get(sb)?.get(sk.join('/'));
				if (!src) return error(res, 404, 'NoSuchKey', 'copy source does not exist', String(copySource));
				data = src.body;
				type = src.contentType;
			}
			const md5 = req.headers['content-md5'];
			if (md5 && !copySource && crypto.createHash('md5').update(data).digest('base64') !== md5) {
				return error(res, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', key);
			}
			const metadata: Record<string, string> = {};
			for (const [h, v] of Object.entries(req.headers)) if (h.startsWith('x-amz-meta-')) metadata[h.slice(11)] = String(v);
			const obj: S3Object = { body: data, contentType: type, etag: md5hex(data), lastModified: new Date(), metadata };
			bucket.set(key, obj);
			persist(bucketName, key, obj);
			if (copySource) return send(res, 200, `<CopyObjectResult><ETag>"${obj.etag}"</ETag><LastModified>${obj.lastModified.toISOString()}</LastModified></CopyObjectResult>`);
			return send(res, 200, undefined, { etag: `"${obj.etag}"` });
		}
		const obj = bucket.get(key);
		if (method === 'DELETE') {
			bucket.delete(key);
			persist(bucketName, key);
			return send(res, 204);
		}
		if (!obj) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
		const headers = {
			'content-type': obj.contentType,
			'content-length': String(obj.body.length),
			etag: `"${obj.etag}"`,
			'last-modified': obj.lastModified.toUTCString(),
		};
		if (method === 'HEAD') {
			res.writeHead(200, headers);
			return res.end();
		}
		if (method === 'GET') {
			res.writeHead(200, headers);
			return res.end(obj.body);
		}
		return error(res, 405, 'MethodNotAllowed', method);
	}

	const port: number = await new Promise((resolve, reject) => {
		server.on('error', reject);
		server.listen(opts.port ?? 0, host, () => resolve((server.address() as { port: number }).port));
	});
	const url = `http://${host}:${port}`;
	return {
		url,
		port,
		accessKeyId,
		secretAccessKey,
		region,
		buckets,
		requests,
		getObject: (b, k) => buckets.get(b)?.get(k),
		listKeys: (b) => [...(buckets.get(b)?.keys() ?? [])],
		async stop() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
		credentialData() {
			return {
				region,
				accessKeyId,
				secretAccessKey,
				temporaryCredentials: false,
				customEndpoints: true,
				s3Endpoint: url,
			};
		},
	};
}

/** Named constants of the Leonardo node (units in the names). */

export const CREDENTIAL_TYPE = 'leonardoApi';

/** Per-request timeout for API calls. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Timeout for presigned uploads and CDN downloads (bigger bodies). */
export const TRANSFER_TIMEOUT_MS = 120_000;

/** Retries of a retryable request (429, 5xx, connection refused; 5xx and drops only when idempotent). */
export const MAX_RETRIES = 5;
export const RETRY_BASE_DELAY_MS = 500;
export const RETRY_MAX_DELAY_MS = 30_000;
/** A Retry-After longer than this is not waited for: the request fails with Leonardo's 429. */
export const RETRY_AFTER_MAX_MS = 120_000;

/** Request budget window of the plan's requests-per-minute. */
export const RATE_WINDOW_MS = 60_000;

/** Polling: first read after the user's interval, then the interval grows by this factor. */
export const POLL_INTERVAL_DEFAULT_S = 4;
export const POLL_INTERVAL_MIN_S = 0.5;
export const POLL_BACKOFF_FACTOR = 1.5;
export const POLL_INTERVAL_MAX_MS = 30_000;
export const POLL_TIMEOUT_DEFAULT_S = 300;
export const POLL_TIMEOUT_MIN_S = 1;
export const POLL_TIMEOUT_MAX_S = 7200;

/** Cache lifetime of /me user id and element catalogues, per API key. */
export const ACCOUNT_CACHE_TTL_MS = 10 * 60_000;

/** Known Phoenix model ids (docs.leonardo.ai Phoenix guide). Character Reference uses preprocessor 397 on Phoenix. */
export const PHOENIX_MODEL_IDS: readonly string[] = [
	'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3', // Phoenix 1.0
	'6b645e3a-d64f-4341-a6d8-7a3690fbf042', // Phoenix 0.9
];

/** Known SDXL-family model ids (Character Reference preprocessor 133). */
export const SDXL_MODEL_IDS: readonly string[] = [
	'b24e16ff-06e3-43eb-8d33-4416c2d75876', // Lightning XL
	'16e7060a-803e-4df3-97ee-edcfa5dc9cc8', // SDXL 1.0
	'aa77f04e-3eec-4034-9c07-d0f619684628', // Kino XL
	'5c232a9e-9061-4777-980a-ddc8e65647c6', // Vision XL
	'1e60896f-3c26-4296-8ecc-53e2afecc132', // Diffusion XL
	'2067ae52-33fd-4a82-bb92-c2c55e7d2786', // AlbedoBase XL
	'e71a1c2f-4f80-4800-934f-2c68979d8cc8', // Anime XL
	'b63f7119-31dc-4540-969b-2a9df997e173', // SDXL 0.9
];

/** Preset style UUIDs for `styleUUID` (v1) and `style_ids` (v2), from Leonardo's docs. */
export const STYLE_UUIDS: ReadonlyArray<{ name: string; value: string }> = [
	{ name: '3D Render', value: 'debdf72a-91a4-467b-bf61-cc02bdeb69c6' },
	{ name: 'Bokeh', value: '9fdc5e8c-4d13-49b4-9ce6-5a74cbb19177' },
	{ name: 'Cinematic', value: 'a5632c7c-ddbb-4e2f-ba34-8456ab3ac436' },
	{ name: 'Cinematic Concept', value: '33abbb99-03b9-4dd7-9761-ee98650b2c88' },
	{ name: 'Creative', value: '6fedbf1f-4a17-45ec-84fb-92fe524a29ef' },
	{ name: 'Dynamic', value: '111dc692-d470-4eec-b791-3475abac4c46' },
	{ name: 'Fashion', value: '594c4a08-a522-4e0e-b7ff-e4dac4b6b622' },
	{ name: 'Graphic Design Pop Art', value: '2e74ec31-f3a4-4825-b08b-2894f6d13941' },
	{ name: 'Graphic Design Vector', value: '1fbb6a68-9319-44d2-8d56-2957ca0ece6a' },
	{ name: 'HDR', value: '97c20e5c-1af6-4d42-b227-54d03d8f0727' },
	{ name: 'Illustration', value: '645e4195-f63d-4715-a3f2-3fb1e6eb8c70' },
	{ name: 'Macro', value: '30c1d34f-e3a9-479a-b56f-c018bbc9c02a' },
	{ name: 'Minimalist', value: 'cadc8cd6-7838-4c99-b645-df76be8ba8d8' },
	{ name: 'Moody', value: '621e1c9a-6319-4bee-a12d-ae40659162fa' },
	{ name: 'None', value: '556c1ee5-ec38-42e8-955a-1e82dad0ffa1' },
	{ name: 'Portrait', value: '8e2bc543-6ee2-45f9-bcd9-594b6ce84dcd' },
	{ name: 'Ray Traced', value: 'b504f83c-3326-4947-82e1-7fe9e839ec0f' },
	{ name: 'Sketch (B&W)', value: 'be8c6b58-739c-4d44-b9c1-b032ed308b61' },
	{ name: 'Sketch (Color)', value: '093accc3-7633-4ffd-82da-d34000dfc0d6' },
	{ name: 'Stock Photo', value: '5bdc3f2a-1be6-4d1c-8e77-992a30824a2c' },
	{ name: 'Vibrant', value: 'dee282d3-891f-4f73-ba02-7f8131e5541b' },
];

/** Allowed `contrast` values (Phoenix/Flux). */
export const CONTRAST_VALUES = [1.0, 1.3, 1.8, 2.5, 3, 3.5, 4, 4.5] as const;

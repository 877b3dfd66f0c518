/**
 * The Leonardo REST API wire contract: the one source of truth for API shapes, shared by the node,
 * the emulator and the tests. Field names and casing are the real API's (see
 * shared/reference/leonardo-api.md and leonardo-fixtures/sdk-wire-shapes.txt). Types only and `as const`
 * value lists: no runtime dependency, so the published node can import it.
 */

export const API_V1_PATH = '/api/rest/v1';
export const API_V2_PATH = '/api/rest/v2';
export const LEONARDO_CLOUD_URL = 'https://cloud.leonardo.ai';

// ---------------------------------------------------------------------------------------------
// Enums (exact values)
// ---------------------------------------------------------------------------------------------

export const JOB_STATUSES = ['PENDING', 'COMPLETE', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const SD_VERSIONS = [
	'v1_5',
	'v2',
	'v3',
	'SDXL_0_8',
	'SDXL_0_9',
	'SDXL_1_0',
	'SDXL_LIGHTNING',
	'PHOENIX',
	'FLUX',
	'FLUX_DEV',
	'KINO_2_0',
] as const;
export type SdVersion = (typeof SD_VERSIONS)[number];

export const PRESET_STYLES = [
	'ANIME',
	'BOKEH',
	'CINEMATIC',
	'CINEMATIC_CLOSEUP',
	'CREATIVE',
	'DYNAMIC',
	'ENVIRONMENT',
	'FASHION',
	'FILM',
	'FOOD',
	'GENERAL',
	'HDR',
	'ILLUSTRATION',
	'LEONARDO',
	'LONG_EXPOSURE',
	'MACRO',
	'MINIMALISTIC',
	'MONOCHROME',
	'MOODY',
	'NONE',
	'NEUTRAL',
	'PHOTOGRAPHY',
	'PORTRAIT',
	'RAYTRACED',
	'RENDER_3D',
	'RETRO',
	'SKETCH_BW',
	'SKETCH_COLOR',
	'STOCK_PHOTO',
	'VIBRANT',
	'UNPROCESSED',
] as const;
export type PresetStyle = (typeof PRESET_STYLES)[number];

export const SCHEDULERS = [
	'KLMS',
	'EULER_ANCESTRAL_DISCRETE',
	'EULER_DISCRETE',
	'DDIM',
	'DPM_SOLVER',
	'PNDM',
	'LEONARDO',
] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export const VARIATION_TYPES = ['OUTPAINT', 'INPAINT', 'UPSCALE', 'UNZOOM', 'NOBG'] as const;
export type VariationType = (typeof VARIATION_TYPES)[number];

export const CANVAS_REQUEST_TYPES = ['INPAINT', 'OUTPAINT', 'SKETCH2IMG', 'IMG2IMG'] as const;
export type CanvasRequestType = (typeof CANVAS_REQUEST_TYPES)[number];

export const INIT_IMAGE_TYPES = ['GENERATED', 'UPLOADED'] as const;
export type InitImageType = (typeof INIT_IMAGE_TYPES)[number];

export const STRENGTH_TYPES = ['Low', 'Mid', 'High', 'Ultra', 'Max'] as const;
export type StrengthType = (typeof STRENGTH_TYPES)[number];

export const TRANSPARENCY_VALUES = ['disabled', 'foreground_only'] as const;
export type Transparency = (typeof TRANSPARENCY_VALUES)[number];

export const ELEMENT_SD_VERSIONS = [
	'SDXL_0_9',
	'SDXL_1_0',
	'LEONARDO_DIFFUSION_XL',
	'LEONARDO_LIGHTNING_XL',
	'VISION_XL',
	'KINO_XL',
	'ALBEDO_XL',
	'FLUX_DEV',
] as const;
export type ElementSdVersion = (typeof ELEMENT_SD_VERSIONS)[number];

export const LORA_FOCUSES = ['General', 'Character', 'Style', 'Object'] as const;
export type LoraFocus = (typeof LORA_FOCUSES)[number];

export const VIDEO_MODELS = ['MOTION2', 'VEO3', 'MOTION2FAST', 'VEO3FAST', 'KLING2_1', 'KLING2_5'] as const;
export type VideoModel = (typeof VIDEO_MODELS)[number];

export const VIDEO_RESOLUTIONS = ['RESOLUTION_480', 'RESOLUTION_720', 'RESOLUTION_1080'] as const;
export type VideoResolution = (typeof VIDEO_RESOLUTIONS)[number];

export const UPSCALER_STYLES = [
	'GENERAL',
	'CINEMATIC',
	'2D ART & ILLUSTRATION',
	'CG ART & GAME ASSETS',
] as const;
export type UpscalerStyle = (typeof UPSCALER_STYLES)[number];

export const ULTRA_UPSCALE_STYLES = ['ARTISTIC', 'REALISTIC'] as const;
export type UltraUpscaleStyle = (typeof ULTRA_UPSCALE_STYLES)[number];

export const PRICING_SERVICES = [
	'IMAGE_GENERATION',
	'FANTASY_AVATAR_GENERATION',
	'MOTION_SVD_GENERATION',
	'MOTION_VIDEO_GENERATION',
	'VEO3_MOTION_VIDEO_GENERATION',
	'LCM_GENERATION',
	'MODEL_TRAINING',
	'TEXTURE_GENERATION',
	'UNIVERSAL_UPSCALER',
	'UNIVERSAL_UPSCALER_ULTRA',
] as const;
export type PricingService = (typeof PRICING_SERVICES)[number];

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'] as const;
export type ImageExtension = (typeof IMAGE_EXTENSIONS)[number];

/** Character Reference ("Consistent Character") preprocessor ids by model family. */
export const CHARACTER_REFERENCE_PREPROCESSOR = { SDXL: 133, PHOENIX: 397 } as const;
export const STYLE_REFERENCE_PREPROCESSOR = { SDXL: 67, PHOENIX: 166 } as const;
export const CONTENT_REFERENCE_PREPROCESSOR = { SDXL: 100, PHOENIX: 364 } as const;

/** Request limits of POST /generations (v1). */
export const GENERATION_LIMITS = {
	promptMaxLength: 1500,
	/** The real API documents 32-1536; the product brief promises up to 2048 natively (Phoenix 2.0). */
	minDimension: 32,
	maxDimension: 2048,
	dimensionMultiple: 8,
	maxImages: 8,
	/** num_images is 1-4 when width or height is over 768. */
	maxImagesLarge: 4,
	largeThreshold: 768,
} as const;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export interface LeonardoErrorBody {
	error: string;
	path: string;
	code: 'unexpected' | 'access-denied' | 'validation-failed' | 'bad-request' | string;
}

/** Documented error texts (leonardo-api.md §4.2). */
export const ERROR_MESSAGES = {
	unauthorized: 'Authentication hook unauthorized this request',
	invalidExtension: 'invalid file extension',
	promptTooLong: 'Invalid prompt, maximum length of 1500 characters exceeded.',
	invalidDimensions: 'invalid dimensions',
	moderation:
		'Your prompt appears to contain inappropriate content, please be mindful of our Terms of Service. You may modify your prompt and try again.',
	missingPrompt: 'expecting a value for non-nullable variable: "prompt"',
	invalidInitImage: 'invalid init image id',
	couldNotAccessImage: "couldn't access image",
	serviceError: 'Service Error',
	/** Prefix of the 400 for num_images out of range (the docs give no exact text). */
	tooManyImages: 'Too many images:',
} as const;

// ---------------------------------------------------------------------------------------------
// Shared objects
// ---------------------------------------------------------------------------------------------

export interface Cost {
	amount?: string;
	unit?: 'CREDITS' | 'DOLLARS';
}

export interface JobCostFields {
	apiCreditCost?: number | null;
	cost?: Cost | null;
}

// ---------------------------------------------------------------------------------------------
// Generations
// ---------------------------------------------------------------------------------------------

export interface ControlnetInput {
	initImageId?: string;
	initImageType?: InitImageType;
	preprocessorId?: number;
	strengthType?: StrengthType | null;
	weight?: number | null;
	influence?: number;
}

export interface ElementInput {
	akUUID: string;
	weight?: number | null;
}

export interface UserElementInput {
	userLoraId: number | null;
	weight?: number | null;
}

export interface CreateGenerationRequest {
	prompt: string;
	negative_prompt?: string | null;
	modelId?: string | null;
	sd_version?: SdVersion;
	width?: number | null;
	height?: number | null;
	num_images?: number | null;
	num_inference_steps?: number | null;
	guidance_scale?: number | null;
	seed?: number | null;
	scheduler?: Scheduler;
	presetStyle?: PresetStyle | null;
	alchemy?: boolean | null;
	ultra?: boolean | null;
	contrast?: number | null;
	styleUUID?: string;
	enhancePrompt?: boolean | null;
	enhancePromptInstruction?: string | null;
	photoReal?: boolean | null;
	photoRealVersion?: string | null;
	photoRealStrength?: number | null;
	promptMagic?: boolean | null;
	promptMagicStrength?: number | null;
	promptMagicVersion?: string | null;
	highContrast?: boolean | null;
	highResolution?: boolean | null;
	expandedDomain?: boolean | null;
	contrastRatio?: number | null;
	fantasyAvatar?: boolean | null;
	tiling?: boolean | null;
	public?: boolean | null;
	transparency?: Transparency | null;
	init_image_id?: string | null;
	init_generation_image_id?: string | null;
	init_strength?: number | null;
	imagePrompts?: Array<string | null> | null;
	imagePromptWeight?: number | null;
	unzoom?: boolean | null;
	unzoomAmount?: number | null;
	upscaleRatio?: number | null;
	controlnets?: ControlnetInput[] | null;
	elements?: ElementInput[] | null;
	userElements?: UserElementInput[] | null;
	canvasRequest?: boolean | null;
	canvasRequestType?: CanvasRequestType | null;
	canvasInitId?: string | null;
	canvasMaskId?: string | null;
	controlNet?: boolean | null;
	controlNetType?: 'POSE' | 'CANNY' | 'DEPTH';
	weighting?: number | null;
}

export interface CreateGenerationResponse {
	sdGenerationJob: { generationId: string } & JobCostFields;
}

export interface GeneratedImageVariationGeneric {
	id: string;
	status: JobStatus;
	transformType: VariationType;
	url: string | null;
}

export interface GeneratedImage {
	id: string;
	url: string;
	nsfw: boolean;
	likeCount: number;
	fantasyAvatar?: boolean | null;
	motion?: boolean | null;
	motionMP4URL?: string | null;
	motionModel?: string | null;
	motionStrength?: number | null;
	imageToVideo?: boolean | null;
	generated_image_variation_generics: GeneratedImageVariationGeneric[];
}

export interface PlatformElementSummary {
	akUUID: string;
	baseModel: SdVersion;
	description: string | null;
	name: string;
	urlImage: string | null;
	weightDefault: number;
	weightMax: number;
	weightMin: number;
}

export interface GenerationElement {
	id: number | null;
	weightApplied: number | null;
	lora: PlatformElementSummary | null;
}

export interface Generation {
	id: string;
	createdAt: string;
	status: JobStatus;
	prompt: string;
	negativePrompt: string | null;
	modelId: string | null;
	imageWidth: number;
	imageHeight: number;
	inferenceSteps: number | null;
	guidanceScale: number | null;
	initStrength: number | null;
	seed: number | null;
	scheduler: Scheduler;
	sdVersion: SdVersion;
	presetStyle: PresetStyle | null;
	public: boolean;
	photoReal: boolean | null;
	photoRealStrength: number | null;
	promptMagic: boolean | null;
	promptMagicStrength: number | null;
	promptMagicVersion: string | null;
	ultra?: boolean | null;
	generated_images: GeneratedImage[];
	generation_elements: GenerationElement[];
}

export interface GetGenerationResponse {
	generations_by_pk: Generation | null;
}

export interface ListGenerationsResponse {
	generations: Generation[];
}

export interface DeleteGenerationResponse {
	delete_generations_by_pk: { id: string } | null;
}

// v2 ------------------------------------------------------------------------------------------

export interface V2GenerationRequest {
	model: string;
	public?: boolean;
	parameters: Record<string, unknown>;
}

export interface V2GenerationResponse {
	generate: { generationId: string } & JobCostFields;
}

// ---------------------------------------------------------------------------------------------
// Uploads (presigned S3-like flow)
// ---------------------------------------------------------------------------------------------

export interface PresignedUpload {
	id: string | null;
	url: string | null;
	key: string | null;
	/** A JSON-encoded string of form fields, not an object. */
	fields: string | null;
}

export interface UploadInitImageResponse {
	uploadInitImage: PresignedUpload;
}

export interface GetInitImageResponse {
	init_images_by_pk: { id: string; url: string; createdAt: string } | null;
}

export interface UploadCanvasInitImageResponse {
	uploadCanvasInitImage: {
		initImageId: string | null;
		initUrl: string | null;
		initKey: string | null;
		initFields: string | null;
		maskImageId: string | null;
		maskUrl: string | null;
		maskKey: string | null;
		maskFields: string | null;
	};
}

// ---------------------------------------------------------------------------------------------
// Datasets and elements (LoRA training)
// ---------------------------------------------------------------------------------------------

export interface CreateDatasetResponse {
	insert_datasets_one: { id: string };
}

export interface Dataset {
	id: string;
	name: string;
	description: string | null;
	createdAt: string;
	updatedAt: string;
	dataset_images: Array<{ id: string; url: string; createdAt: string }>;
}

export interface GetDatasetResponse {
	datasets_by_pk: Dataset | null;
}

export interface UploadDatasetImageResponse {
	uploadDatasetImage: PresignedUpload;
}

export interface UploadDatasetImageFromGenResponse {
	uploadDatasetImageFromGen: { id: string };
}

export interface CreateElementRequest {
	name: string;
	description?: string | null;
	datasetId: string;
	instance_prompt?: string | null;
	lora_focus: string;
	sd_version: ElementSdVersion;
	resolution?: number | null;
	num_train_epochs: number;
	learning_rate: number;
	train_text_encoder: boolean;
}

export interface CreateElementResponse {
	sdTrainingJob: { userLoraId: number } & JobCostFields;
}

export interface UserLora {
	id: number;
	name: string;
	description: string | null;
	focus: string;
	baseModel: string;
	instancePrompt: string | null;
	learningRate: number;
	resolution: number;
	trainTextEncoder: boolean;
	trainingEpoch: number;
	status: JobStatus;
	createdAt: string;
	updatedAt: string;
}

export interface GetElementResponse {
	user_loras_by_pk: UserLora | null;
}

export interface ListUserElementsResponse {
	user_loras: UserLora[];
}

export interface DeleteDatasetResponse {
	delete_datasets_by_pk: { id: string } | null;
}

export interface DeleteElementResponse {
	delete_user_loras_by_pk: { id: number } | null;
}

export interface PlatformElement extends PlatformElementSummary {
	creatorName: string | null;
}

export interface ListPlatformElementsResponse {
	loras: PlatformElement[];
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

export interface PlatformModel {
	id: string;
	name: string;
	description: string | null;
	nsfw: boolean;
	featured: boolean;
	generated_image: { id: string; url: string } | null;
}

export interface ListPlatformModelsResponse {
	custom_models: PlatformModel[];
}

export interface CustomModel {
	id: string;
	name: string;
	description: string | null;
	instancePrompt: string | null;
	modelHeight: number;
	modelWidth: number;
	public: boolean;
	sdVersion: SdVersion;
	status: JobStatus;
	type: string;
	createdAt: string;
	updatedAt: string;
}

export interface ListCustomModelsResponse {
	custom_models: CustomModel[];
}

// ---------------------------------------------------------------------------------------------
// Motion / video
// ---------------------------------------------------------------------------------------------

export interface CreateSvdMotionRequest {
	imageId: string;
	motionStrength?: number | null;
	isPublic?: boolean | null;
	isInitImage?: boolean | null;
	isVariation?: boolean | null;
}

export interface CreateSvdMotionResponse {
	motionSvdGenerationJob: { generationId: string } & JobCostFields;
}

export interface CreateVideoRequest {
	prompt: string;
	imageId?: string;
	imageType?: InitImageType;
	model?: VideoModel | null;
	resolution?: VideoResolution | null;
	width?: number | null;
	height?: number | null;
	duration?: number | null;
	endFrameImage?: { id: string; type: InitImageType } | null;
	negativePrompt?: string | null;
	promptEnhance?: boolean | null;
	promptEnhanceInstruction?: string | null;
	frameInterpolation?: boolean | null;
	isPublic?: boolean | null;
	seed?: number | null;
	styleIds?: string[] | null;
	elements?: ElementInput[] | null;
}

export interface CreateVideoResponse {
	motionVideoGenerationJob: { generationId: string } & JobCostFields;
}

// ---------------------------------------------------------------------------------------------
// Variations (post-processing)
// ---------------------------------------------------------------------------------------------

export interface VariationJobResponse {
	sdUpscaleJob?: { id: string } & JobCostFields;
	sdUnzoomJob?: { id: string } & JobCostFields;
	sdNobgJob?: { id: string } & JobCostFields;
	universalUpscaler?: { id: string } & JobCostFields;
}

export interface UniversalUpscalerRequest {
	generatedImageId?: string | null;
	initImageId?: string | null;
	variationId?: string | null;
	upscalerStyle?: UpscalerStyle | null;
	ultraUpscaleStyle?: UltraUpscaleStyle | null;
	creativityStrength?: number | null;
	upscaleMultiplier?: number | null;
	detailContrast?: number | null;
	similarity?: number | null;
	prompt?: string | null;
}

export interface GetVariationResponse {
	generated_image_variation_generic: Array<{
		id: string;
		createdAt: string;
		status: JobStatus;
		transformType: VariationType;
		url: string | null;
	}>;
}

// ---------------------------------------------------------------------------------------------
// Account and pricing
// ---------------------------------------------------------------------------------------------

export interface UserDetails {
	user: { id: string; username: string };
	tokenRenewalDate: string | null;
	paidTokens: number | null;
	subscriptionTokens: number;
	subscriptionGptTokens: number;
	subscriptionModelTokens: number;
	apiConcurrencySlots: number;
	apiPaidTokens: number | null;
	apiSubscriptionTokens: number;
	apiPlanTokenRenewalDate: string | null;
}

export interface GetMeResponse {
	user_details: UserDetails[];
}

export interface PricingCalculatorRequest {
	service: PricingService;
	serviceParams: Partial<Record<PricingService, Record<string, unknown>>>;
}

export interface PricingCalculatorResponse {
	calculateProductionApiServiceCost: { cost: number };
}

// ---------------------------------------------------------------------------------------------
// Webhook callbacks
// ---------------------------------------------------------------------------------------------

export const WEBHOOK_EVENT_TYPES = [
	'image_generation.complete',
	'image_generation.failed',
	'video_generation.complete',
	'video_generation.failed',
	'post_processing.complete',
	'post_processing.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookApiKeyEcho {
	id: string;
	createdAt: string;
	userId: string;
	key: string;
	lastUsed: string | null;
	name: string;
	type: 'PRODUCTION';
	webhookCallbackUrl: string | null;
	webhookCallbackApiKey: string | null;
}

export interface WebhookEnvelope<T = Record<string, unknown>> {
	type: WebhookEventType | string;
	object: 'generation' | 'generated_image_variation_generic' | string;
	/** Epoch milliseconds. */
	timestamp: number;
	api_version: string;
	data: { object: T & { id: string; status?: JobStatus; apiKey?: Partial<WebhookApiKeyEcho> } };
}

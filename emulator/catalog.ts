/**
 * Static catalogue served by the emulator: platform models (GET /platformModels), platform elements
 * (GET /elements), v2 models (GET /api/rest/v2/models). Ids are the real ones from the docs where known
 * (leonardo-api.md §7.9, §7.7, §11); entries marked "(emulator)" are stand-ins.
 */
import type { SdVersion } from '../nodes/shared/contract';

export interface CatalogModel {
	id: string;
	name: string;
	description: string;
	sdVersion: SdVersion;
	featured: boolean;
	nsfw: boolean;
}

export const PLATFORM_MODELS: CatalogModel[] = [
	{ id: 'de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3', name: 'Leonardo Phoenix 1.0', sdVersion: 'PHOENIX', featured: true, nsfw: false, description: "Leonardo's foundational model with exceptional prompt adherence and text rendering." },
	{ id: '6b645e3a-d64f-4341-a6d8-7a3690fbf042', name: 'Leonardo Phoenix 0.9', sdVersion: 'PHOENIX', featured: false, nsfw: false, description: 'Preview of the Phoenix foundational model.' },
	{ id: '7b592283-e8a7-4c5a-9ba6-d18c31f258b9', name: 'Lucid Origin', sdVersion: 'PHOENIX', featured: true, nsfw: false, description: 'Vibrant, versatile model with strong prompt adherence.' },
	{ id: '05ce0082-2d80-4a2d-8653-4d1c85e2418e', name: 'Lucid Realism', sdVersion: 'PHOENIX', featured: true, nsfw: false, description: 'Photorealistic generations.' },
	{ id: '28aeddf8-bd19-4803-80fc-79602d1a9989', name: 'FLUX.1 Kontext', sdVersion: 'FLUX', featured: false, nsfw: false, description: 'Context-aware image editing and generation.' },
	{ id: 'b2614463-296c-462a-9586-aafdb8f00e36', name: 'Flux Dev', sdVersion: 'FLUX_DEV', featured: false, nsfw: false, description: 'FLUX.1 [dev].' },
	{ id: '1dd50843-d653-4516-a8e3-f0238ee453ff', name: 'Flux Schnell', sdVersion: 'FLUX', featured: false, nsfw: false, description: 'FLUX.1 [schnell], fast.' },
	{ id: 'b24e16ff-06e3-43eb-8d33-4416c2d75876', name: 'Leonardo Lightning XL', sdVersion: 'SDXL_LIGHTNING', featured: true, nsfw: false, description: 'Our new high-speed generalist image generation model.' },
	{ id: 'e71a1c2f-4f80-4800-934f-2c68979d8cc8', name: 'Leonardo Anime XL', sdVersion: 'SDXL_LIGHTNING', featured: false, nsfw: false, description: 'A new high-speed Anime-focused model.' },
	{ id: 'aa77f04e-3eec-4034-9c07-d0f619684628', name: 'Leonardo Kino XL', sdVersion: 'SDXL_1_0', featured: false, nsfw: false, description: 'A model with a strong focus on cinematic outputs.' },
	{ id: '5c232a9e-9061-4777-980a-ddc8e65647c6', name: 'Leonardo Vision XL', sdVersion: 'SDXL_1_0', featured: false, nsfw: false, description: 'A versatile model that excels at realism and photography.' },
	{ id: '1e60896f-3c26-4296-8ecc-53e2afecc132', name: 'Leonardo Diffusion XL', sdVersion: 'SDXL_0_9', featured: false, nsfw: false, description: 'The next phase of the core Leonardo model.' },
	{ id: '2067ae52-33fd-4a82-bb92-c2c55e7d2786', name: 'AlbedoBase XL', sdVersion: 'SDXL_0_9', featured: false, nsfw: false, description: 'A great generalist model that tends towards more CG artistic outputs.' },
	{ id: '16e7060a-803e-4df3-97ee-edcfa5dc9cc8', name: 'SDXL 1.0', sdVersion: 'SDXL_1_0', featured: false, nsfw: false, description: 'Diffusion-based text-to-image generative model by Stability AI.' },
	{ id: 'b63f7119-31dc-4540-969b-2a9df997e173', name: 'SDXL 0.9', sdVersion: 'SDXL_0_9', featured: false, nsfw: false, description: 'The latest Stable Diffusion model.' },
	{ id: 'f1929ea3-b169-4c18-a16c-5d58b4292c69', name: 'RPG v5', sdVersion: 'v1_5', featured: false, nsfw: false, description: 'Anashel returns with another great model, specialising in RPG characters.' },
	{ id: '6bef9f1b-29cb-40c7-b9df-32b51c1f67d3', name: 'Leonardo Creative', sdVersion: 'v2', featured: false, nsfw: false, description: 'An alternative finetune of SD 2.1 that brings a little more creative interpretation to the mix.' },
];

export const DEFAULT_MODEL_ID = 'b24e16ff-06e3-43eb-8d33-4416c2d75876';

export interface CatalogElement {
	akUUID: string;
	name: string;
	description: string;
	creatorName: string;
	baseModel: SdVersion;
	weightDefault: number;
	weightMin: number;
	weightMax: number;
}

export const PLATFORM_ELEMENTS: CatalogElement[] = [
	{ akUUID: '5f3e58d8-7af3-4d5b-92e3-a3d04b9a3414', name: 'Simple Flat Illustration', description: 'Simple flat illustration style', creatorName: 'Leonardo', baseModel: 'SDXL_1_0', weightDefault: 1, weightMin: -1, weightMax: 2 },
	{ akUUID: 'ece8c6a9-3deb-430e-8c93-4d5061b6adbf', name: 'Dolly In', description: 'Motion 2.0 camera control: dolly in', creatorName: 'Leonardo', baseModel: 'SDXL_1_0', weightDefault: 1, weightMin: 0, weightMax: 2 },
	{ akUUID: 'fbed015e-594e-4f78-b4be-3b07142aaa1e', name: 'Bullet Time', description: 'Motion 2.0 camera control: bullet time', creatorName: 'Leonardo', baseModel: 'SDXL_1_0', weightDefault: 1, weightMin: 0, weightMax: 2 },
	{ akUUID: '0c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f', name: 'Watercolor Wash (emulator)', description: 'Soft watercolor washes (emulator stand-in)', creatorName: 'Leonardo', baseModel: 'PHOENIX', weightDefault: 1, weightMin: -1, weightMax: 2 },
	{ akUUID: '1d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f5a', name: 'Ink Sketch (emulator)', description: 'Pen and ink linework (emulator stand-in)', creatorName: 'Leonardo', baseModel: 'FLUX_DEV', weightDefault: 1, weightMin: -1, weightMax: 2 },
];

/** v2 model slugs the emulator accepts on POST /api/rest/v2/generations. */
export interface V2Model {
	slug: string;
	id: string;
	name: string;
	kind: 'image' | 'video';
}

export const V2_MODELS: V2Model[] = [
	{ slug: 'gemini-image-2', id: '6c5e2d4a-1b3f-4e8a-9c7d-2a1b3c4d5e6f', name: 'Nano Banana Pro', kind: 'image' },
	{ slug: 'gemini-2.5-flash-image', id: '7d6e5f4a-2c3b-4d1e-8f9a-3b2c1d0e9f8a', name: 'Nano Banana', kind: 'image' },
	{ slug: 'gpt-image-1.5', id: '8e7f6a5b-3d4c-4e2f-9a0b-4c3d2e1f0a9b', name: 'GPT Image 1.5', kind: 'image' },
	{ slug: 'flux-schnell', id: '1dd50843-d653-4516-a8e3-f0238ee453ff', name: 'FLUX Schnell', kind: 'image' },
	{ slug: 'ideogram-v3.0', id: '9f8a7b6c-4e5d-4f3a-8b1c-5d4e3f2a1b0c', name: 'Ideogram 3.0', kind: 'image' },
	{ slug: 'phoenix-2.0', id: 'a09b8c7d-5f6e-4a4b-9c2d-6e5f4a3b2c1d', name: 'Leonardo Phoenix 2.0 (emulator)', kind: 'image' },
	{ slug: 'kling-3.0-turbo', id: 'b1a0c9d8-6a7f-4b5c-8d3e-7f6a5b4c3d2e', name: 'Kling 3.0 Turbo', kind: 'video' },
	{ slug: 'kling-2.6', id: 'c2b1d0e9-7b8a-4c6d-9e4f-8a7b6c5d4e3f', name: 'Kling 2.6', kind: 'video' },
	{ slug: 'hailuo-2_3', id: 'd3c2e1f0-8c9b-4d7e-8f5a-9b8c7d6e5f4a', name: 'Hailuo 2.3', kind: 'video' },
	{ slug: 'bfl/flux-3-video', id: 'e4d3f2a1-9dac-4e8f-9a6b-ac9d8e7f6a5b', name: 'FLUX 3 Video', kind: 'video' },
	{ slug: 'seedance-1.0-pro-fast', id: 'f5e4a3b2-aebd-4f9a-8b7c-bdae9f8a7b6c', name: 'Seedance 1.0 Pro Fast', kind: 'video' },
];

export function findModel(id: string | null | undefined): CatalogModel | undefined {
	return PLATFORM_MODELS.find((m) => m.id === id);
}

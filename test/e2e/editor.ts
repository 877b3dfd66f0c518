/**
 * The n8n editor in headless Chromium (Debian `chromium`, driven by playwright-core): log in through the sign-in form,
 * open a workflow that uses the Leonardo node, open the node's panel (NDV) and check that the parameters render:
 * resource and operation lists, the model picker loading from the emulator, and no "not installed" / "Install this
 * node" banner. Screenshots go to .tmp/screenshots/, or to docs/screenshots/ (the README's) with
 * LEONARDO_UPDATE_SCREENSHOTS=1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { EmulatorHandle } from '../../emulator';
import { OWNER, REPO_ROOT, type N8nFlavor, type N8nInstance } from '../../scripts/n8n';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-dev-shm-usage',
];
// The README's screenshots (docs/screenshots/) are refreshed with LEONARDO_UPDATE_SCREENSHOTS=1; other runs write
// to .tmp/screenshots/ so a test run leaves the work tree clean.
const SHOTS = process.env.LEONARDO_UPDATE_SCREENSHOTS
	? path.join(REPO_ROOT, 'docs', 'screenshots')
	: path.join(REPO_ROOT, '.tmp', 'screenshots');
const NOT_INSTALLED = /not currently installed|Install this node/i;

async function shot(page: Page, name: string): Promise<string> {
	fs.mkdirSync(SHOTS, { recursive: true });
	const file = path.join(SHOTS, name);
	await page.screenshot({ path: file });
	return file;
}

async function optionTexts(page: Page, oneOf: string): Promise<string[]> {
	// element-plus renders the open dropdown's options in a popper at the end of <body>. A popper that is still
	// closing (the previous list) can be visible too: take the one that holds an option of THIS list.
	const popper = page
		.locator('.el-select-dropdown:visible, .el-popper:visible .el-select-dropdown__list')
		.filter({ has: page.locator('.el-select-dropdown__item', { hasText: oneOf }) })
		.last();
	await popper.waitFor({ state: 'visible', timeout: 15000 });
	return (await popper.locator('.el-select-dropdown__item').allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
}

export async function runEditorChecks(ctx: {
	n8n: N8nInstance;
	emu: EmulatorHandle;
	flavor: N8nFlavor;
	workflowId: string;
	nodeName: string;
	expectedNodes: number;
	/** the credential's API key (the emulator logs which key each request used) */
	apiKey: string;
}): Promise<void> {
	if (!fs.existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
	}
	const { n8n, emu, flavor } = ctx;
	const prefix = `${flavor}-`;
	let browser: Browser | undefined;
	const pageErrors: string[] = [];
	try {
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.on('pageerror', (e) => pageErrors.push(String(e)));

		// 1. sign in through the form
		await page.goto(`${n8n.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
		await page.locator('input[name="password"]').first().fill(OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').first().click();
		await page.waitForURL((u) => !u.pathname.includes('/signin'), { timeout: 30000 });

		// 2. the workflow on the canvas: every node rendered, none unknown
		await page.goto(`${n8n.url}/workflow/${ctx.workflowId}`);
		const nodes = page.locator('[data-test-id="canvas-node"]');
		await nodes.first().waitFor({ state: 'visible', timeout: 60000 });
		await expectEventually(async () => (await nodes.count()) === ctx.expectedNodes, 20000, `${ctx.expectedNodes} canvas nodes`);
		await page.waitForTimeout(1000);
		await shot(page, `${prefix}workflow-canvas.png`);
		expect(await page.locator('body').innerText()).not.toMatch(NOT_INSTALLED);

		// 3. open the Leonardo node's panel
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${ctx.nodeName}"], [data-test-id="canvas-node"]:has-text("${ctx.nodeName}")`).first().dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ state: 'visible', timeout: 30000 });
		const params = ndv.locator('[data-test-id="node-parameters"]');
		await params.waitFor({ state: 'visible', timeout: 30000 });
		for (const p of ['resource', 'operation', 'prompt', 'modelId', 'numImages', 'element']) {
			await expect(params.locator(`[data-test-id="parameter-input-${p}"]`).first().isVisible()).resolves.toBe(true);
		}
		const ndvText = await ndv.innerText();
		expect(ndvText).not.toMatch(NOT_INSTALLED);
		expect(ndvText).toContain('Resource');
		expect(ndvText).toContain('Operation');
		// the LoRA element label comes from the emulator's element list (loadOptions)
		const elementInput = params.locator('[data-test-id="parameter-input-element"] input').first();
		await expectEventually(
			async () => (await elementInput.inputValue()) === 'Simple Flat Illustration',
			20000,
			'the element name loaded from the emulator',
		);
		await page.waitForTimeout(500);
		await shot(page, `${prefix}node-panel.png`);

		// 4. resource and operation lists
		await params.locator('[data-test-id="parameter-input-resource"] input').first().click();
		const resources = await optionTexts(page, 'Account');
		expect(resources).toEqual(expect.arrayContaining(['Account', 'Image', 'LoRA']));
		await shot(page, `${prefix}resource-list.png`);
		await page.keyboard.press('Escape');
		await expectEventually(
			async () =>
				(await page
					.locator('.el-select-dropdown:visible')
					.filter({ has: page.locator('.el-select-dropdown__item', { hasText: 'Account' }) })
					.count()) === 0,
			10000,
			'the resource list to close',
		);
		await params.locator('[data-test-id="parameter-input-operation"] input').first().click();
		const operations = await optionTexts(page, 'Generate');
		expect(operations).toEqual(expect.arrayContaining(['Generate', 'Get', 'Get Many', 'Delete']));
		await page.keyboard.press('Escape');

		// 5. the model picker loads the model list from the emulator (listSearch over real HTTP)
		const listedBefore = emu.admin.requests({ path: '/platformModels' }).length;
		await params.locator('[data-test-id="parameter-input-modelId"] [data-test-id="rlc-input"]').first().click();
		for (const model of ['Leonardo Phoenix 1.0', 'Lucid Origin']) {
			await expectEventually(
				async () => await page.getByText(model, { exact: true }).first().isVisible(),
				30000,
				`"${model}" in the model picker`,
			);
		}
		// ...fetched by n8n from the emulator with the credential's key
		const modelRequests = emu.admin.requests({ path: '/platformModels' }).slice(listedBefore);
		expect(modelRequests.map((r) => [r.key, r.status])).toContainEqual([ctx.apiKey, 200]);
		await shot(page, `${prefix}model-picker.png`);
		await page.keyboard.press('Escape');
		expect(pageErrors.filter((e) => /leonardo/i.test(e))).toEqual([]);
	} catch (e) {
		// keep what the browser showed when it failed (outside docs/)
		const page = browser?.contexts()[0]?.pages()[0];
		const file = path.join(REPO_ROOT, '.tmp', `editor-failure-${flavor}.png`);
		await page?.screenshot({ path: file }).catch(() => undefined);
		throw new Error(`${e instanceof Error ? e.message : e}\n(screenshot: ${file})`);
	} finally {
		await browser?.close();
	}
}

async function expectEventually(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await fn().catch(() => false)) return;
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

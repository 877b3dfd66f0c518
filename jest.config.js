/** @type {import('jest').Config} */
const common = {
	preset: 'ts-jest',
	modulePathIgnorePatterns: ['<rootDir>/.tmp/', '<rootDir>/dist/', '<rootDir>/demo-output/'],
	testEnvironment: 'node',
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.dev.json' }],
	},
};
module.exports = {
	cacheDirectory: '<rootDir>/.jest-cache',
	projects: [
		{
			...common,
			displayName: 'unit',
			testMatch: ['<rootDir>/test/**/*.test.ts'],
			testPathIgnorePatterns: ['<rootDir>/test/e2e/'],
		},
		{
			...common,
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
		},
	],
};

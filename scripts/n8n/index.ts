/** Helpers to drive a real n8n from the demo and the e2e tests (see each module's header). */
export * from './ensure';
export * from './process';
export * from './install-package';
export * from './run-output';
export * from './rest';
export * from './package';
export * from './util';

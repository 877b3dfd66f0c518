// n8n 2.x (2.41.x) on Node 24 from the npm registry, with the editor test. See suite.ts.
import { describeN8n } from './suite';

describeN8n('v2', { editor: true });

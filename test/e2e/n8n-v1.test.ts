// n8n 1.x (1.123.x) on the system Node 20, with the editor test. See suite.ts.
import { describeN8n } from './suite';

describeN8n('v1', { editor: true });

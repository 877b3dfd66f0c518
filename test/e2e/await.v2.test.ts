import { describeAwait } from './await-suite';

describeAwait('v2');

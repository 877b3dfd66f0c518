import * as path from 'path';

// n8n-core writes <N8N_USER_FOLDER>/.n8n/config on import: keep it inside the repo, not in $HOME.
process.env.N8N_USER_FOLDER = path.join(__dirname, '..', '.n8n-test-home');
process.env.N8N_ENCRYPTION_KEY = process.env.N8N_ENCRYPTION_KEY ?? 'n8n-nodes-leonardo-test-key';
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

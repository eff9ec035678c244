import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildManifest } from './build-manifest';

writeFileSync(join(__dirname, '..', 'manifest.json'), `${JSON.stringify(buildManifest(), null, 2)}\n`);
process.stdout.write('manifest.json written\n');

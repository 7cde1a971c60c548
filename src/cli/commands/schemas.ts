import { join } from 'node:path';
import { jsonSchemas } from '../../plan/json-schemas.ts';
import { writeFileAtomic } from '../../util/atomic-fs.ts';
import type { ExitCode } from '../../util/errors.ts';
import type { Io } from '../io.ts';
import { openConfig } from '../workspace.ts';

/** Writes schemas/*.schema.json from the zod schemas (for contributors: `npm run schemas`). */
export async function schemasCommand(io: Io): Promise<ExitCode> {
  const { root } = await openConfig(io);
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    await writeFileAtomic(join(root, 'schemas', name), `${JSON.stringify(schema, null, 2)}\n`);
    io.stdout.write(`wrote schemas/${name}\n`);
  }
  return 0;
}

/** `corpusmill verify <tokens-dir>`: checks token shards as a trainer reads them; exit 1 with the first problem. */
import type { Command } from 'commander';
import { verifyTokens } from '../../tokenize/verify.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      "check token shards: manifest hashes, index/bin consistency, BOS/EOS at every document boundary, dtype against vocabulary; SFT loss masks against sequence and example boundaries; completeness against the build's catalog",
    )
    .argument('<tokens-dir>', 'folder of token shards with their manifests (e.g. <out>/tokens/llama2 or <out>/mix)')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, o: { json?: boolean }) => {
      const r = await verifyTokens(dir);
      const sft = r.examples !== undefined ? `, ${r.examples} SFT examples (masks checked)` : '';
      const complete = r.complete ? `; complete against ${r.complete.catalog} (${r.complete.tasks} tasks)` : '';
      process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `ok: ${r.files} files in ${r.manifests} manifests, ${r.documents} documents, ${r.tokens} tokens${sft}${complete}\n`);
    });
}

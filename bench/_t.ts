import { textNative } from '../src/native/addons.js';
import { ccnetNormalize, normalizeForDedup } from '../src/text/ccnet-normalize.js';
import { lineHash } from '../src/filters/ccnet/line-hash.js';
const n = textNative<any>();
let bad = 0, fb = 0;
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const c = String.fromCodePoint(cp);
  for (const s of [c, `Ab${c}9x`]) {
    const a = n.ccnetNormalize(s);
    if (a === null) fb++; else if (a !== ccnetNormalize(s)) { if (bad++ < 5) console.log('norm', cp.toString(16), JSON.stringify(a), JSON.stringify(ccnetNormalize(s))); }
    const b = n.normalizeForDedup(s);
    if (b === null) fb++; else if (b !== normalizeForDedup(s)) { if (bad++ < 10) console.log('dedup', cp.toString(16), JSON.stringify(b), JSON.stringify(normalizeForDedup(s))); }
  }
}
console.log('bad', bad, 'fallback', fb);
const [h, f] = n.lineHashes('Hello World 123\n\n  Ünïcödé — “quoted” ３\nΣΑΣ');
console.log(h, f, lineHash('Hello World 123'), (BigInt(h[1]) << 32n) | BigInt(h[0]), lineHash('  Ünïcödé — “quoted” ３'), (BigInt(h[5]) << 32n) | BigInt(h[4]));

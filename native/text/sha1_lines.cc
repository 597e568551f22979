// CCNet line hashes in bulk: `sha1Prefix64Lines(buffer)` splits a UTF-8 buffer at '\n' and returns,
// per line, the first 8 bytes of its SHA-1 as two little-endian uint32 [lo, hi] (cc_net dedup.py
// `str_hash`: sha1(...).digest()[:8] read as a little-endian uint64).
//
// Why native: the line dedup hashes every line of the crawl twice (scan and main pass); one
// `crypto.createHash` per line costs ~1.5 us of call overhead in Node (about 35 MB/s of short lines),
// while one call per document into this loop hashes at hundreds of MB/s. The TypeScript side
// normalises the lines (Unicode rules live there) and joins them with '\n'.
//
// SHA-1 is implemented here from FIPS 180-4 section 6.1 (no dependency on Node's OpenSSL symbols,
// which are not exported on every platform).
#include "registry.h"

#include <cstdint>
#include <cstring>

namespace {

inline uint32_t Rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// One 64-byte block into the state h[5].
void Sha1Block(uint32_t h[5], const uint8_t* p) {
  uint32_t w[80];
  for (int t = 0; t < 16; t++) w[t] = (uint32_t(p[4 * t]) << 24) | (uint32_t(p[4 * t + 1]) << 16) | (uint32_t(p[4 * t + 2]) << 8) | uint32_t(p[4 * t + 3]);
  for (int t = 16; t < 80; t++) w[t] = Rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  // The four rounds as separate loops: no per-step branch on t.
#define CM_SHA1_STEP(F, K)                         \
  {                                                \
    uint32_t tmp = Rol(a, 5) + (F) + e + (K) + w[t]; \
    e = d;                                         \
    d = c;                                         \
    c = Rol(b, 30);                                \
    b = a;                                         \
    a = tmp;                                       \
  }
  int t = 0;
  for (; t < 20; t++) CM_SHA1_STEP((b & c) | (~b & d), 0x5a827999u)
  for (; t < 40; t++) CM_SHA1_STEP(b ^ c ^ d, 0x6ed9eba1u)
  for (; t < 60; t++) CM_SHA1_STEP((b & c) | (b & d) | (c & d), 0x8f1bbcdcu)
  for (; t < 80; t++) CM_SHA1_STEP(b ^ c ^ d, 0xca62c1d6u)
#undef CM_SHA1_STEP
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

// SHA-1 of [data, data+len); writes the first 8 digest bytes as two little-endian uint32.
void Sha1Prefix64(const uint8_t* data, size_t len, uint32_t out[2]) {
  uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  size_t full = len / 64;
  for (size_t i = 0; i < full; i++) Sha1Block(h, data + 64 * i);
  // Padding: the rest, 0x80, zeros, then the bit length as a big-endian uint64.
  uint8_t tail[128];
  size_t rest = len - full * 64;
  std::memcpy(tail, data + full * 64, rest);
  tail[rest] = 0x80;
  size_t tailLen = rest + 1 + 8 <= 64 ? 64 : 128;
  std::memset(tail + rest + 1, 0, tailLen - rest - 1);
  uint64_t bits = uint64_t(len) * 8;
  for (int i = 0; i < 8; i++) tail[tailLen - 1 - i] = uint8_t(bits >> (8 * i));
  Sha1Block(h, tail);
  if (tailLen == 128) Sha1Block(h, tail + 64);
  // Digest bytes are h[0] big-endian, then h[1]; bytes 0..3 read little-endian give lo.
  auto le = [](uint32_t be) { return ((be & 0xff) << 24) | ((be & 0xff00) << 8) | ((be >> 8) & 0xff00) | (be >> 24); };
  out[0] = le(h[0]);
  out[1] = le(h[1]);
}

Napi::Value Sha1Prefix64Lines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "sha1Prefix64Lines(buffer) expects a Buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  const uint8_t* data = buf.Data();
  size_t len = buf.Length();
  size_t lines = 1;
  for (size_t i = 0; i < len; i++) lines += data[i] == '\n';
  auto out = Napi::Uint32Array::New(env, lines * 2);
  uint32_t* o = out.Data();
  size_t start = 0, k = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || data[i] == '\n') {
      Sha1Prefix64(data + start, i - start, o + 2 * k);
      k++;
      start = i + 1;
    }
  }
  return out;
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("sha1Prefix64Lines", Napi::Function::New(env, Sha1Prefix64Lines));
});

}  // namespace

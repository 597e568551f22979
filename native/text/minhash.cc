// MinHash signatures as RedPajama-V2 defines them (app/src/dedupe/{minhash,utils}.py), over a batch of
// normalized texts (words separated by single ASCII spaces):
//   shingle  = " ".join of `ngram` consecutive words (a byte range of the text, no copy);
//   h        = little-endian uint32 of the first 4 bytes of SHA-1(shingle UTF-8);
//   phv_i    = ((h * a_i mod 2^64) + b_i mod 2^64) mod (2^61 - 1), masked to 32 bits (numpy uint64 wraps);
//   sig_i    = min over shingles of phv_i (the uint32 max when there is none).
// Texts with fewer than `ngram` words get no signature (RPv2 stores null). The permutation loop is written
// over plain arrays so the compiler vectorises it; an AVX2 version is picked at load time where available.
#include "registry.h"

#include <cpuid.h>
#include <dlfcn.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// ---- SHA-1 (FIPS 180-4), only the first 32 bits of the digest are used -------------------------------
inline uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void sha1_block(uint32_t st[5], const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) | p[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];
#define CM_SHA1_ROUND(F, K)                      \
  {                                              \
    uint32_t t = rol(a, 5) + (F) + e + (K) + w[i]; \
    e = d; d = c; c = rol(b, 30); b = a; a = t;  \
  }
  int i = 0;
  for (; i < 20; i++) CM_SHA1_ROUND((b & c) | (~b & d), 0x5A827999)
  for (; i < 40; i++) CM_SHA1_ROUND(b ^ c ^ d, 0x6ED9EBA1)
  for (; i < 60; i++) CM_SHA1_ROUND((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
  for (; i < 80; i++) CM_SHA1_ROUND(b ^ c ^ d, 0xCA62C1D6)
#undef CM_SHA1_ROUND
  st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e;
}

// ---- SHA-1 with the x86 SHA extensions (SHA-NI), when the CPU has them ------------------------------
// Four rounds per sha1rnds4; the message schedule runs four words ahead with sha1msg1/sha1msg2 (the
// pattern Intel documents for these instructions). Same digest as the portable code (tested).
__attribute__((target("sha,sse4.1"))) void sha1_ni_blocks(uint32_t st[5], const uint8_t* p, size_t blocks) {
  const __m128i kMask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st)), 0x1B);
  __m128i e0 = _mm_set_epi32(int(st[4]), 0, 0, 0);
  for (; blocks > 0; blocks--, p += 64) {
    const __m128i abcd_save = abcd;
    const __m128i e_save = e0;
    __m128i m[4];
    for (int k = 0; k < 4; k++) m[k] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), kMask);
    __m128i e1;
    // Group g = rounds 4g..4g+3; the round function changes every 5 groups (an immediate operand).
#define CM_SHA1_GROUP(g, F)                                                        \
  {                                                                                \
    __m128i& mg = m[(g) % 4];                                                      \
    if ((g) % 2 == 0) {                                                            \
      e0 = (g) == 0 ? _mm_add_epi32(e0, mg) : _mm_sha1nexte_epu32(e0, mg);         \
      e1 = abcd;                                                                   \
      if ((g) >= 3) m[((g) + 1) % 4] = _mm_sha1msg2_epu32(m[((g) + 1) % 4], mg);   \
      abcd = _mm_sha1rnds4_epu32(abcd, e0, F);                                     \
    } else {                                                                       \
      e1 = _mm_sha1nexte_epu32(e1, mg);                                            \
      e0 = abcd;                                                                   \
      if ((g) >= 3) m[((g) + 1) % 4] = _mm_sha1msg2_epu32(m[((g) + 1) % 4], mg);   \
      abcd = _mm_sha1rnds4_epu32(abcd, e1, F);                                     \
    }                                                                              \
    if ((g) >= 1) m[((g) + 3) % 4] = _mm_sha1msg1_epu32(m[((g) + 3) % 4], mg);     \
    if ((g) >= 2) m[((g) + 2) % 4] = _mm_xor_si128(m[((g) + 2) % 4], mg);          \
  }
    CM_SHA1_GROUP(0, 0) CM_SHA1_GROUP(1, 0) CM_SHA1_GROUP(2, 0) CM_SHA1_GROUP(3, 0) CM_SHA1_GROUP(4, 0)
    CM_SHA1_GROUP(5, 1) CM_SHA1_GROUP(6, 1) CM_SHA1_GROUP(7, 1) CM_SHA1_GROUP(8, 1) CM_SHA1_GROUP(9, 1)
    CM_SHA1_GROUP(10, 2) CM_SHA1_GROUP(11, 2) CM_SHA1_GROUP(12, 2) CM_SHA1_GROUP(13, 2) CM_SHA1_GROUP(14, 2)
    CM_SHA1_GROUP(15, 3) CM_SHA1_GROUP(16, 3) CM_SHA1_GROUP(17, 3) CM_SHA1_GROUP(18, 3) CM_SHA1_GROUP(19, 3)
#undef CM_SHA1_GROUP
    // After group 19, e0 holds the state that becomes the next E: add the saved E to it.
    e0 = _mm_sha1nexte_epu32(e0, e_save);
    abcd = _mm_add_epi32(abcd, abcd_save);
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(st), _mm_shuffle_epi32(abcd, 0x1B));
  st[4] = uint32_t(_mm_extract_epi32(e0, 3));
}

// Two independent messages at once, block after block: one message's sha1rnds4 chain is bound by the
// instruction's latency, so a second chain in the same loop runs in its shadow. block(j, i) gives the
// i-th 64-byte block of message j; both have `blocks` blocks.
template <int N, typename Blocks>
__attribute__((target("sha,sse4.1"))) inline void sha1_ni_blocks_xn(uint32_t (*st)[5], const Blocks& block, size_t blocks) {
  const __m128i kMask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
  __m128i abcd[N], e0[N];
  for (int j = 0; j < N; j++) {
    abcd[j] = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(st[j])), 0x1B);
    e0[j] = _mm_set_epi32(int(st[j][4]), 0, 0, 0);
  }
  for (size_t blk = 0; blk < blocks; blk++) {
    __m128i abcd_save[N], e_save[N];
    for (int j = 0; j < N; j++) {
      abcd_save[j] = abcd[j];
      e_save[j] = e0[j];
    }
    __m128i m[N][4];
    for (int j = 0; j < N; j++) {
      const uint8_t* p = block(j, blk);
      for (int k = 0; k < 4; k++) m[j][k] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), kMask);
    }
    __m128i e1[N];
#define CM_SHA1_GROUP2(g, F)                                                            \
  for (int j = 0; j < N; j++) {                                                         \
    __m128i& mg = m[j][(g) % 4];                                                        \
    if ((g) % 2 == 0) {                                                                 \
      e0[j] = (g) == 0 ? _mm_add_epi32(e0[j], mg) : _mm_sha1nexte_epu32(e0[j], mg);     \
      e1[j] = abcd[j];                                                                  \
      if ((g) >= 3) m[j][((g) + 1) % 4] = _mm_sha1msg2_epu32(m[j][((g) + 1) % 4], mg);  \
      abcd[j] = _mm_sha1rnds4_epu32(abcd[j], e0[j], F);                                 \
    } else {                                                                            \
      e1[j] = _mm_sha1nexte_epu32(e1[j], mg);                                           \
      e0[j] = abcd[j];                                                                  \
      if ((g) >= 3) m[j][((g) + 1) % 4] = _mm_sha1msg2_epu32(m[j][((g) + 1) % 4], mg);  \
      abcd[j] = _mm_sha1rnds4_epu32(abcd[j], e1[j], F);                                 \
    }                                                                                   \
    if ((g) >= 1) m[j][((g) + 3) % 4] = _mm_sha1msg1_epu32(m[j][((g) + 3) % 4], mg);    \
    if ((g) >= 2) m[j][((g) + 2) % 4] = _mm_xor_si128(m[j][((g) + 2) % 4], mg);         \
  }
    CM_SHA1_GROUP2(0, 0) CM_SHA1_GROUP2(1, 0) CM_SHA1_GROUP2(2, 0) CM_SHA1_GROUP2(3, 0) CM_SHA1_GROUP2(4, 0)
    CM_SHA1_GROUP2(5, 1) CM_SHA1_GROUP2(6, 1) CM_SHA1_GROUP2(7, 1) CM_SHA1_GROUP2(8, 1) CM_SHA1_GROUP2(9, 1)
    CM_SHA1_GROUP2(10, 2) CM_SHA1_GROUP2(11, 2) CM_SHA1_GROUP2(12, 2) CM_SHA1_GROUP2(13, 2) CM_SHA1_GROUP2(14, 2)
    CM_SHA1_GROUP2(15, 3) CM_SHA1_GROUP2(16, 3) CM_SHA1_GROUP2(17, 3) CM_SHA1_GROUP2(18, 3) CM_SHA1_GROUP2(19, 3)
#undef CM_SHA1_GROUP2
    for (int j = 0; j < N; j++) {
      e0[j] = _mm_sha1nexte_epu32(e0[j], e_save[j]);
      abcd[j] = _mm_add_epi32(abcd[j], abcd_save[j]);
    }
  }
  for (int j = 0; j < N; j++) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(st[j]), _mm_shuffle_epi32(abcd[j], 0x1B));
    st[j][4] = uint32_t(_mm_extract_epi32(e0[j], 3));
  }
}

bool cpu_has_sha_ni() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = (b >> 29) & 1;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool sse41 = (c >> 19) & 1, ssse3 = (c >> 9) & 1;
  return sha && sse41 && ssse3;
}

const bool kHasShaNi = cpu_has_sha_ni();

// SHA-1 of data[0, len) with the SHA extensions: whole blocks from the input, the padded tail from a copy.
uint32_t sha_ni_hash32(const uint8_t* data, size_t len) {
  uint32_t st[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t full = len / 64;
  if (full) sha1_ni_blocks(st, data, full);
  uint8_t tail[128];
  size_t rem = len - full * 64;
  std::memcpy(tail, data + full * 64, rem);
  tail[rem] = 0x80;
  size_t tlen = rem + 1 + 8 <= 64 ? 64 : 128;
  std::memset(tail + rem + 1, 0, tlen - rem - 1);
  uint64_t bits = uint64_t(len) * 8;
  for (int i = 0; i < 8; i++) tail[tlen - 1 - i] = uint8_t(bits >> (8 * i));
  sha1_ni_blocks(st, tail, tlen / 64);
  uint32_t d0 = st[0];
  return ((d0 >> 24) & 0xff) | (((d0 >> 16) & 0xff) << 8) | (((d0 >> 8) & 0xff) << 16) | ((d0 & 0xff) << 24);
}

// A message as SHA-1 blocks: whole blocks read in place, the padded tail (one or two blocks) from a copy.
struct PaddedMessage {
  const uint8_t* data;
  size_t full;  // whole 64-byte blocks of the input
  size_t blocks;
  uint8_t tail[128];
  void set(const uint8_t* d, size_t len) {
    data = d;
    full = len / 64;
    const size_t rem = len - full * 64;
    std::memcpy(tail, d + full * 64, rem);
    tail[rem] = 0x80;
    const size_t tlen = rem + 1 + 8 <= 64 ? 64 : 128;
    std::memset(tail + rem + 1, 0, tlen - rem - 1);
    const uint64_t bits = uint64_t(len) * 8;
    for (int i = 0; i < 8; i++) tail[tlen - 1 - i] = uint8_t(bits >> (8 * i));
    blocks = full + tlen / 64;
  }
  const uint8_t* block(size_t i) const { return i < full ? data + 64 * i : tail + 64 * (i - full); }
};

inline uint32_t digest_hash32(uint32_t d0) { return ((d0 >> 24) & 0xff) | (((d0 >> 16) & 0xff) << 8) | (((d0 >> 8) & 0xff) << 16) | ((d0 & 0xff) << 24); }

// sha_ni_hash32 of N messages data[j][0, len[j]) into out[j]; the N chains interleave while all have blocks left.
template <int N>
__attribute__((target("sha,sse4.1"))) void sha_ni_hash32_xn(const uint8_t* const* data, const size_t* len, uint32_t* out) {
  PaddedMessage msg[N];
  uint32_t st[N][5];
  size_t common = SIZE_MAX;
  for (int j = 0; j < N; j++) {
    msg[j].set(data[j], len[j]);
    common = std::min(common, msg[j].blocks);
    const uint32_t init[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    std::memcpy(st[j], init, sizeof init);
  }
  sha1_ni_blocks_xn<N>(st, [&](int j, size_t i) { return msg[j].block(i); }, common);
  for (int j = 0; j < N; j++) {
    for (size_t i = common; i < msg[j].blocks; i++) sha1_ni_blocks(st[j], msg[j].block(i), 1);
    out[j] = digest_hash32(st[j][0]);
  }
}

// Node's own OpenSSL SHA1() when the process exports it (it uses the SHA extensions of the CPU);
// otherwise the portable implementation here. Both give the same digest.
// The low-level SHA1_Init/Update/Final (OpenSSL 3's one-shot SHA1() fetches a provider per call).
struct OpenSslSha1 {
  int (*init)(void*) = nullptr;
  int (*update)(void*, const void*, size_t) = nullptr;
  int (*final)(unsigned char*, void*) = nullptr;
  OpenSslSha1() {
    init = reinterpret_cast<int (*)(void*)>(dlsym(RTLD_DEFAULT, "SHA1_Init"));
    update = reinterpret_cast<int (*)(void*, const void*, size_t)>(dlsym(RTLD_DEFAULT, "SHA1_Update"));
    final = reinterpret_cast<int (*)(unsigned char*, void*)>(dlsym(RTLD_DEFAULT, "SHA1_Final"));
    if (!init || !update || !final) init = nullptr;
  }
};
const OpenSslSha1& openssl_sha1() {
  static OpenSslSha1 fns;
  return fns;
}

uint32_t portable_sha1_hash32(const uint8_t* data, size_t len);

// First 4 digest bytes read little-endian (datasketch sha1_hash32: struct.unpack("<I", digest[:4])).
uint32_t sha1_hash32(const uint8_t* data, size_t len) {
  if (kHasShaNi) return sha_ni_hash32(data, len);
  const OpenSslSha1& ssl = openssl_sha1();
  if (ssl.init) {
    alignas(16) unsigned char ctx[256];  // SHA_CTX is 96 bytes
    unsigned char md[20];
    ssl.init(ctx);
    ssl.update(ctx, data, len);
    ssl.final(md, ctx);
    return uint32_t(md[0]) | (uint32_t(md[1]) << 8) | (uint32_t(md[2]) << 16) | (uint32_t(md[3]) << 24);
  }
  return portable_sha1_hash32(data, len);
}

uint32_t portable_sha1_hash32(const uint8_t* data, size_t len) {
  uint32_t st[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t full = len / 64;
  for (size_t i = 0; i < full; i++) sha1_block(st, data + 64 * i);
  uint8_t tail[128];
  size_t rem = len - full * 64;
  std::memcpy(tail, data + full * 64, rem);
  tail[rem] = 0x80;
  size_t tlen = rem + 1 + 8 <= 64 ? 64 : 128;
  std::memset(tail + rem + 1, 0, tlen - rem - 1);
  uint64_t bits = uint64_t(len) * 8;
  for (int i = 0; i < 8; i++) tail[tlen - 1 - i] = uint8_t(bits >> (8 * i));
  sha1_block(st, tail);
  if (tlen == 128) sha1_block(st, tail + 64);
  uint32_t d0 = st[0];  // big-endian bytes b0..b3 of the digest; little-endian read of them:
  return ((d0 >> 24) & 0xff) | (((d0 >> 16) & 0xff) << 8) | (((d0 >> 8) & 0xff) << 16) | ((d0 & 0xff) << 24);
}

// Shingles hashed together by sha_ni_hash32_xn (3 or 4 measured no faster than 2 on the AMD EPYC here).
constexpr int kShaLanes = 2;

constexpr uint64_t kMersenne = (uint64_t(1) << 61) - 1;

// mins[i] = min(mins[i], ((h*a[i] + b[i]) mod 2^61-1) & 0xffffffff) for one shingle hash h.
void fold_shingle_scalar(uint32_t h, const uint64_t* __restrict a, const uint64_t* __restrict b, uint64_t* __restrict mins, int n) {
  for (int i = 0; i < n; i++) {
    uint64_t x = uint64_t(h) * a[i] + b[i];
    uint64_t r = (x & kMersenne) + (x >> 61);
    r = r >= kMersenne ? r - kMersenne : r;
    r &= 0xffffffffULL;
    mins[i] = r < mins[i] ? r : mins[i];
  }
}

// The same, four permutations per AVX2 step and two shingle hashes per pass over the permutations. h < 2^32,
// so h*a mod 2^64 is two 32x32->64 multiplies: h*lo32(a) + (h*hi32(a) << 32). The reduction r of x is below
// 2^61 + 8, and r - (2^61 - 1) has the low 32 bits of r + 1 (2^61 is 0 mod 2^32): so the conditional subtract
// becomes "add 1 where r >= 2^61 - 1", and only the low 32-bit lane of each 64-bit min is kept meaningful
// (min_epu32 per 32-bit lane; the high lanes hold junk that the caller never reads).
__attribute__((target("avx2"))) inline __m256i reduce_low32_avx2(__m256i x, __m256i m61, __m256i m61_less1) {
  const __m256i r = _mm256_add_epi64(_mm256_and_si256(x, m61), _mm256_srli_epi64(x, 61));
  return _mm256_sub_epi64(r, _mm256_cmpgt_epi64(r, m61_less1));
}

__attribute__((target("avx2"))) void fold_shingles_avx2(const uint32_t* hs, size_t count, const uint64_t* __restrict a, const uint64_t* __restrict a_hi,
                                                       const uint64_t* __restrict b, uint64_t* __restrict mins, int n) {
  const __m256i m61 = _mm256_set1_epi64x(int64_t(kMersenne));
  const __m256i m61_less1 = _mm256_set1_epi64x(int64_t(kMersenne - 1));
  size_t k = 0;
  for (; k + 2 <= count; k += 2) {
    const __m256i h0 = _mm256_set1_epi64x(int64_t(hs[k]));
    const __m256i h1 = _mm256_set1_epi64x(int64_t(hs[k + 1]));
    for (int i = 0; i + 4 <= n; i += 4) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
      const __m256i vah = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a_hi + i));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
      const __m256i x0 = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(h0, va), _mm256_slli_epi64(_mm256_mul_epu32(h0, vah), 32)), vb);
      const __m256i x1 = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(h1, va), _mm256_slli_epi64(_mm256_mul_epu32(h1, vah), 32)), vb);
      const __m256i r = _mm256_min_epu32(reduce_low32_avx2(x0, m61, m61_less1), reduce_low32_avx2(x1, m61, m61_less1));
      const __m256i cur = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mins + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(mins + i), _mm256_min_epu32(cur, r));
    }
  }
  for (; k < count; k++) {
    const __m256i h0 = _mm256_set1_epi64x(int64_t(hs[k]));
    for (int i = 0; i + 4 <= n; i += 4) {
      const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
      const __m256i vah = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a_hi + i));
      const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
      const __m256i x0 = _mm256_add_epi64(_mm256_add_epi64(_mm256_mul_epu32(h0, va), _mm256_slli_epi64(_mm256_mul_epu32(h0, vah), 32)), vb);
      const __m256i cur = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mins + i));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(mins + i), _mm256_min_epu32(cur, reduce_low32_avx2(x0, m61, m61_less1)));
    }
  }
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}
const bool kHasAvx2 = cpu_has_avx2();

// Byte ranges of the space-separated words of text[s, e).
void split_words(const uint8_t* base, size_t s, size_t e, std::vector<uint32_t>& starts, std::vector<uint32_t>& ends) {
  starts.clear();
  ends.clear();
  size_t i = s;
  while (i < e) {
    while (i < e && base[i] == ' ') i++;
    if (i >= e) break;
    size_t w = i;
    while (i < e && base[i] != ' ') i++;
    starts.push_back(uint32_t(w));
    ends.push_back(uint32_t(i));
  }
}

// Bytes of the Python whitespace character (str.isspace()) starting at p, UTF-8, or 0.
inline size_t py_space_len(const uint8_t* p, size_t avail) {
  uint8_t b = p[0];
  if (b < 0x80) return b == 0x20 || (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x1f) ? 1 : 0;
  if (b == 0xC2) return avail >= 2 && (p[1] == 0x85 || p[1] == 0xA0) ? 2 : 0;
  if (avail < 3) return 0;
  if (b == 0xE1) return p[1] == 0x9A && p[2] == 0x80 ? 3 : 0;  // U+1680
  if (b == 0xE2) {
    if (p[1] == 0x80) return (p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF ? 3 : 0;  // U+2000-200A, 2028, 2029, 202F
    return p[1] == 0x81 && p[2] == 0x9F ? 3 : 0;                                                                     // U+205F
  }
  return b == 0xE3 && p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;  // U+3000
}

// The fold of RPv2's normalize() for text whose other characters it leaves alone (JavaScript checks that
// and applies NFD where needed first: foldPlan in src/text/rpv2-normalize.ts), in place over base[s, e): ASCII punctuation (Python
// string.punctuation) deleted, A-Z lower-cased; bytes >= 0x80 are copied. Returns the new end.
size_t fold_ascii(uint8_t* base, size_t s, size_t e) {
  size_t w = s;
  for (size_t i = s; i < e; i++) {
    const uint8_t c = base[i];
    if ((c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')) continue;
    base[w++] = c >= 'A' && c <= 'Z' ? uint8_t(c + 32) : c;
  }
  return w;
}

// RPv2's strip + collapse of whitespace runs to one space, in place over base[s, e); returns the new end.
size_t collapse_spaces(uint8_t* base, size_t s, size_t e) {
  size_t w = s;
  bool gap = false;
  for (size_t i = s; i < e;) {
    size_t n = py_space_len(base + i, e - i);
    if (n) {
      gap = w > s;
      i += n;
      continue;
    }
    if (gap) {
      base[w++] = ' ';
      gap = false;
    }
    base[w++] = base[i++];
  }
  return w;
}

// minhashBatch(text: Buffer, offsets: Uint32Array(n+1), ngram, a: BigUint64Array, b: BigUint64Array,
//              out: Uint32Array(n*perms), folded?: boolean, raw?: Uint8Array(n)) -> Uint8Array(n) with 1 where a
// signature was written. Texts are normalized (words separated by single spaces), or with `folded` only
// folded (punctuation removed, lower-cased, NFD): their whitespace is then stripped and collapsed here, in
// the buffer. With `folded`, a text whose `raw` flag is 1 is raw text that fold_ascii folds here first.
Napi::Value MinhashBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsBuffer() || !info[1].IsTypedArray() || !info[2].IsNumber() || !info[3].IsTypedArray() ||
      !info[4].IsTypedArray() || !info[5].IsTypedArray()) {
    Napi::TypeError::New(env, "minhashBatch(text, offsets, ngram, a, b, out)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto text = info[0].As<Napi::Buffer<uint8_t>>();
  auto offsets = info[1].As<Napi::Uint32Array>();
  int ngram = info[2].As<Napi::Number>().Int32Value();
  auto a = info[3].As<Napi::BigUint64Array>();
  auto b = info[4].As<Napi::BigUint64Array>();
  auto out = info[5].As<Napi::Uint32Array>();
  const bool folded = info.Length() > 6 && info[6].ToBoolean();
  const bool has_raw = folded && info.Length() > 7 && info[7].IsTypedArray();
  Napi::Uint8Array raw = has_raw ? info[7].As<Napi::Uint8Array>() : Napi::Uint8Array();
  size_t perms = a.ElementLength();
  size_t docs = offsets.ElementLength() == 0 ? 0 : offsets.ElementLength() - 1;
  if (b.ElementLength() != perms || out.ElementLength() < docs * perms || ngram < 1 || (has_raw && raw.ElementLength() < docs)) {
    Napi::RangeError::New(env, "minhashBatch: sizes do not match").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto valid = Napi::Uint8Array::New(env, docs);
  const uint8_t* base = text.Data();
  std::vector<uint64_t> mins(perms);
  // The high halves of the multipliers, for the AVX2 fold's 32-bit multiplies.
  std::vector<uint64_t> a_hi(perms);
  for (size_t p = 0; p < perms; p++) a_hi[p] = a.Data()[p] >> 32;
  std::vector<uint32_t> starts, ends, hashes;
  for (size_t d = 0; d < docs; d++) {
    size_t s = offsets[d], e = offsets[d + 1];
    if (e > text.Length() || s > e) {
      Napi::RangeError::New(env, "minhashBatch: offsets outside the buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (has_raw && raw[d]) e = fold_ascii(text.Data(), s, e);
    if (folded) e = collapse_spaces(text.Data(), s, e);
    split_words(base, s, e, starts, ends);
    uint32_t* sig = out.Data() + d * perms;
    if (starts.size() < size_t(ngram)) {
      valid[d] = 0;
      for (size_t p = 0; p < perms; p++) sig[p] = 0;
      continue;
    }
    std::fill(mins.begin(), mins.end(), uint64_t(0xffffffffULL));
    const size_t shingles = starts.size() - ngram + 1;
    if (kHasAvx2 && perms % 4 == 0) {
      // Hashes first, then the permutations two hashes at a time (mins keep only their low 32 bits valid).
      hashes.resize(shingles);
      size_t k = 0;
      if (kHasShaNi)
        for (; k + kShaLanes <= shingles; k += kShaLanes) {
          const uint8_t* data[kShaLanes];
          size_t len[kShaLanes];
          for (int j = 0; j < kShaLanes; j++) {
            data[j] = base + starts[k + j];
            len[j] = ends[k + j + ngram - 1] - starts[k + j];
          }
          sha_ni_hash32_xn<kShaLanes>(data, len, hashes.data() + k);
        }
      for (; k < shingles; k++) hashes[k] = sha1_hash32(base + starts[k], ends[k + ngram - 1] - starts[k]);
      fold_shingles_avx2(hashes.data(), shingles, a.Data(), a_hi.data(), b.Data(), mins.data(), int(perms));
    } else {
      for (size_t k = 0; k < shingles; k++) fold_shingle_scalar(sha1_hash32(base + starts[k], ends[k + ngram - 1] - starts[k]), a.Data(), b.Data(), mins.data(), int(perms));
    }
    for (size_t p = 0; p < perms; p++) sig[p] = uint32_t(mins[p]);
    valid[d] = 1;
  }
  return valid;
}

// shingleHashes(text: Buffer, offsets: Uint32Array(n+1), ngram) -> {hashes: Uint32Array, index: Uint32Array(n+1)}:
// each document's distinct shingle hashes, sorted, at hashes[index[d], index[d+1]) (the sets MinHash
// estimates the Jaccard similarity of; used to check candidate pairs exactly).
Napi::Value ShingleHashes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsBuffer() || !info[1].IsTypedArray() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "shingleHashes(text, offsets, ngram)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto text = info[0].As<Napi::Buffer<uint8_t>>();
  auto offsets = info[1].As<Napi::Uint32Array>();
  int ngram = info[2].As<Napi::Number>().Int32Value();
  size_t docs = offsets.ElementLength() == 0 ? 0 : offsets.ElementLength() - 1;
  std::vector<uint32_t> all, starts, ends, one;
  std::vector<uint32_t> index(docs + 1, 0);
  for (size_t d = 0; d < docs; d++) {
    size_t s = offsets[d], e = offsets[d + 1];
    if (e > text.Length() || s > e || ngram < 1) {
      Napi::RangeError::New(env, "shingleHashes: bad offsets").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    split_words(text.Data(), s, e, starts, ends);
    one.clear();
    for (size_t k = 0; k + ngram <= starts.size(); k++) one.push_back(sha1_hash32(text.Data() + starts[k], ends[k + ngram - 1] - starts[k]));
    std::sort(one.begin(), one.end());
    one.erase(std::unique(one.begin(), one.end()), one.end());
    all.insert(all.end(), one.begin(), one.end());
    index[d + 1] = uint32_t(all.size());
  }
  auto hashes = Napi::Uint32Array::New(env, all.size());
  if (!all.empty()) std::memcpy(hashes.Data(), all.data(), all.size() * 4);
  auto idx = Napi::Uint32Array::New(env, index.size());
  std::memcpy(idx.Data(), index.data(), index.size() * 4);
  Napi::Object out = Napi::Object::New(env);
  out.Set("hashes", hashes);
  out.Set("index", idx);
  return out;
}

// sha1Hash32(buffer, portable?) -> number: the shingle hash on its own (portable: skip OpenSSL), for tests.
Napi::Value Sha1Hash32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "sha1Hash32(buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  bool portable = info.Length() > 1 && info[1].ToBoolean();
  return Napi::Number::New(env, portable ? portable_sha1_hash32(buf.Data(), buf.Length()) : sha1_hash32(buf.Data(), buf.Length()));
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("minhashBatch", Napi::Function::New(env, MinhashBatch));
  exports.Set("sha1Hash32", Napi::Function::New(env, Sha1Hash32));
  exports.Set("shingleHashes", Napi::Function::New(env, ShingleHashes));
});

}  // namespace

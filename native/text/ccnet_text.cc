// cc_net's normalisations (src/text/ccnet-normalize.ts) and line hash (src/filters/ccnet/line-hash.ts)
// at native speed, for the line dedup, the perplexity scorer and the n-gram trainer.
//
// Semantics come from the TypeScript functions, not from a second reading of Python: ASCII is
// handled inline (lower-case, digits to '0', C0 controls and DEL removed); every other code point
// goes through tables generated from the TypeScript functions themselves by
// scripts/gen-ccnet-unicode.ts (ccnet_unicode.inc). A text whose result depends on neighbouring
// characters (Σ's final form; NFD reordering of a kept combining character) is handed back to the
// caller, which runs the TypeScript function on it.
// Line hash: SHA-1 of the UTF-8 line, first 8 bytes read as little-endian uint64; SHA-1 is Node's own
// OpenSSL (the low-level SHA1_* calls: the one-shot SHA1() of OpenSSL 3 fetches a provider per call).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ccnet_text.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "registry.h"

namespace ccnet {
namespace {

#include "ccnet_unicode.inc"

constexpr uint32_t kFallback = 0xFFFFFFFFu;
constexpr int32_t kNone = -1;

struct Table {
  const uint32_t* keys;
  const uint32_t* vals;
  const uint8_t* pool;
  uint32_t count;
  std::vector<int32_t> bmp;  // BMP code point -> index into keys/vals, or kNone
  size_t firstAstral;         // index of the first key >= 0x10000

  Table(const uint32_t* k, const uint32_t* v, const uint8_t* p, uint32_t c) : keys(k), vals(v), pool(p), count(c), bmp(0x10000, kNone) {
    firstAstral = c;
    for (uint32_t i = 0; i < c; i++) {
      if (k[i] < 0x10000) bmp[k[i]] = static_cast<int32_t>(i);
      else if (firstAstral == c) firstAstral = i;
    }
  }

  // The table index of cp, or kNone.
  int32_t Find(uint32_t cp) const {
    if (cp < 0x10000) return bmp[cp];
    const uint32_t* lo = keys + firstAstral;
    const uint32_t* hi = keys + count;
    const uint32_t* it = std::lower_bound(lo, hi, cp);
    return it != hi && *it == cp ? static_cast<int32_t>(it - keys) : kNone;
  }
};

const Table& NormTable() {
  static const Table t(kNormKeys, kNormVals, kNormPool, kNormCount);
  return t;
}

const Table& DedupTable() {
  static const Table t(kDedupKeys, kDedupVals, kDedupPool, kDedupCount);
  return t;
}

// Decodes one code point of valid UTF-8 at s[i]; sets len.
inline uint32_t Decode(const unsigned char* s, size_t i, size_t& len) {
  unsigned char c = s[i];
  if (c < 0x80) {
    len = 1;
    return c;
  }
  if (c < 0xE0) {
    len = 2;
    return ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
  }
  if (c < 0xF0) {
    len = 3;
    return ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
  }
  len = 4;
  return ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
}

inline void Encode(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Python str.isspace() (src/text/python.ts isPySpace).
inline bool IsPySpace(uint32_t c) {
  if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  if (c < 0x85) return false;
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

enum : uint8_t { kCopy, kUpper, kDigit, kDrop };

struct AsciiClasses {
  uint8_t c[128];
  constexpr AsciiClasses() : c() {
    for (int i = 0; i < 128; i++) c[i] = i < 0x20 || i == 0x7F ? kDrop : (i >= 'A' && i <= 'Z') ? kUpper : (i >= '0' && i <= '9') ? kDigit : kCopy;
  }
  constexpr uint8_t operator[](unsigned char i) const { return c[i]; }
};
constexpr AsciiClasses kAscii;

// Start of the last code point before end.
inline size_t PrevStart(const unsigned char* s, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (s[i] & 0xC0) == 0x80) i--;
  return i;
}

}  // namespace

bool IsJsSpace(const unsigned char* s, size_t n, size_t i, size_t& len) {
  unsigned char c = s[i];
  if (c < 0x80) {
    len = 1;
    return c == 0x20 || (c >= 0x09 && c <= 0x0D);
  }
  if (c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3 && c != 0xEF) {
    Decode(s, i, len);
    return false;
  }
  uint32_t cp = Decode(s, i, len);
  (void)n;
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000 || cp == 0xFEFF;
}

bool Normalize(const char* text, size_t n, NormMode mode, std::string& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text);
  // strip() with Python's whitespace set.
  size_t a = 0, b = n, len = 0;
  while (a < b) {
    if (s[a] < 0x80) {
      if (!IsPySpace(s[a])) break;
      a++;
      continue;
    }
    if (!IsPySpace(Decode(s, a, len))) break;
    a += len;
  }
  while (b > a) {
    if (s[b - 1] < 0x80) {
      if (!IsPySpace(s[b - 1])) break;
      b--;
      continue;
    }
    size_t p = PrevStart(s, b);
    if (!IsPySpace(Decode(s, p, len))) break;
    b = p;
  }
  const Table& t = mode == NormMode::kNormalize ? NormTable() : DedupTable();
  const bool norm = mode == NormMode::kNormalize;
  size_t i = a;
  while (i < b) {
    unsigned char c = s[i];
    if (c < 0x80) {
      // Runs of ASCII that stays as it is are copied whole.
      size_t j = i;
      while (j < b && s[j] < 0x80 && kAscii[s[j]] == kCopy) j++;
      if (j > i) {
        out.append(text + i, j - i);
        i = j;
        continue;
      }
      if (kAscii[c] == kUpper) out.push_back(static_cast<char>(c + 32));
      else if (kAscii[c] == kDigit) out.push_back('0');
      // else: a C0 control or DEL, removed
      i++;
      continue;
    }
    uint32_t cp = Decode(s, i, len);
    int32_t k = t.Find(cp);
    if (k == kNone) {
      if (norm && cp >= 0xAC00 && cp < 0xAC00 + 11172) {
        uint32_t si = cp - 0xAC00;
        Encode(0x1100 + si / 588, out);
        Encode(0x1161 + (si % 588) / 28, out);
        if (si % 28) Encode(0x11A7 + si % 28, out);
      } else {
        out.append(text + i, len);
      }
    } else {
      uint32_t v = t.vals[k];
      if (v == kFallback) return false;
      out.append(reinterpret_cast<const char*>(t.pool + (v >> 8)), v & 0xFF);
    }
    i += len;
  }
  return true;
}

namespace {

std::string Utf8(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

// ccnetNormalize(text) / normalizeForDedup(text): the normalised string, or null when the text
// needs the TypeScript function.
Napi::Value NormalizeJs(const Napi::CallbackInfo& info, NormMode mode) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "expects a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string in = Utf8(info[0]);
  std::string out;
  out.reserve(in.size());
  if (!Normalize(in.data(), in.size(), mode, out)) return env.Null();
  return Napi::String::New(env, out);
}

Napi::Value CcnetNormalizeJs(const Napi::CallbackInfo& info) { return NormalizeJs(info, NormMode::kNormalize); }
Napi::Value NormalizeForDedupJs(const Napi::CallbackInfo& info) { return NormalizeJs(info, NormMode::kDedup); }

inline void Sha1Prefix(const char* s, size_t n, uint32_t* out2) {
  SHA_CTX ctx;
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, s, n);
  SHA1_Final(d, &ctx);
  out2[0] = static_cast<uint32_t>(d[0]) | (static_cast<uint32_t>(d[1]) << 8) | (static_cast<uint32_t>(d[2]) << 16) | (static_cast<uint32_t>(d[3]) << 24);
  out2[1] = static_cast<uint32_t>(d[4]) | (static_cast<uint32_t>(d[5]) << 8) | (static_cast<uint32_t>(d[6]) << 16) | (static_cast<uint32_t>(d[7]) << 24);
}

// lineHashes(text) -> [Uint32Array (lo, hi per '\n'-separated line), Int32Array of the lines the
// native normaliser could not do (their hashes are 0, 0: the caller computes them) or null].
Napi::Value LineHashesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "lineHashes(text) expects a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string in = Utf8(info[0]);
  size_t lines = 1;
  for (size_t p = 0; (p = in.find('\n', p)) != std::string::npos; p++) lines++;
  auto hashes = Napi::Uint32Array::New(env, lines * 2);
  uint32_t* h = hashes.Data();
  std::vector<int32_t> fallback;
  std::string norm;
  size_t start = 0;
  for (size_t line = 0; line < lines; line++) {
    size_t end = in.find('\n', start);
    if (end == std::string::npos) end = in.size();
    norm.clear();
    if (Normalize(in.data() + start, end - start, NormMode::kDedup, norm)) {
      Sha1Prefix(norm.data(), norm.size(), h + line * 2);
    } else {
      h[line * 2] = h[line * 2 + 1] = 0;
      fallback.push_back(static_cast<int32_t>(line));
    }
    start = end + 1;
  }
  auto result = Napi::Array::New(env, 2);
  result.Set(0u, hashes);
  if (fallback.empty()) {
    result.Set(1u, env.Null());
  } else {
    auto fb = Napi::Int32Array::New(env, fallback.size());
    std::memcpy(fb.Data(), fallback.data(), fallback.size() * sizeof(int32_t));
    result.Set(1u, fb);
  }
  return result;
}

// sha1Prefix64(normalisedLine) -> Uint32Array [lo, hi] (the hash of a line normalised in TypeScript).
Napi::Value Sha1PrefixJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string in = Utf8(info[0]);
  auto out = Napi::Uint32Array::New(env, 2);
  Sha1Prefix(in.data(), in.size(), out.Data());
  return out;
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("ccnetNormalize", Napi::Function::New(env, CcnetNormalizeJs));
  exports.Set("normalizeForDedup", Napi::Function::New(env, NormalizeForDedupJs));
  exports.Set("lineHashes", Napi::Function::New(env, LineHashesJs));
  exports.Set("sha1Prefix64", Napi::Function::New(env, Sha1PrefixJs));
});

}  // namespace
}  // namespace ccnet

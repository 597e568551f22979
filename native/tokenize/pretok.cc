// UTF-8 validation and WHATWG repair for the tiktoken pre-tokenizers (pretok.h), which assume valid input.
// The reference tokenizers take JavaScript strings, so raw bytes reach them only through Node's UTF-8
// decoder, which replaces each maximal invalid subpart with one U+FFFD; utf8_repair does the same, so
// corpusmill's ids for raw bytes equal the reference's ids for Buffer.toString() of those bytes.
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pretok.h"

namespace corpusmill {
namespace pretok {

uint8_t kBmpFlags[0x10000];

namespace {

// Fills kBmpFlags when the addon loads (the two-stage table is constant-initialised, so it is ready).
struct FillBmpFlags {
  FillBmpFlags() {
    for (uint32_t cp = 0; cp < 0x10000; cp++) kBmpFlags[cp] = unicode::flags(cp);
  }
} fill_bmp_flags;

// Valid second-byte range for a lead byte (Unicode Table 3-7), and the sequence length (0 = invalid lead).
struct Lead {
  uint8_t len, lo, hi;
};

inline Lead lead_info(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// Length of the valid sequence at s[i] (≥ 1), or 0 with `*consumed` = bytes of the maximal invalid subpart.
inline size_t sequence_at(const uint8_t* s, size_t i, size_t n, size_t* consumed) {
  Lead l = lead_info(s[i]);
  if (!l.len) {
    *consumed = 1;
    return 0;
  }
  size_t j = i + 1;
  for (uint8_t k = 1; k < l.len; k++, j++) {
    uint8_t lo = k == 1 ? l.lo : 0x80, hi = k == 1 ? l.hi : 0xBF;
    if (j >= n || s[j] < lo || s[j] > hi) {
      *consumed = j - i;
      return 0;
    }
  }
  return l.len;
}

}  // namespace

// ASCII 16 bytes at a time; 2- and 3-byte sequences (most non-ASCII text) on short checked paths.
bool utf8_valid(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    if (b < 0x80) {
      i++;
#if defined(__SSE2__)
      while (i + 16 <= n) {
        int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
        if (m) {
          i += size_t(__builtin_ctz(unsigned(m)));
          break;
        }
        i += 16;
      }
#else
      while (i + 8 <= n) {
        uint64_t v;
        std::memcpy(&v, s + i, 8);
        if (v & 0x8080808080808080ull) break;
        i += 8;
      }
#endif
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return false;
      i += 2;
      continue;
    }
    if (b >= 0xE1 && b <= 0xEC) {
      if (i + 2 >= n || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return false;
      i += 3;
      continue;
    }
    size_t consumed;
    size_t len = sequence_at(s, i, n, &consumed);
    if (!len) return false;
    i += len;
  }
  return true;
}

void utf8_repair(const uint8_t* s, size_t n, std::string& out) {
  out.clear();
  out.reserve(n + 16);
  for (size_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      out.push_back(char(s[i++]));
      continue;
    }
    size_t consumed;
    size_t len = sequence_at(s, i, n, &consumed);
    if (len) {
      out.append(reinterpret_cast<const char*>(s + i), len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      i += consumed;
    }
  }
}

}  // namespace pretok
}  // namespace corpusmill

// Hand-written pre-tokenizers for the tiktoken encodings: each function returns where the piece that
// starts at `p` ends, exactly as tiktoken's regex `find_iter` would cut the text (Perl/leftmost-first
// alternation: at a position the first alternative that can match wins, with its own backtracking).
//
// Why by hand: tiktoken spends most of its time in the regex (openai/tiktoken src/lib.rs); a direct
// scanner over UTF-8 bytes with an ASCII fast path and a 40 KB two-stage class table
// (unicode_tables.h, read off the reference engine) is an order of magnitude faster and allocation-free.
//
// The patterns, as shipped in the `tiktoken` npm package (which is the parity reference):
//   cl100k_base (also Meta LLaMA-3's pat_str; the pre-0.8 Python form, without `\s++$`):
//     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//     \s*[\r\n]+|\s+(?!\S)|\s+
//   o200k_base: [^\r\n\p{L}\p{N}]?[UP]*[LO]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//     [^\r\n\p{L}\p{N}]?[UP]+[LO]*(?i:'s|...)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|
//     \s+(?!\S)|\s+       with UP = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], LO = [\p{Ll}\p{Lm}\p{Lo}\p{M}]
//   r50k_base / p50k_base (GPT-2): 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Input contract: valid UTF-8 (the encoder repairs invalid input first, see utf8_repair in pretok.cc).
// `len` is the end of the text segment: the look-ahead `(?!\S)` sees it as the end of text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "unicode_tables.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace corpusmill {
namespace pretok {

using unicode::kLetter;
using unicode::kLowerish;
using unicode::kMark;
using unicode::kNumber;
using unicode::kSpace;
using unicode::kUpperish;

enum class Pattern { kCl100k, kO200k, kR50k };

// Class flags of the 128 ASCII code points (same bits as unicode::flags), so the hot loops avoid the
// two-stage table for ASCII.
struct AsciiFlags {
  uint8_t f[128];
  constexpr AsciiFlags() : f() {
    for (int c = 0; c < 128; c++) {
      uint8_t v = 0;
      if ((c >= 'a' && c <= 'z')) v = kLetter | kLowerish;
      if ((c >= 'A' && c <= 'Z')) v = kLetter | kUpperish;
      if (c >= '0' && c <= '9') v = kNumber;
      if ((c >= 9 && c <= 13) || c == ' ') v = kSpace;
      f[c] = v;
    }
  }
};
inline constexpr AsciiFlags kAscii{};

struct Cp {
  uint32_t cp;  // code point
  uint32_t n;   // its UTF-8 length in bytes
};

// Decodes the code point at s[i] (valid UTF-8 assumed, i < len).
inline Cp decode(const uint8_t* s, size_t i) {
  uint32_t b = s[i];
  if (b < 0x80) return {b, 1};
  if (b < 0xE0) return {((b & 0x1F) << 6) | (s[i + 1] & 0x3F), 2};
  if (b < 0xF0) return {((b & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), 3};
  return {((b & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F), 4};
}

inline uint8_t cls(uint32_t cp) { return cp < 128 ? kAscii.f[cp] : unicode::flags(cp); }

constexpr uint32_t kInvalidCp = 0xFFFFFFFFu;

// Strict UTF-8 decoding of the code point at s[i] (i < n; Unicode Table 3-7: no overlongs, surrogates
// or values above U+10FFFF): the code point and its length, or kInvalidCp with length 1.
inline uint32_t decode_strict(const uint8_t* s, size_t i, size_t n, uint32_t* len) {
  uint32_t b = s[i];
  *len = 1;
  if (b < 0x80) return b;
  uint32_t need, lo = 0x80, hi = 0xBF, cp;
  if (b >= 0xC2 && b <= 0xDF) need = 1, cp = b & 0x1F;
  else if (b >= 0xE0 && b <= 0xEF) need = 2, cp = b & 0x0F, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
  else if (b >= 0xF0 && b <= 0xF4) need = 3, cp = b & 0x07, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
  else return kInvalidCp;
  if (i + need >= n) return kInvalidCp;
  for (uint32_t k = 1; k <= need; k++) {
    uint32_t c = s[i + k];
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return kInvalidCp;
    cp = (cp << 6) | (c & 0x3F);
  }
  *len = need + 1;
  return cp;
}

inline bool is_crlf(uint32_t cp) { return cp == '\r' || cp == '\n'; }

// Class flags of every BMP code point (64 KB, filled from the two-stage table at load): one load per
// 2- or 3-byte character instead of decoding plus two dependent loads.
extern uint8_t kBmpFlags[0x10000];

// Flags and UTF-8 length of the code point at s[q] (valid UTF-8, q < len).
inline uint8_t cls_at(const uint8_t* s, size_t q, uint32_t* n) {
  uint32_t b = s[q];
  if (b < 0x80) {
    *n = 1;
    return kAscii.f[b];
  }
  if (b < 0xE0) {
    *n = 2;
    return kBmpFlags[((b & 0x1F) << 6) | (s[q + 1] & 0x3F)];
  }
  if (b < 0xF0) {
    *n = 3;
    return kBmpFlags[((b & 0x0F) << 12) | ((s[q + 1] & 0x3F) << 6) | (s[q + 2] & 0x3F)];
  }
  *n = 4;
  return unicode::flags(((b & 0x07) << 18) | ((s[q + 1] & 0x3F) << 12) | ((s[q + 2] & 0x3F) << 6) | (s[q + 3] & 0x3F));
}

// End of the run of ASCII letters starting at q (16 bytes at a time: fold to lower case, subtract 'a',
// saturate at 25: zero exactly for [A-Za-z]; bytes >= 0x80 are never zero, so a run stops there).
inline size_t ascii_letters_end(const uint8_t* s, size_t q, size_t len) {
#if defined(__SSE2__)
  const __m128i v20 = _mm_set1_epi8(0x20), va = _mm_set1_epi8('a'), v25 = _mm_set1_epi8(25), zero = _mm_setzero_si128();
  while (q + 16 <= len) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + q));
    __m128i d = _mm_subs_epu8(_mm_sub_epi8(_mm_or_si128(v, v20), va), v25);
    unsigned m = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(d, zero)));
    if (m != 0xFFFFu) return q + size_t(__builtin_ctz(~m));
    q += 16;
  }
#endif
  while (q < len && uint8_t((s[q] | 0x20) - 'a') <= 25) q++;
  return q;
}

// End of the maximal run, starting at q, of code points having any of the `mask` flags.
inline size_t run_end(const uint8_t* s, size_t q, size_t len, uint8_t mask) {
  if (mask == kLetter) q = ascii_letters_end(s, q, len);
  while (q < len) {
    uint8_t b = s[q];
    if (b < 0x80) {
      if (!(kAscii.f[b] & mask)) return q;
      q++;
      continue;
    }
    uint32_t n;
    if (!(cls_at(s, q, &n) & mask)) return q;
    q += n;
  }
  return q;
}

// End of the maximal run of code points having none of the `mask` flags (the `[^\s\p{L}\p{N}]+` runs).
inline size_t run_end_not(const uint8_t* s, size_t q, size_t len, uint8_t mask) {
  while (q < len) {
    uint8_t b = s[q];
    if (b < 0x80) {
      if (kAscii.f[b] & mask) return q;
      q++;
      continue;
    }
    uint32_t n;
    if (cls_at(s, q, &n) & mask) return q;
    q += n;
  }
  return q;
}

// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at q: returns its end, or q when it does not match. With `fold` false it
// is the case-sensitive GPT-2 form `'s|'t|'re|'ve|'m|'ll|'d`.
inline size_t contraction_end(const uint8_t* s, size_t q, size_t len, bool fold) {
  if (q + 1 >= len || s[q] != '\'') return q;
  Cp c1 = decode(s, q + 1);
  char a = fold ? unicode::contraction_fold(c1.cp) : (c1.cp < 128 ? char(c1.cp) : 0);
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return q + 1 + c1.n;
  if (a != 'r' && a != 'v' && a != 'l') return q;
  size_t q2 = q + 1 + c1.n;
  if (q2 >= len) return q;
  Cp c2 = decode(s, q2);
  char b = fold ? unicode::contraction_fold(c2.cp) : (c2.cp < 128 ? char(c2.cp) : 0);
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return q2 + c2.n;
  return q;
}

// `\p{N}{1,3}` for a number whose first code point ends at q: at most two more \p{N} code points.
inline size_t digits_end(const uint8_t* s, size_t q, size_t len) {
  for (int k = 1; k < 3 && q < len; k++) {
    uint32_t n;
    if (!(cls_at(s, q, &n) & kNumber)) break;
    q += n;
  }
  return q;
}

// `[^\s\p{L}\p{N}]+[\r\n]*` (cl100k) or `...[\r\n/]*` (o200k, `slash`), the run continuing at q.
inline size_t punct_end(const uint8_t* s, size_t q, size_t len, bool slash) {
  size_t e = run_end_not(s, q, len, kSpace | kLetter | kNumber);
  while (e < len && (s[e] == '\r' || s[e] == '\n' || (slash && s[e] == '/'))) e++;
  return e;
}

// The whitespace alternatives shared by every pattern, for a piece starting with a \s code point at p:
//   `\s*[\r\n]+` (cl100k/o200k only): ends after the last CR/LF of the whitespace run;
//   `\s+(?!\S)`: the whole run at end of text, else the run minus its last code point (when ≥ 2);
//   `\s+`: a single leftover whitespace code point.
inline size_t whitespace_end(const uint8_t* s, size_t p, size_t len, bool newline_rule) {
  size_t q = p, last_start = p, after_nl = 0;
  size_t count = 0;
  while (q < len) {
    uint8_t b = s[q];
    uint32_t n = 1;
    if (b < 0x80) {
      if (!(kAscii.f[b] & kSpace)) break;
      if (b == '\r' || b == '\n') after_nl = q + 1;
    } else {
      if (!(cls_at(s, q, &n) & kSpace)) break;
    }
    last_start = q;
    q += n;
    count++;
  }
  if (newline_rule && after_nl) return after_nl;
  if (q == len || count == 1) return q;
  return last_start;
}

// One piece of cl100k_base / llama3, starting at p < len.
inline size_t next_cl100k(const uint8_t* s, size_t p, size_t len) {
  uint8_t b0 = s[p];
  // Fast path for the common ASCII starts: a letter run, or one non-letter/non-digit + letters.
  if (b0 < 0x80) {
    uint8_t f0 = kAscii.f[b0];
    if (f0 & kLetter) return run_end(s, p + 1, len, kLetter);
    if (b0 == '\'') {
      size_t e = contraction_end(s, p, len, true);
      if (e != p) return e;
    }
    if (!(f0 & kNumber) && b0 != '\r' && b0 != '\n' && p + 1 < len) {
      uint8_t b1 = s[p + 1];
      if (b1 < 0x80 ? (kAscii.f[b1] & kLetter) : (cls(decode(s, p + 1).cp) & kLetter))
        return run_end(s, p + 1, len, kLetter);
    }
    if (f0 & kNumber) return digits_end(s, p + 1, len);
    size_t q = p;
    if (b0 == ' ' && p + 1 < len) {
      Cp c1 = decode(s, p + 1);
      if (!(cls(c1.cp) & (kSpace | kLetter | kNumber))) q = p + 1;
    }
    if (q != p || !(f0 & kSpace)) {
      return punct_end(s, q + (q == p ? 1 : 0), len, false);
    }
    return whitespace_end(s, p, len, true);
  }
  // Non-ASCII start.
  uint32_t n0, n1;
  uint8_t f0 = cls_at(s, p, &n0);
  size_t p1 = p + n0;
  if (f0 & kLetter) return run_end(s, p1, len, kLetter);
  if (!(f0 & kNumber) && p1 < len && (cls_at(s, p1, &n1) & kLetter)) return run_end(s, p1, len, kLetter);
  if (f0 & kNumber) return digits_end(s, p1, len);
  if (!(f0 & kSpace)) {
    return punct_end(s, p1, len, false);
  }
  return whitespace_end(s, p, len, true);
}

// o200k letter alternatives at start q (after an optional prefix): returns the end, or 0 if neither
// `[UP]*[LO]+` (alt 1) nor `[UP]+[LO]*` (alt 2) matches there. `alt` selects which one.
//   alt 1: UP* is greedy; if the code point after the UP run is not LO, backtracking gives code points
//   back, so the match ends after the last LO (= Lm/Lo/M) inside the UP run.
//   alt 2: needs a non-empty UP run, then takes the LO run after it.
inline size_t o200k_letters(const uint8_t* s, size_t q, size_t len, int alt) {
  size_t a = q, last_lo_end = 0;
  uint32_t n;
  while (a < len) {
    uint8_t f = cls_at(s, a, &n);
    if (!(f & kUpperish)) break;
    a += n;
    if (f & kLowerish) last_lo_end = a;
  }
  bool lo_next = false;
  if (a < len) lo_next = cls_at(s, a, &n) & kLowerish;
  if (alt == 1) {
    if (lo_next) return run_end(s, a, len, kLowerish);
    return last_lo_end;  // 0 when there is none
  }
  if (a == q) return 0;
  return lo_next ? run_end(s, a, len, kLowerish) : a;
}

// One piece of o200k_base, starting at p < len.
inline size_t next_o200k(const uint8_t* s, size_t p, size_t len) {
  uint8_t b0 = s[p];
  // ASCII lowercase run then non-letter: the common English case (alt 1 without prefix).
  Cp c0 = decode(s, p);
  uint8_t f0 = cls(c0.cp);
  size_t p1 = p + c0.n;
  bool prefix = !(f0 & (kLetter | kNumber)) && b0 != '\r' && b0 != '\n';
  size_t e = 0;
  for (int alt = 1; alt <= 2 && !e; alt++) {
    if (prefix && p1 < len) e = o200k_letters(s, p1, len, alt);
    if (!e && (f0 & (kUpperish | kLowerish))) e = o200k_letters(s, p, len, alt);
  }
  if (e) return contraction_end(s, e, len, true);
  if (f0 & kNumber) return digits_end(s, p1, len);
  size_t q = p;
  if (b0 == ' ' && p1 < len && !(cls(decode(s, p1).cp) & (kSpace | kLetter | kNumber))) q = p1;
  if (q != p || !(f0 & kSpace)) {
    return punct_end(s, q == p ? p1 : q, len, true);
  }
  return whitespace_end(s, p, len, true);
}

// One piece of r50k_base / p50k_base (GPT-2), starting at p < len.
inline size_t next_r50k(const uint8_t* s, size_t p, size_t len) {
  size_t e = contraction_end(s, p, len, false);
  if (e != p) return e;
  Cp c0 = decode(s, p);
  size_t q = p;
  if (c0.cp == ' ' && p + 1 < len) {
    Cp c1 = decode(s, p + 1);
    if (!(cls(c1.cp) & kSpace)) {
      q = p + 1;
      c0 = c1;
    }
  }
  uint8_t f = cls(c0.cp);
  size_t q1 = q + c0.n;
  if (f & kLetter) return run_end(s, q1, len, kLetter);
  if (f & kNumber) return run_end(s, q1, len, kNumber);
  if (!(f & kSpace)) return run_end_not(s, q1, len, kSpace | kLetter | kNumber);
  return whitespace_end(s, p, len, false);
}

inline size_t next_piece(Pattern pat, const uint8_t* s, size_t p, size_t len) {
  switch (pat) {
    case Pattern::kCl100k: return next_cl100k(s, p, len);
    case Pattern::kO200k: return next_o200k(s, p, len);
    default: return next_r50k(s, p, len);
  }
}

// Bytes [0, n) are valid UTF-8 (no overlongs, surrogates or values above U+10FFFF).
bool utf8_valid(const uint8_t* s, size_t n);

// Replaces each maximal invalid subpart with U+FFFD (WHATWG / TextDecoder / Buffer.toString), so
// raw bytes encode exactly as the reference encodes the JavaScript string Node decodes from them.
void utf8_repair(const uint8_t* s, size_t n, std::string& out);

}  // namespace pretok
}  // namespace corpusmill

// The character scans behind the RedPajama-V2 quality signals' text views (src/text/rpv2-views.ts),
// one pass each over the UTF-16 text JavaScript holds:
//   scanRaw      raw lines (each keeping its "\n") and the upper-case code points of each;
//   scanFolded   normalized words of the folded text (interned to ids in order of first occurrence)
//                and per-line word counts, lengths, numeric characters and "javascript" words;
//   rawWordStats NLTK WordPunct words (runs of \w, or of [^\w\s]): count, with an ASCII letter,
//                all upper-case, and how many are in a stop-word set (case-sensitive).
// Character classes come from the table JavaScript builds (char-classes.ts, set once with
// setClassTable), so both paths agree by construction. Texts with a surrogate pair are left to the
// JavaScript path (scanRaw returns -1): here every UTF-16 unit is one code point.
#include "registry.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

// Class bits (char-classes.ts).
constexpr uint8_t kWord = 1, kUpper = 2, kLowerOrTitle = 4, kNumeric = 8, kSpace = 16;

uint8_t g_class[0x10000];
bool g_have_class = false;

inline uint32_t fnv_step(uint32_t h, char16_t c) { return (h ^ c) * 0x01000193u; }
constexpr uint32_t kFnvOffset = 0x811c9dc5u;

// Stop-word sets by handle: open addressing over the FNV-1a hash of the UTF-16 units, which the word
// scan computes as it goes, so a lookup is a probe and a compare only on a hash hit.
struct StopSet {
  std::vector<std::u16string> words;
  std::vector<int32_t> slots;  // index into words, -1 empty
  std::vector<uint32_t> hashes;
  size_t mask = 0;
  size_t max_len = 0;

  void build() {
    size_t size = 16;
    while (size < words.size() * 4) size <<= 1;
    slots.assign(size, -1);
    hashes.assign(size, 0);
    mask = size - 1;
    for (size_t k = 0; k < words.size(); k++) {
      uint32_t h = kFnvOffset;
      for (char16_t c : words[k]) h = fnv_step(h, c);
      size_t slot = (h ^ (h >> 15)) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = int32_t(k);
      hashes[slot] = h;
      max_len = std::max(max_len, words[k].size());
    }
  }

  bool contains(uint32_t h, const char16_t* p, size_t n) const {
    for (size_t slot = (h ^ (h >> 15)) & mask;; slot = (slot + 1) & mask) {
      const int32_t k = slots[slot];
      if (k < 0) return false;
      if (hashes[slot] == h && words[k].size() == n && std::memcmp(words[k].data(), p, n * 2) == 0) return true;
    }
  }
};
std::vector<std::unique_ptr<StopSet>> g_stop_sets;

inline bool same_units(const char16_t* a, const char16_t* b, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (a[k] != b[k]) return false;
  return true;
}

// A JavaScript string's UTF-16 units, in a buffer reused between calls.
const std::u16string& units(Napi::Env env, Napi::Value v, std::u16string& buf) {
  size_t len = 0;
  napi_get_value_string_utf16(env, v, nullptr, 0, &len);
  buf.resize(len + 1);
  size_t got = 0;
  napi_get_value_string_utf16(env, v, buf.data(), len + 1, &got);
  buf.resize(got);
  return buf;
}

Napi::Value SetClassTable(const Napi::CallbackInfo& info) {
  auto t = info[0].As<Napi::Uint8Array>();
  if (t.ElementLength() != 0x10000) {
    Napi::RangeError::New(info.Env(), "setClassTable: expected 65536 entries").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  std::memcpy(g_class, t.Data(), 0x10000);
  g_have_class = true;
  return info.Env().Undefined();
}

// stopSet(words: string[]) -> handle
Napi::Value MakeStopSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto arr = info[0].As<Napi::Array>();
  auto s = std::make_unique<StopSet>();
  s->words.reserve(arr.Length());
  std::u16string buf;
  for (uint32_t i = 0; i < arr.Length(); i++) s->words.push_back(units(env, arr.Get(i), buf));
  s->build();
  g_stop_sets.push_back(std::move(s));
  return Napi::Number::New(env, double(g_stop_sets.size() - 1));
}

// scanRaw(raw, lineStart: Int32Array, lineEnd: Int32Array, lineUpper: Int32Array) -> lines, or -1
// when the text has a surrogate pair. Arrays need room for one entry per "\n" plus one.
Napi::Value ScanRaw(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  thread_local std::u16string buf;
  const std::u16string& s = units(env, info[0], buf);
  if (!g_have_class) return Napi::Number::New(env, -1);
  auto ls = info[1].As<Napi::Int32Array>();
  auto le = info[2].As<Napi::Int32Array>();
  auto lu = info[3].As<Napi::Int32Array>();
  int32_t* const starts = ls.Data();
  int32_t* const ends = le.Data();
  int32_t* const uppers = lu.Data();
  const size_t cap = ls.ElementLength();
  const size_t n = s.size();
  const char16_t* const p = s.data();
  size_t line = 0, start = 0;
  int32_t up = 0;
  for (size_t i = 0; i < n; i++) {
    const char16_t c = p[i];
    if (c < 0x80) {
      up += uint16_t(c - 0x41) < 26;
      if (c == 0x0a) {
        if (line >= cap) return Napi::Number::New(env, -1);
        starts[line] = int32_t(start);
        ends[line] = int32_t(i + 1);
        uppers[line] = up;
        line++;
        start = i + 1;
        up = 0;
      }
      continue;
    }
    if ((c & 0xfc00) == 0xd800 && i + 1 < n && (p[i + 1] & 0xfc00) == 0xdc00) return Napi::Number::New(env, -1);
    up += (g_class[c] & kUpper) != 0;
  }
  if (start < n) {
    if (line >= cap) return Napi::Number::New(env, -1);
    starts[line] = int32_t(start);
    ends[line] = int32_t(n);
    uppers[line] = up;
    line++;
  }
  return Napi::Number::New(env, double(line));
}

// scanFolded(folded, rawLines, words: Int32Array[4] (start, end, id, cps), lines: Int32Array[4]
// (words, length, numeric, javascript)) -> [words, distinct]. Word arrays need (length + 1) / 2
// entries, line arrays rawLines (the folded text has the raw text's newlines).
Napi::Value ScanFolded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  thread_local std::u16string buf;
  const std::u16string& t = units(env, info[0], buf);
  const size_t raw_lines = info[1].As<Napi::Number>().Uint32Value();
  auto w_start = info[2].As<Napi::Int32Array>();
  auto w_end = info[3].As<Napi::Int32Array>();
  auto w_id = info[4].As<Napi::Int32Array>();
  auto w_cps = info[5].As<Napi::Int32Array>();
  auto l_words = info[6].As<Napi::Int32Array>();
  auto l_len = info[7].As<Napi::Int32Array>();
  auto l_num = info[8].As<Napi::Int32Array>();
  auto l_js = info[9].As<Napi::Int32Array>();
  const size_t len = t.size();
  if (w_start.ElementLength() < (len + 1) / 2 || l_words.ElementLength() < raw_lines || l_len.ElementLength() < raw_lines) {
    Napi::RangeError::New(env, "scanFolded: output arrays too small").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int32_t *ws = w_start.Data(), *we = w_end.Data(), *wid = w_id.Data(), *wcp = w_cps.Data();
  int32_t *lw = l_words.Data(), *ll = l_len.Data(), *ln = l_num.Data(), *lj = l_js.Data();
  const char16_t* const p = t.data();
  // Interning: open addressing over word hashes; entries are word ids, first[id] the first word.
  thread_local std::vector<int32_t> table, first;
  thread_local std::vector<uint32_t> hashes;
  size_t size = 1024;
  while (size < len + 2) size <<= 1;
  table.assign(size, -1);
  first.clear();
  hashes.clear();
  const size_t mask = size - 1;
  static const char16_t kJs[] = u"javascript";
  size_t n_words = 0, line = 0;
  int32_t words = 0, chars = 0, numeric = 0, js = 0;
  auto close_line = [&]() {
    if (line < raw_lines) {
      lw[line] = words;
      ll[line] = words == 0 ? 0 : chars + words - 1;
      ln[line] = numeric;
      lj[line] = js;
    }
    line++;
    words = chars = numeric = js = 0;
  };
  for (size_t i = 0; i < len;) {
    // Whitespace, closing a line at each "\n".
    if (g_class[p[i]] & kSpace) {
      if (p[i] == 0x0a) close_line();
      i++;
      continue;
    }
    const size_t start = i;
    uint32_t h = kFnvOffset;
    do {
      const uint8_t f = g_class[p[i]];
      if (f & kSpace) break;
      h = fnv_step(h, p[i]);
      numeric += (f & kNumeric) != 0;
      i++;
    } while (i < len);
    const size_t wlen = i - start;
    size_t slot = (h ^ (h >> 16)) & mask;
    int32_t id = -1;
    for (;; slot = (slot + 1) & mask) {
      const int32_t e = table[slot];
      if (e < 0) break;
      const int32_t f0 = first[e];
      if (hashes[e] == h && size_t(we[f0] - ws[f0]) == wlen && same_units(p + ws[f0], p + start, wlen)) {
        id = e;
        break;
      }
    }
    if (id < 0) {
      id = int32_t(first.size());
      table[slot] = id;
      first.push_back(int32_t(n_words));
      hashes.push_back(h);
    }
    ws[n_words] = int32_t(start);
    we[n_words] = int32_t(i);
    wid[n_words] = id;
    wcp[n_words] = int32_t(wlen);
    n_words++;
    if (wlen == 10 && same_units(p + start, kJs, 10)) js++;
    words++;
    chars += int32_t(wlen);
  }
  // The raw text's last line has no "\n": its words end the text.
  if (line < raw_lines) close_line();
  auto out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), Napi::Number::New(env, double(n_words)));
  out.Set(uint32_t(1), Napi::Number::New(env, double(first.size())));
  return out;
}

// rawWordStats(raw, stopSet, out: Int32Array(4)): count, with an ASCII letter, all upper-case, stop words.
Napi::Value RawWordStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  thread_local std::u16string buf;
  const std::u16string& s = units(env, info[0], buf);
  const StopSet& stop = *g_stop_sets.at(info[1].As<Napi::Number>().Uint32Value());
  auto out = info[2].As<Napi::Int32Array>();
  int32_t count = 0, alpha_n = 0, caps = 0, stop_n = 0;
  const size_t len = s.size();
  const char16_t* const p = s.data();
  for (size_t i = 0; i < len;) {
    uint8_t f = g_class[p[i]];
    if (f & kSpace) {
      i++;
      continue;
    }
    const uint8_t word = f & kWord;
    const size_t start = i;
    bool alpha = false, upper = false, lower = false;
    uint32_t h = kFnvOffset;
    for (;;) {
      const char16_t c = p[i];
      h = fnv_step(h, c);
      if (c < 0x80) {
        const char16_t lc = c | 0x20;
        if (uint16_t(lc - 0x61) < 26) {
          alpha = true;
          if (c == lc) lower = true;
          else upper = true;
        }
      } else {
        upper |= (f & kUpper) != 0;
        lower |= (f & kLowerOrTitle) != 0;
      }
      if (++i >= len) break;
      f = g_class[p[i]];
      if ((f & kSpace) || (f & kWord) != word) break;
    }
    count++;
    alpha_n += alpha;
    caps += upper && !lower;
    if (i - start <= stop.max_len && stop.contains(h, p + start, i - start)) stop_n++;
  }
  out[0] = count;
  out[1] = alpha_n;
  out[2] = caps;
  out[3] = stop_n;
  return env.Undefined();
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("setClassTable", Napi::Function::New(env, SetClassTable));
  exports.Set("stopSet", Napi::Function::New(env, MakeStopSet));
  exports.Set("scanRaw", Napi::Function::New(env, ScanRaw));
  exports.Set("scanFolded", Napi::Function::New(env, ScanFolded));
  exports.Set("rawWordStats", Napi::Function::New(env, RawWordStats));
});

}  // namespace

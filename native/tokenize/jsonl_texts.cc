// JSON lines -> packed document texts for `corpusmill count` / `tokenize` (src/tokenize/inputs.ts): the
// `text` field of each record is unescaped straight into one UTF-8 buffer with n+1 offsets, and its
// `source` field collected, so reading a corpus creates no JavaScript string or object per document.
// (The JS reader spent more CPU per byte in TextDecoder, JSON.parse and the garbage collector than
// the tokenizer did encoding the text.)
//
//   jsonlTexts(input: Uint8Array, final: boolean, out: Uint8Array) -> {consumed, offsets: Float64Array,
//     sourceOf: Int32Array, sources: string[], stopped: boolean}
// Reads the complete lines of `input` (all of it when `final`), writes each record's text into `out`
// (`out` must be at least as long as `input`: unescaped text is never longer than its JSON), and
// returns the byte offsets of the texts in `out`, per record the index of its `source` string in
// `sources` (-1: the record has no string `source`), and how many input bytes it consumed.
//
// Exactly what the reference reader (src/io/shards.ts readShard: split at \n, drop one trailing \r,
// skip empty lines, TextDecoder('utf-8', {fatal}) which drops a leading BOM, JSON.parse, a string
// `text` field) yields for the same lines, with the text as TextEncoder encodes the JS string (a lone
// surrogate escape becomes U+FFFD; duplicate keys: the last one counts). Anything else - a line that
// is not valid UTF-8 or not a JSON object, a `text` that is not a string, nesting deeper than 512, a
// `source` with a lone surrogate - stops the scan before that line (`stopped`), and the caller lets the
// reference reader take the file from there, so errors and their messages stay the reference's.
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>
#include <unordered_map>
#include <vector>

#include "registry.h"
#include "pretok.h"

namespace corpusmill {
namespace {

constexpr int kMaxDepth = 512;

struct Field {
  const uint8_t* begin = nullptr;  // the string's content (between the quotes), escapes included
  const uint8_t* end = nullptr;
  bool is_string = false;
  bool present = false;
};

class LineParser {
 public:
  LineParser(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}

  // Parses one JSON object spanning the whole line; fills `text` and `source` (last occurrence wins).
  // Each string value of a `text` key is unescaped to `text_out` as it is parsed (a later one
  // overwrites an earlier one); its length goes to *text_len.
  bool parse_record(Field& text, Field& source, uint8_t* text_out, size_t* text_len) {
    ws();
    if (p_ >= end_ || *p_ != '{') return false;
    p_++;
    ws();
    if (p_ < end_ && *p_ == '}') {
      p_++;
    } else {
      for (;;) {
        ws();
        const uint8_t* kb;
        const uint8_t* ke;
        bool escaped;
        if (!string(&kb, &ke, &escaped)) return false;
        ws();
        if (p_ >= end_ || *p_ != ':') return false;
        p_++;
        ws();
        int which = key_is(kb, ke, escaped);
        const uint8_t* vb = p_;
        if (p_ < end_ && *p_ == '"') {
          const uint8_t* sb;
          const uint8_t* se;
          bool esc;
          if (!string(&sb, &se, &esc, which == 1 ? text_out : nullptr, which == 1 ? text_len : nullptr)) return false;
          if (which) *(which == 1 ? &text : &source) = Field{sb, se, true, true};
        } else {
          if (!value()) return false;
          if (which) *(which == 1 ? &text : &source) = Field{vb, p_, false, true};
        }
        ws();
        if (p_ < end_ && *p_ == ',') {
          p_++;
          continue;
        }
        if (p_ < end_ && *p_ == '}') {
          p_++;
          break;
        }
        return false;
      }
    }
    ws();
    return p_ == end_;
  }

 private:
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) p_++;
  }

  static int hex(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // A JSON string at p_ (which is at the opening quote): its content span and whether it has escapes.
  // With `copy`, the unescaped content is also written there (see unescape for the rules) and its
  // length returned in *copied. Clean runs are found 16 bytes at a time (a quote, a backslash or a
  // control character ends one) and copied as they are scanned, so a text is read once.
  bool string(const uint8_t** b, const uint8_t** e, bool* escaped, uint8_t* copy = nullptr, size_t* copied = nullptr) {
    if (p_ >= end_ || *p_ != '"') return false;
    p_++;
    *b = p_;
    *escaped = false;
    uint8_t* o = copy;
    for (;;) {
#if defined(__SSE2__)
      const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(char(0x20 ^ 0x80)), flip = _mm_set1_epi8(char(0x80));
      while (end_ - p_ >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
        __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(_mm_xor_si128(v, flip), ctl));
        int m = _mm_movemask_epi8(special);
        if (o) _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);  // the output trails the input: room
        if (m) {
          int k = __builtin_ctz(unsigned(m));
          p_ += k;
          if (o) o += k;
          break;
        }
        p_ += 16;
        if (o) o += 16;
      }
#endif
      if (p_ >= end_) return false;
      uint8_t c = *p_;
      if (c == '"') {
        *e = p_++;
        if (copied) *copied = size_t(o - copy);
        return true;
      }
      if (c < 0x20) return false;
      if (c != '\\') {
        if (o) *o++ = c;
        p_++;
        continue;
      }
      *escaped = true;
      if (p_ + 1 >= end_) return false;
      uint8_t x = p_[1];
      if (x == 'u') {
        if (p_ + 6 > end_) return false;
        for (int k = 2; k < 6; k++)
          if (hex(p_[k]) < 0) return false;
        if (o) {
          bool lone;
          const uint8_t* q = p_;
          o = put_u_escape(q, end_, o, &lone);
          p_ = q;
        } else {
          p_ += 6;
        }
        continue;
      }
      if (x != '"' && x != '\\' && x != '/' && x != 'b' && x != 'f' && x != 'n' && x != 'r' && x != 't') return false;
      if (o) *o++ = x == 'b' ? '\b' : x == 'f' ? '\f' : x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x;
      p_ += 2;
    }
  }

  // The \uXXXX escape at p (validated): writes its UTF-8 at o and advances p past it, taking a
  // following \uDC00-\uDFFF escape along for a high surrogate; a lone surrogate becomes U+FFFD.
  static uint8_t* put_u_escape(const uint8_t*& p, const uint8_t* end, uint8_t* o, bool* lone) {
    uint32_t cp = uint32_t(hex(p[2]) << 12 | hex(p[3]) << 8 | hex(p[4]) << 4 | hex(p[5]));
    p += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex(p[2]) >= 0 && hex(p[3]) >= 0 && hex(p[4]) >= 0 &&
        hex(p[5]) >= 0) {
      uint32_t lo = uint32_t(hex(p[2]) << 12 | hex(p[3]) << 8 | hex(p[4]) << 4 | hex(p[5]));
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
      }
    }
    *lone = false;
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD;
      *lone = true;
    }
    if (cp < 0x80) {
      *o++ = uint8_t(cp);
    } else if (cp < 0x800) {
      *o++ = uint8_t(0xC0 | (cp >> 6));
      *o++ = uint8_t(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *o++ = uint8_t(0xE0 | (cp >> 12));
      *o++ = uint8_t(0x80 | ((cp >> 6) & 0x3F));
      *o++ = uint8_t(0x80 | (cp & 0x3F));
    } else {
      *o++ = uint8_t(0xF0 | (cp >> 18));
      *o++ = uint8_t(0x80 | ((cp >> 12) & 0x3F));
      *o++ = uint8_t(0x80 | ((cp >> 6) & 0x3F));
      *o++ = uint8_t(0x80 | (cp & 0x3F));
    }
    return o;
  }

  bool number() {
    if (p_ < end_ && *p_ == '-') p_++;
    if (p_ >= end_) return false;
    if (*p_ == '0') {
      p_++;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') p_++;
    } else {
      return false;
    }
    if (p_ < end_ && *p_ == '.') {
      p_++;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') p_++;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      p_++;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) p_++;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') p_++;
    }
    return true;
  }

  bool literal(const char* w, size_t n) {
    if (size_t(end_ - p_) < n || std::memcmp(p_, w, n) != 0) return false;
    p_ += n;
    return true;
  }

  // Any JSON value at p_ (not a string: the caller handles those), validated; nesting is tracked with an
  // explicit stack of container kinds so deep input cannot overflow ours.
  bool value() {
    std::vector<uint8_t>& stack = stack_;
    stack.clear();
    for (;;) {
      ws();
      if (p_ >= end_) return false;
      uint8_t c = *p_;
      if (c == '{' || c == '[') {
        if (stack.size() >= kMaxDepth) return false;
        p_++;
        ws();
        if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
          p_++;
        } else {
          stack.push_back(c);
          if (c == '{') {
            const uint8_t* kb;
            const uint8_t* ke;
            bool esc;
            if (!string(&kb, &ke, &esc)) return false;
            ws();
            if (p_ >= end_ || *p_ != ':') return false;
            p_++;
          }
          continue;
        }
      } else if (c == '"') {
        const uint8_t* sb;
        const uint8_t* se;
        bool esc;
        if (!string(&sb, &se, &esc)) return false;
      } else if (c == 't') {
        if (!literal("true", 4)) return false;
      } else if (c == 'f') {
        if (!literal("false", 5)) return false;
      } else if (c == 'n') {
        if (!literal("null", 4)) return false;
      } else if (!number()) {
        return false;
      }
      // after a complete value: close containers or continue them
      for (;;) {
        if (stack.empty()) return true;
        ws();
        if (p_ >= end_) return false;
        uint8_t top = stack.back();
        if (*p_ == ',') {
          p_++;
          if (top == '{') {
            ws();
            const uint8_t* kb;
            const uint8_t* ke;
            bool esc;
            if (!string(&kb, &ke, &esc)) return false;
            ws();
            if (p_ >= end_ || *p_ != ':') return false;
            p_++;
          }
          break;  // parse the next value
        }
        if (*p_ == (top == '{' ? '}' : ']')) {
          p_++;
          stack.pop_back();
          continue;
        }
        return false;
      }
    }
  }

  // 1 for "text", 2 for "source", 0 otherwise (keys with escapes are decoded first, as JSON.parse does).
  static int key_is(const uint8_t* b, const uint8_t* e, bool escaped) {
    std::string k;
    if (escaped) {
      std::vector<uint8_t> buf(size_t(e - b) + 4);
      size_t n;
      bool lone;
      unescape(b, e, buf.data(), &n, &lone);
      if (lone) return 0;
      k.assign(reinterpret_cast<const char*>(buf.data()), n);
    } else {
      k.assign(reinterpret_cast<const char*>(b), size_t(e - b));
    }
    return k == "text" ? 1 : k == "source" ? 2 : 0;
  }

 public:
  // Unescapes a validated JSON string's content into UTF-8 at `out` (never longer than the input).
  // Lone surrogate escapes become U+FFFD (what TextEncoder does with them); `lone` says if any did.
  static void unescape(const uint8_t* p, const uint8_t* end, uint8_t* out, size_t* n, bool* lone) {
    uint8_t* o = out;
    *lone = false;
    while (p < end) {
      const uint8_t* q = p;
      while (q < end && *q != '\\') q++;
      std::memcpy(o, p, size_t(q - p));
      o += q - p;
      p = q;
      if (p >= end) break;
      uint8_t x = p[1];
      if (x != 'u') {
        *o++ = x == 'b' ? '\b' : x == 'f' ? '\f' : x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x;
        p += 2;
        continue;
      }
      bool l;
      o = put_u_escape(p, end, o, &l);
      *lone = *lone || l;
    }
    *n = size_t(o - out);
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  std::vector<uint8_t> stack_;
};

Napi::Value JsonlTexts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[2].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "jsonlTexts(input: Uint8Array, final: boolean, out: Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto in = info[0].As<Napi::Uint8Array>();
  bool final = info[1].ToBoolean().Value();
  auto outArr = info[2].As<Napi::Uint8Array>();
  if (outArr.ByteLength() < in.ByteLength()) {
    Napi::RangeError::New(env, "jsonlTexts: out must be at least as long as input").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint8_t* s = in.Data();
  const size_t len = in.ByteLength();
  uint8_t* out = outArr.Data();
  std::vector<double> offsets{0};
  std::vector<int32_t> source_of;
  std::vector<std::string> sources;
  std::unordered_map<std::string, int32_t> source_index;
  std::string src_buf;
  size_t pos = 0, opos = 0;
  bool stopped = false;
  while (pos < len) {
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(s + pos, '\n', len - pos));
    if (!nl && !final) break;  // an incomplete last line: the next call gets it with more input
    size_t line_end = nl ? size_t(nl - s) : len;
    size_t b = pos, e = line_end;
    if (e > b && s[e - 1] == '\r') e--;
    if (e > b) {
      if (!pretok::utf8_valid(s + b, e - b)) {
        stopped = true;
        break;
      }
      if (e - b >= 3 && s[b] == 0xEF && s[b + 1] == 0xBB && s[b + 2] == 0xBF) b += 3;  // TextDecoder drops a BOM
      Field text, source;
      LineParser lp(s + b, s + e);
      size_t text_len = 0;
      if (!lp.parse_record(text, source, out + opos, &text_len) || !text.present || !text.is_string) {
        stopped = true;
        break;
      }
      int32_t si = -1;
      if (source.present && source.is_string) {
        size_t n;
        bool lone;
        src_buf.resize(size_t(source.end - source.begin) + 4);
        LineParser::unescape(source.begin, source.end, reinterpret_cast<uint8_t*>(&src_buf[0]), &n, &lone);
        if (lone) {  // a JS string with a lone surrogate has no UTF-8 form: leave the line to the reference
          stopped = true;
          break;
        }
        src_buf.resize(n);
        auto it = source_index.emplace(src_buf, int32_t(sources.size())).first;
        si = it->second;
        if (size_t(si) == sources.size()) sources.push_back(src_buf);
      }
      opos += text_len;
      offsets.push_back(double(opos));
      source_of.push_back(si);
    }
    pos = nl ? line_end + 1 : len;
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("consumed", double(pos));
  r.Set("stopped", stopped);
  auto offs = Napi::Float64Array::New(env, offsets.size());
  std::memcpy(offs.Data(), offsets.data(), offsets.size() * sizeof(double));
  r.Set("offsets", offs);
  auto so = Napi::Int32Array::New(env, source_of.size());
  if (!source_of.empty()) std::memcpy(so.Data(), source_of.data(), source_of.size() * sizeof(int32_t));
  r.Set("sourceOf", so);
  Napi::Array names = Napi::Array::New(env, sources.size());
  for (size_t k = 0; k < sources.size(); k++) names.Set(uint32_t(k), Napi::String::New(env, sources[k]));
  r.Set("sources", names);
  return r;
}

RegisterExports exports([](Napi::Env env, Napi::Object target) { target.Set("jsonlTexts", Napi::Function::New(env, JsonlTexts, "jsonlTexts")); });

}  // namespace
}  // namespace corpusmill

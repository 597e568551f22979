// The WET/WARC reading fast path of the commoncrawl sources (src/sources/commoncrawl/native-reader.ts):
// gunzip (Node's own zlib), WARC framing and cc_net's WET body rules in one native loop, so the
// source hands out documents without building a Buffer, a header Map and a line array per record
// in JavaScript.
//
// It reads only what the TypeScript reader (warc.ts) reads the same way without a flag: records
// whose version line is WARC/<d>.<d>, whose Content-Length is present, at most maxRecordBytes and
// consistent (the block is followed by line ends and the next version line, or by the end of the
// file). At the first record that is anything else (and on a gzip error or trailing garbage) it
// stops and reports that record's index; the caller reads the rest of the file with the TypeScript
// reader, which reports it exactly as before. So the fast path can change speed, never output.
//
// Body rules (records.ts wetLines): lines split at \r\n, \r or \n, stripped of Python whitespace,
// empty ones dropped; the first is the title, the rest joined by \n. Bytes are handled before
// UTF-8 decoding: line ends are ASCII and a valid multi-byte sequence always decodes to itself in
// WHATWG UTF-8 (what Buffer#toString uses), so splitting and stripping bytes and then decoding
// gives the same strings as decoding first.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "registry.h"

namespace {

constexpr size_t kInChunk = 1 << 20;
constexpr size_t kOutChunk = 1 << 18;

inline bool IsLineEnd(unsigned char c) { return c == '\n' || c == '\r'; }
inline bool IsJsTrimLatin1(unsigned char c) { return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0; }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// /^WARC\/\d+\.\d+$/ on s[0..n).
bool IsVersion(const char* s, size_t n) {
  if (n < 8 || std::memcmp(s, "WARC/", 5) != 0) return false;
  size_t i = 5;
  size_t a = i;
  while (i < n && IsDigit(s[i])) i++;
  if (i == a || i >= n || s[i] != '.') return false;
  i++;
  size_t b = i;
  while (i < n && IsDigit(s[i])) i++;
  return i > b && i == n;
}

// Python str.isspace() for the character at the start (leading) of s[0..n): its byte length, or 0.
size_t PySpaceAt(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  if (c == 0xC2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xA0)) return 2;
  if (n >= 3) {
    if (c == 0xE1 && s[1] == 0x9A && s[2] == 0x80) return 3;                                                    // U+1680
    if (c == 0xE2 && s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)) return 3;  // U+2000-200A, 2028, 2029, 202F
    if (c == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) return 3;                                                    // U+205F
    if (c == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;                                                    // U+3000
  }
  return 0;
}

// The same for the character that ends s[0..n).
size_t PySpaceBefore(const unsigned char* s, size_t n) {
  unsigned char c = s[n - 1];
  if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  if (n >= 2 && s[n - 2] == 0xC2 && (c == 0x85 || c == 0xA0)) return 2;
  if (n >= 3 && PySpaceAt(s + n - 3, 3) == 3) return 3;
  return 0;
}

class WetReader : public Napi::ObjectWrap<WetReader> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "WetReader",
                       {InstanceMethod("next", &WetReader::Next), InstanceMethod("close", &WetReader::Close), InstanceMethod("rawBytes", &WetReader::RawBytes)});
  }

  // new WetReader(path, gzip, maxRecordBytes)
  explicit WetReader(const Napi::CallbackInfo& info) : Napi::ObjectWrap<WetReader>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBoolean() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "WetReader(path, gzip, maxRecordBytes)").ThrowAsJavaScriptException();
      return;
    }
    path_ = info[0].As<Napi::String>().Utf8Value();
    gzip_ = info[1].As<Napi::Boolean>().Value();
    maxRecord_ = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
    file_ = std::fopen(path_.c_str(), "rb");
    if (!file_) {
      Napi::Error::New(env, "cannot open " + path_).ThrowAsJavaScriptException();
      return;
    }
    if (gzip_) {
      std::memset(&zs_, 0, sizeof zs_);
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) {
        Napi::Error::New(env, "zlib init failed").ThrowAsJavaScriptException();
        return;
      }
      zInit_ = true;
    }
    in_.resize(kInChunk);
  }

  ~WetReader() { Release(); }

 private:
  void Release() {
    if (file_) std::fclose(file_);
    file_ = nullptr;
    if (zInit_) inflateEnd(&zs_);
    zInit_ = false;
  }

  // Reads more input; false at the end of the file.
  bool ReadIn() {
    if (!file_ || fileEof_) return false;
    size_t n = std::fread(in_.data(), 1, in_.size(), file_);
    rawBytes_ += n;
    if (n == 0) {
      fileEof_ = true;
      return false;
    }
    inLen_ = n;
    inPos_ = 0;
    return true;
  }

  // Appends decompressed bytes to buf_; false when nothing more comes (end or error: see bad_).
  bool Fill() {
    if (eof_ || bad_) return false;
    size_t before = len_;
    if (!gzip_) {
      if (inPos_ >= inLen_ && !ReadIn()) {
        eof_ = true;
        return false;
      }
      Reserve(inLen_ - inPos_);
      std::memcpy(&buf_[len_], in_.data() + inPos_, inLen_ - inPos_);
      len_ += inLen_ - inPos_;
      inPos_ = inLen_;
      return true;
    }
    while (len_ == before) {
      if (memberDone_) {
        // Between gzip members: another member, the end of the file, or trailing bytes (handed back).
        if (inPos_ >= inLen_ && !ReadIn()) {
          eof_ = true;
          return false;
        }
        if (inLen_ - inPos_ < 2 && inPos_ < inLen_) {
          // A member header split across reads: keep the byte and read on.
          unsigned char keep = in_[inPos_];
          size_t n = std::fread(in_.data() + 1, 1, in_.size() - 1, file_);
          rawBytes_ += n;
          in_[0] = keep;
          inPos_ = 0;
          inLen_ = 1 + n;
          if (n == 0) fileEof_ = true;
        }
        if (inLen_ - inPos_ < 2 || in_[inPos_] != 0x1F || in_[inPos_ + 1] != 0x8B) {
          bad_ = true;
          return false;
        }
        inflateReset(&zs_);
        memberDone_ = false;
      }
      if (inPos_ >= inLen_ && !ReadIn()) {
        bad_ = true;  // the file ends inside a gzip member
        return false;
      }
      Reserve(kOutChunk);
      zs_.next_in = in_.data() + inPos_;
      zs_.avail_in = static_cast<uInt>(inLen_ - inPos_);
      zs_.next_out = reinterpret_cast<Bytef*>(&buf_[len_]);
      zs_.avail_out = static_cast<uInt>(kOutChunk);
      int rc = inflate(&zs_, Z_NO_FLUSH);
      size_t produced = kOutChunk - zs_.avail_out;
      inPos_ = inLen_ - zs_.avail_in;
      len_ += produced;
      if (rc == Z_STREAM_END) {
        memberDone_ = true;
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && produced > 0)) {
        bad_ = true;
        return false;
      }
    }
    return true;
  }

  // Room for n more bytes after len_ (the buffer grows, never shrinks or zero-fills per call).
  void Reserve(size_t n) {
    if (buf_.size() < len_ + n) buf_.resize(std::max(buf_.size() * 2, len_ + n));
  }

  // Ensures buf_ holds n bytes from pos_ (false when the stream ends first).
  bool Have(size_t n) {
    while (len_ - pos_ < n)
      if (!Fill()) return false;
    return true;
  }

  // Header lines as warc.ts parseHeaderBlock reads them, for the two values the fast path needs.
  // The headers the fast path reads: the record type, the length, and those a WET document's meta
  // takes (records.ts baseMeta/wetDocumentFrom).
  static constexpr int kHeaders = 7;
  enum { kType, kLength, kUri, kDate, kRecordId, kDigest, kLanguages };
  struct Head {
    bool ok = false;
    bool has[kHeaders] = {};
    std::string value[kHeaders];
  };

  static int HeaderIndex(const std::string& name) {
    static const char* const kNames[kHeaders] = {"warc-type",      "content-length",    "warc-target-uri",
                                                 "warc-date",      "warc-record-id",    "warc-block-digest",
                                                 "warc-identified-content-language"};
    for (int i = 0; i < kHeaders; i++)
      if (name == kNames[i]) return i;
    return -1;
  }

  static void TrimJs(const char*& a, const char*& b) {
    while (a < b && IsJsTrimLatin1(*a)) a++;
    while (b > a && IsJsTrimLatin1(b[-1])) b--;
  }

  static Head ParseHead(const char* s, size_t n) {
    Head h;
    const char* end = s + n;
    const char* line = s;
    std::string* last = nullptr;
    std::string other;  // the value of any other header (only its continuation lines matter)
    bool first = true;
    while (line <= end) {
      const char* nl = static_cast<const char*>(std::memchr(line, '\n', end - line));
      const char* le = nl ? nl : end;
      const char* a = line;
      const char* b = le;
      if (nl && b > a && b[-1] == '\r') b--;
      if (first) {
        const char* x = a;
        const char* y = b;
        TrimJs(x, y);
        h.ok = IsVersion(x, y - x);
        first = false;
      } else if (b > a) {
        if ((*a == ' ' || *a == '\t') && last) {
          const char* x = a;
          const char* y = b;
          TrimJs(x, y);
          *last += ' ';
          last->append(x, y - x);
        } else {
          const char* colon = static_cast<const char*>(std::memchr(a, ':', b - a));
          if (colon && colon > a) {
            const char* na = a;
            const char* nb = colon;
            TrimJs(na, nb);
            std::string name(na, nb - na);
            for (char& c : name)
              if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
            const char* va = colon + 1;
            const char* vb = b;
            TrimJs(va, vb);
            int k = HeaderIndex(name);
            std::string* slot = k < 0 ? nullptr : &h.value[k];
            bool* has = k < 0 ? nullptr : &h.has[k];
            if (slot) {
              if (*has) *slot += ", ";
              slot->append(va, vb - va);
              *has = true;
            }
            // warc.ts remembers the header's name; an empty name is falsy there and takes no continuation.
            other.clear();
            last = name.empty() ? nullptr : slot ? slot : &other;
          }
        }
      }
      if (!nl) break;
      line = nl + 1;
    }
    return h;
  }

  // The WET body rules on body bytes: title and text (UTF-8).
  static void WetBody(const unsigned char* s, size_t n, std::string& title, std::string& text) {
    title.clear();
    text.clear();
    int kept = 0;
    size_t i = 0;
    for (;;) {
      size_t j = i;
      while (j < n && !IsLineEnd(s[j])) j++;
      size_t a = i, b = j, k;
      while (a < b && (k = PySpaceAt(s + a, b - a)) > 0) a += k;
      while (b > a && (k = PySpaceBefore(s + a, b - a)) > 0) b -= k;
      if (b > a) {
        if (kept == 0) {
          title.assign(reinterpret_cast<const char*>(s) + a, b - a);
        } else {
          if (kept > 1) text.push_back('\n');
          text.append(reinterpret_cast<const char*>(s) + a, b - a);
        }
        kept++;
      }
      if (j >= n) break;
      i = j + (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n' ? 2 : 1);
    }
  }

  // next(maxRecords) -> an array of records, null at the end of the file, or a number: the index
  // of the first record the fast path does not read (the caller goes on with the TypeScript reader).
  // A record is [index, offset, [WARC-Target-URI, WARC-Date, WARC-Record-ID, WARC-Block-Digest,
  // WARC-Identified-Content-Language] (latin1 strings as parseHeaderBlock gives them; holes where
  // absent), title, text] for a conversion record and [index, offset, header block, body Buffer]
  // for any other.
  Napi::Value Next(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t maxRecords = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : 256;
    auto out = Napi::Array::New(env);
    uint32_t count = 0;
    std::string title, text;
    auto handBack = [&]() -> Napi::Value {
      if (count > 0) {
        stopAfter_ = true;
        return out;
      }
      return Napi::Number::New(env, static_cast<double>(index_));
    };
    if (stopAfter_) return Napi::Number::New(env, static_cast<double>(index_));
    while (count < maxRecords) {
      // Drop what was consumed (only here: indexes into buf_ stay valid while a record is read).
      if (pos_ > 0 && pos_ >= len_ / 2) {
        std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
        len_ -= pos_;
        base_ += pos_;
        pos_ = 0;
      }
      // Line ends between records.
      for (;;) {
        while (pos_ < len_ && IsLineEnd(buf_[pos_])) pos_++;
        if (pos_ < len_ || !Fill()) break;
      }
      if (pos_ >= len_) {
        if (bad_) return handBack();
        if (count > 0) return out;
        return env.Null();
      }
      // The header block ends at the first blank line (LF LF or LF CR LF).
      size_t searched = pos_, headerEnd = 0, bodyStart = 0;
      bool found = false;
      for (;;) {
        const char* b = buf_.data();
        size_t i = searched;
        while (i < len_) {
          const void* p = std::memchr(b + i, '\n', len_ - i);
          if (!p) {
            i = len_;
            break;
          }
          i = static_cast<const char*>(p) - b;
          if (i + 2 >= len_) break;  // need the next two bytes
          if (b[i + 1] == '\n') {
            headerEnd = i;
            bodyStart = i + 2;
            found = true;
            break;
          }
          if (b[i + 1] == '\r' && b[i + 2] == '\n') {
            headerEnd = i;
            bodyStart = i + 3;
            found = true;
            break;
          }
          i++;
        }
        if (found) break;
        searched = i > pos_ + 2 ? i - 2 : pos_;
        if (len_ - pos_ > maxRecord_ || !Fill()) return handBack();
      }
      Head head = ParseHead(buf_.data() + pos_, headerEnd - pos_);
      const std::string& length = head.value[kLength];
      if (!head.ok || !head.has[kLength] || length.empty()) return handBack();
      for (char c : length)
        if (!IsDigit(c)) return handBack();
      if (length.size() > 15) return handBack();
      size_t declared = std::stoull(length);
      if (declared > maxRecord_) return handBack();
      size_t relBody = bodyStart - pos_;
      size_t relEnd = relBody + declared;
      Have(relEnd + 16);
      if (len_ - pos_ < relEnd) return handBack();  // truncated
      // Consistent end: line ends, then a version line or the end of the stream.
      size_t j = pos_ + relEnd;
      for (;;) {
        while (j < len_ && IsLineEnd(buf_[j])) j++;
        if (j < len_ || !Fill()) break;
      }
      if (j >= len_) {
        if (bad_) return handBack();
      } else {
        if (j == pos_ + relEnd) return handBack();
        Have(j - pos_ + 64);
        const char* v = buf_.data() + j;
        size_t avail = std::min<size_t>(len_ - j, 64);
        const char* nl = static_cast<const char*>(std::memchr(v, '\n', avail));
        if (!nl) return handBack();
        size_t len = nl - v;
        if (len > 0 && v[len - 1] == '\r') len--;
        if (!IsVersion(v, len)) return handBack();
      }
      // A record the fast path reads.
      std::string lowered = head.value[kType];
      for (char& c : lowered)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      auto rec = Napi::Array::New(env);
      rec.Set(0u, Napi::Number::New(env, static_cast<double>(index_)));
      rec.Set(1u, Napi::Number::New(env, static_cast<double>(base_ + pos_)));
      const auto* body = reinterpret_cast<const unsigned char*>(buf_.data() + pos_ + relBody);
      if (lowered == "conversion") {
        // [index, offset, meta headers (latin1, as parseHeaderBlock gives them, or undefined), title, text]
        auto values = Napi::Array::New(env, kHeaders - 2);
        for (int k = kUri; k < kHeaders; k++) {
          if (!head.has[k]) continue;
          napi_value v;
          napi_create_string_latin1(env, head.value[k].data(), head.value[k].size(), &v);
          values.Set(static_cast<uint32_t>(k - kUri), Napi::Value(env, v));
        }
        rec.Set(2u, values);
        WetBody(body, declared, title, text);
        rec.Set(3u, Napi::String::New(env, title));
        rec.Set(4u, Napi::String::New(env, text));
      } else {
        // [index, offset, header block (latin1), body]
        napi_value h;
        napi_create_string_latin1(env, buf_.data() + pos_, headerEnd - pos_, &h);
        rec.Set(2u, Napi::Value(env, h));
        rec.Set(3u, Napi::Buffer<char>::Copy(env, reinterpret_cast<const char*>(body), declared));
      }
      out.Set(count++, rec);
      index_++;
      pos_ += relEnd;
    }
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  // Compressed (file) bytes read so far, for the source's progress.
  Napi::Value RawBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(rawBytes_)); }

  std::string path_;
  bool gzip_ = false;
  size_t maxRecord_ = 64u << 20;
  FILE* file_ = nullptr;
  z_stream zs_;
  bool zInit_ = false, memberDone_ = false, fileEof_ = false, eof_ = false, bad_ = false, stopAfter_ = false;
  std::vector<unsigned char> in_;
  size_t inLen_ = 0, inPos_ = 0, rawBytes_ = 0;
  std::vector<char> buf_;
  size_t len_ = 0, pos_ = 0, base_ = 0, index_ = 0;
};

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) { exports.Set("WetReader", WetReader::Define(env)); });

}  // namespace

// `corpusmill lm train` at native speed: n-gram counting and interpolated modified Kneser-Ney
// estimation, written as ARPA byte for byte as the TypeScript trainer (src/models/ngram/kneser-ney.ts
// + arpa.ts writeArpa) writes it. src/models/ngram/native-train.ts drives it.
//
// Why the bytes match: every double comes from the same operations in the same order. Sums are
// taken in the TypeScript Maps' insertion orders (first occurrence), which the id order of the
// tables here reproduces; log10 and 10^x are not computed here at all but by JavaScript's own
// Math.log10 and `**` on arrays this class hands out (setLogs/setBackoffs), so no libm difference can
// creep in; n-grams are sorted in JavaScript's default string order (UTF-16 code units of the words
// joined by spaces; words hold no character <= U+0020, so comparing word by word is the same); and
// numbers are printed as `Number(x.toPrecision(7)).toString()` prints them (ties away from zero).
//
// Memory: an n-gram of order n >= 2 is (id of its (n-1)-word prefix, last word): 8 bytes of key, a
// 4-byte count and a 4-byte slot in an open-addressing table (load <= 0.7) while counting; the
// estimation adds ~36 bytes (suffix id, adjusted count, probability, 10^p, back-off, sort key).
// About 60 bytes per distinct n-gram of any order at the peak, plus the words once.
#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ccnet_text.h"
#include "registry.h"

namespace {

constexpr uint32_t kEmpty = 0xFFFFFFFFu;

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t HashBytes(const char* s, size_t n) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 0x100000001B3ULL;
  }
  return Mix(h);
}

// Words, interned in first-occurrence order.
class Vocab {
 public:
  Vocab() : table_(1024, kEmpty) {}

  uint32_t Intern(const char* s, size_t n) {
    if ((offsets_.size() + 1) * 10 > table_.size() * 7) Grow();
    size_t mask = table_.size() - 1;
    uint64_t h = HashBytes(s, n);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint32_t id = table_[i];
      if (id == kEmpty) {
        id = static_cast<uint32_t>(offsets_.size());
        offsets_.push_back(arena_.size());
        lengths_.push_back(static_cast<uint32_t>(n));
        hashes_.push_back(h);
        arena_.append(s, n);
        table_[i] = id;
        return id;
      }
      if (hashes_[id] == h && lengths_[id] == n && std::memcmp(arena_.data() + offsets_[id], s, n) == 0) return id;
    }
  }

  // The id of a word, or kEmpty.
  uint32_t Find(const std::string& w) const {
    size_t mask = table_.size() - 1;
    uint64_t h = HashBytes(w.data(), w.size());
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint32_t id = table_[i];
      if (id == kEmpty) return kEmpty;
      if (hashes_[id] == h && lengths_[id] == w.size() && std::memcmp(arena_.data() + offsets_[id], w.data(), w.size()) == 0) return id;
    }
  }

  size_t size() const { return offsets_.size(); }
  const char* data(uint32_t id) const { return arena_.data() + offsets_[id]; }
  uint32_t length(uint32_t id) const { return lengths_[id]; }

 private:
  void Grow() {
    std::vector<uint32_t> t(table_.size() * 2, kEmpty);
    size_t mask = t.size() - 1;
    for (uint32_t id = 0; id < offsets_.size(); id++) {
      size_t i = hashes_[id] & mask;
      while (t[i] != kEmpty) i = (i + 1) & mask;
      t[i] = id;
    }
    table_.swap(t);
  }

  std::vector<uint32_t> table_;
  std::vector<size_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::vector<uint64_t> hashes_;
  std::string arena_;
};

// The n-grams of one order >= 2: key = (prefix id << 32) | last word id, ids in first-occurrence
// order. While counting, a slot holds key, id and count together (one cache line touched per
// n-gram); Seal() lays keys and counts out by id for the estimation.
class Grams {
 public:
  Grams() : table_(1024, Slot{0, kEmpty, 0}) {}

  static uint64_t Key(uint32_t prefix, uint32_t word) { return (static_cast<uint64_t>(prefix) << 32) | word; }

  // Room for `extra` more n-grams without growing (so prefetched slots stay valid).
  void Reserve(size_t extra) {
    while ((size_ + extra) * 10 > table_.size() * 7) Grow();
  }

  void Prefetch(uint64_t key) const { __builtin_prefetch(&table_[Mix(key) & (table_.size() - 1)], 1); }

  // Counts one occurrence; Reserve() first.
  uint32_t Add(uint64_t key) {
    size_t mask = table_.size() - 1;
    for (size_t i = Mix(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = table_[i];
      if (slot.id == kEmpty) {
        slot = Slot{key, static_cast<uint32_t>(size_++), 1};
        return slot.id;
      }
      if (slot.key == key) {
        if (slot.count == 0xFFFFFFFFu) throw std::overflow_error("an n-gram occurs more than 2^32 - 1 times");
        slot.count++;
        return slot.id;
      }
    }
  }

  uint32_t Find(uint32_t prefix, uint32_t word) const {
    uint64_t key = Key(prefix, word);
    size_t mask = table_.size() - 1;
    for (size_t i = Mix(key) & mask;; i = (i + 1) & mask) {
      const Slot& slot = table_[i];
      if (slot.id == kEmpty || slot.key == key) return slot.id;
    }
  }

  void Seal() {
    keys_.resize(size_);
    counts_.resize(size_);
    for (const Slot& slot : table_)
      if (slot.id != kEmpty) {
        keys_[slot.id] = slot.key;
        counts_[slot.id] = slot.count;
      }
  }

  void FreeTable() { std::vector<Slot>().swap(table_); }
  size_t size() const { return size_; }
  uint32_t prefix(uint32_t id) const { return static_cast<uint32_t>(keys_[id] >> 32); }
  uint32_t word(uint32_t id) const { return static_cast<uint32_t>(keys_[id]); }
  uint32_t count(uint32_t id) const { return counts_[id]; }
  const uint64_t* keys() const { return keys_.data(); }
  size_t tableBytes() const { return table_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key;
    uint32_t id;
    uint32_t count;
  };

  void Grow() {
    std::vector<Slot> t(table_.size() * 2, Slot{0, kEmpty, 0});
    size_t mask = t.size() - 1;
    for (const Slot& slot : table_) {
      if (slot.id == kEmpty) continue;
      size_t i = Mix(slot.key) & mask;
      while (t[i].id != kEmpty) i = (i + 1) & mask;
      t[i] = slot;
    }
    table_.swap(t);
  }

  std::vector<Slot> table_;
  size_t size_ = 0;
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> counts_;
};

// JavaScript's String.prototype sort order (UTF-16 code units) on two UTF-8 strings: byte order
// except that U+E000..U+FFFF (lead bytes EE, EF) sort after the supplementary planes (F0..F4).
inline int CompareUtf16(const char* a, size_t na, const char* b, size_t nb) {
  size_t n = std::min(na, nb);
  for (size_t i = 0; i < n; i++) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    unsigned xx = (x == 0xEE || x == 0xEF) ? x + 0x10u : x;
    unsigned yy = (y == 0xEE || y == 0xEF) ? y + 0x10u : y;
    return xx < yy ? -1 : 1;
  }
  return na < nb ? -1 : na > nb ? 1 : 0;
}

// The 7 significant digits of |x| (correctly rounded, ties away from zero as toPrecision does)
// and the decimal exponent of the first one, the slow way: printf's exact digits.
void Digits7Exact(double ax, char* digits, int& exp) {
  // to_chars with a precision rounds like printf: correctly, ties to even.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, ax, std::chars_format::scientific, 6);
  *r.ptr = '\0';
  digits[0] = buf[0];
  std::memcpy(digits + 1, buf + 2, 6);
  exp = std::atoi(buf + 9);
  // A tie needs ax to be exactly the 8-digit decimal ending in 5: the exact expansion decides.
  static thread_local std::string exact;
  exact.assign(800, '\0');
  std::snprintf(&exact[0], exact.size(), "%.780e", ax);
  const char* q = exact.c_str();
  bool tie = q[8] == '5';
  for (const char* t = q + 9; tie && *t && *t != 'e'; t++)
    if (*t != '0') tie = false;
  if (!tie) return;
  digits[0] = q[0];
  std::memcpy(digits + 1, q + 2, 6);
  exp = std::atoi(std::strchr(q, 'e') + 1);
  int i = 6;
  while (i >= 0 && digits[i] == '9') digits[i--] = '0';
  if (i < 0) {
    digits[0] = '1';
    exp++;
  } else {
    digits[i]++;
  }
}

// The same, fast: y = |x| * 10^k with 10^k exact (k <= 22) carries one rounding error (<= 2^-53
// relative, ~1e-9 absolute at y < 1e7), so unless y is within 1e-7 of a half the rounding of y is
// the rounding of the exact value. Anything else goes to the exact path.
void Digits7(double ax, char* digits, int& exp) {
  static const double kPow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (!(ax >= 1e-15 && ax < 1e6)) return Digits7Exact(ax, digits, exp);
  // The decimal exponent from the binary one (floor((e2 - 1) log10 2), within one of the truth;
  // the loop below corrects it).
  int e2 = 0;
  std::frexp(ax, &e2);
  int e = ((e2 - 1) * 78913) >> 18;
  for (int tries = 0; tries < 3; tries++) {
    int k = 6 - e;
    if (k < 0 || k > 22) break;
    double y = ax * kPow10[k];
    if (y < 1e6) {
      e--;
      continue;
    }
    if (y >= 1e7) {
      e++;
      continue;
    }
    double fl = std::floor(y);
    double f = y - fl;
    if (std::fabs(f - 0.5) < 1e-7) break;
    auto n = static_cast<uint32_t>(fl) + (f > 0.5 ? 1 : 0);
    if (n == 10000000) {
      n = 1000000;
      e++;
    }
    for (int i = 6; i >= 0; i--) {
      digits[i] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
    exp = e;
    return;
  }
  Digits7Exact(ax, digits, exp);
}

// Number(x.toPrecision(7)).toString(), and '0' for zero, as src/models/ngram/arpa.ts fmt().
void FormatJs7(double x, std::string& out) {
  if (x == 0) {
    out.push_back('0');
    return;
  }
  bool neg = x < 0;
  char digits[8];
  int exp = 0;
  Digits7(std::fabs(x), digits, exp);
  int k = 7;
  while (k > 1 && digits[k - 1] == '0') k--;
  int n = exp + 1;
  if (neg) out.push_back('-');
  if (k <= n && n <= 21) {
    out.append(digits, k);
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, n);
    out.push_back('.');
    out.append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, k);
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, k - 1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out.append(std::to_string(std::abs(n - 1)));
  }
}

class NgramTrainer : public Napi::ObjectWrap<NgramTrainer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NgramTrainer",
                       {InstanceMethod("addText", &NgramTrainer::AddText), InstanceMethod("addIds", &NgramTrainer::AddIds),
                        InstanceMethod("addDocument", &NgramTrainer::AddDocument),
                        InstanceMethod("prepare", &NgramTrainer::Prepare), InstanceMethod("interpolate", &NgramTrainer::Interpolate),
                        InstanceMethod("setLogs", &NgramTrainer::SetLogs), InstanceMethod("gammas", &NgramTrainer::Gammas),
                        InstanceMethod("setBackoffs", &NgramTrainer::SetBackoffs), InstanceMethod("write", &NgramTrainer::Write),
                        InstanceMethod("memoryBytes", &NgramTrainer::MemoryBytes)});
  }

  // new NgramTrainer(order, bos, eos, unk)
  explicit NgramTrainer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NgramTrainer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsNumber()) {
      Napi::TypeError::New(env, "NgramTrainer(order, bos, eos, unk)").ThrowAsJavaScriptException();
      return;
    }
    order_ = info[0].As<Napi::Number>().Int32Value();
    if (order_ < 1 || order_ > 10) {
      Napi::RangeError::New(env, "order must be 1..10").ThrowAsJavaScriptException();
      return;
    }
    bos_ = info[1].As<Napi::String>().Utf8Value();
    eos_ = info[2].As<Napi::String>().Utf8Value();
    unk_ = info[3].As<Napi::String>().Utf8Value();
    grams_.resize(order_ + 1);
  }

 private:
  // One sentence from its words (already interned).
  void Count() {
    size_t len = words_.size();
    for (uint32_t w : words_) {
      if (w >= unigramCounts_.size()) unigramCounts_.resize(w + 1, 0);
      unigramCounts_[w]++;
    }
    cur_.assign(words_.begin(), words_.end());
    for (int n = 2; n <= order_ && static_cast<size_t>(n) <= len; n++) {
      size_t cnt = len - n + 1;
      Grams& g = grams_[n];
      g.Reserve(cnt);
      keyBuf_.resize(cnt);
      for (size_t i = 0; i < cnt; i++) {
        keyBuf_[i] = Grams::Key(cur_[i], words_[i + n - 1]);
        g.Prefetch(keyBuf_[i]);
      }
      for (size_t i = 0; i < cnt; i++) cur_[i] = g.Add(keyBuf_[i]);
    }
  }

  void BeginSentence() {
    words_.clear();
    words_.push_back(vocab_.Intern(bos_.data(), bos_.size()));
  }

  void EndSentence() {
    words_.push_back(vocab_.Intern(eos_.data(), eos_.size()));
    try {
      Count();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    sentences_++;
  }

  // A counting error (an overflow) is raised in JavaScript at the end of the call that met it.
  Napi::Value Raise(Napi::Env env, Napi::Value ok) {
    if (error_.empty()) return ok;
    Napi::RangeError::New(env, error_).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // addText(text): every '\n'-separated line is one sentence (already normalised, may have no
  // token); tokens are the runs between JavaScript `\s` characters. Returns the tokens added.
  Napi::Value AddText(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (prepared_ || info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "addText(text) before prepare()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string text = info[0].As<Napi::String>().Utf8Value();
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    size_t n = text.size(), start = 0;
    double before = tokens_;
    while (start <= n) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = n;
      AddTokens(s, start, end);
      start = end + 1;
    }
    return Raise(env, Napi::Number::New(env, tokens_ - before));
  }

  // Counts one sentence of whitespace tokens (JavaScript `\s`) from s[a..b).
  void AddTokens(const unsigned char* s, size_t a, size_t b) {
    BeginSentence();
    size_t i = a, len = 0;
    while (i < b) {
      while (i < b && ccnet::IsJsSpace(s, b, i, len)) i += len;
      size_t w = i;
      while (i < b && !ccnet::IsJsSpace(s, b, i, len)) i += len;
      if (i > w) {
        words_.push_back(vocab_.Intern(reinterpret_cast<const char*>(s) + w, i - w));
        tokens_++;
      }
    }
    EndSentence();
  }

  // addDocument(text, fromLine) -> -1, or the index of a line the native normaliser cannot do.
  // Each '\n'-separated line from fromLine on is normalised (cc_net normalize) and, when not empty,
  // counted as a sentence of whitespace tokens. At a line that needs the TypeScript normaliser the
  // call stops before it and returns its index: the caller normalises it, adds it with addText and
  // continues from the next line, so sentences keep their order.
  Napi::Value AddDocument(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (prepared_ || info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
      Napi::TypeError::New(env, "addDocument(text, fromLine) before prepare()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string text = info[0].As<Napi::String>().Utf8Value();
    int32_t from = info[1].As<Napi::Number>().Int32Value();
    size_t start = 0;
    int32_t line = 0;
    for (; line < from; line++) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) return Napi::Number::New(env, -1);
      start = nl + 1;
    }
    for (;; line++) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      norm_.clear();
      if (!ccnet::Normalize(text.data() + start, end - start, ccnet::NormMode::kNormalize, norm_)) return Raise(env, Napi::Number::New(env, line));
      if (!norm_.empty()) AddTokens(reinterpret_cast<const unsigned char*>(norm_.data()), 0, norm_.size());
      if (end == text.size()) break;
      start = end + 1;
    }
    return Raise(env, Napi::Number::New(env, -1));
  }

  // addIds(ids: Int32Array, lengths: Int32Array): sentences of token ids; a word is the id in decimal.
  Napi::Value AddIds(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (prepared_ || info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
      Napi::TypeError::New(env, "addIds(ids, lengths) before prepare()").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto ids = info[0].As<Napi::Int32Array>();
    auto lens = info[1].As<Napi::Int32Array>();
    size_t at = 0;
    char buf[16];
    for (size_t k = 0; k < lens.ElementLength(); k++) {
      BeginSentence();
      for (int32_t j = 0; j < lens[k] && at < ids.ElementLength(); j++, at++) {
        int m = std::snprintf(buf, sizeof buf, "%d", ids[at]);
        words_.push_back(vocab_.Intern(buf, m));
        tokens_++;
      }
      EndSentence();
    }
    return Raise(env, env.Undefined());
  }

  size_t Size(int n) const { return n == 1 ? vocab_.size() : grams_[n].size(); }
  uint32_t Prefix(int n, uint32_t id) const { return grams_[n].prefix(id); }
  uint32_t LastWord(int n, uint32_t id) const { return n == 1 ? id : grams_[n].word(id); }
  uint32_t RawCount(int n, uint32_t id) const { return n == 1 ? (id < unigramCounts_.size() ? unigramCounts_[id] : 0) : grams_[n].count(id); }

  double Disc(int n, uint32_t c) const { return c == 1 ? d_[n][0] : c == 2 ? d_[n][1] : d_[n][2]; }

  // prepare() -> { ngrams: number[], discounts: [{d, fallback}] }: adjusted counts, discounts,
  // interpolation weights. Adds <unk> and </s> to the vocabulary as the TypeScript trainer does.
  Napi::Value Prepare(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (prepared_) {
      Napi::Error::New(env, "prepare() twice").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    prepared_ = true;
    const int N = order_;
    bosId_ = vocab_.Find(bos_);  // kEmpty when no sentence was added
    size_t seen = vocab_.size();
    unigramCounts_.resize(seen, 0);
    startsBos_.assign(N + 1, {});
    suffix_.assign(N + 1, {});
    adjusted_.assign(N + 1, {});
    aOrder_.assign(N + 1, {});
    for (int n = 2; n <= N; n++) grams_[n].Seal();
    // Which n-grams start with <s>, and each n-gram's suffix (its last n-1 words) in order n-1.
    startsBos_[1].resize(seen);
    for (uint32_t id = 0; id < seen; id++) startsBos_[1][id] = id == bosId_;
    for (int n = 2; n <= N; n++) {
      size_t m = Size(n);
      startsBos_[n].resize(m);
      suffix_[n].resize(m);
      for (uint32_t id = 0; id < m; id++) {
        uint32_t p = Prefix(n, id);
        startsBos_[n][id] = startsBos_[n - 1][p];
        suffix_[n][id] = n == 2 ? LastWord(n, id) : grams_[n - 1].Find(suffix_[n - 1][p], LastWord(n, id));
      }
    }
    for (int n = 2; n <= N; n++) grams_[n].FreeTable();
    // Adjusted counts, in the insertion order of the TypeScript Map (kneser-ney.ts adjustedCounts).
    for (int n = 1; n <= N; n++) {
      size_t m = Size(n);
      auto& a = adjusted_[n];
      auto& order = aOrder_[n];
      a.assign(m, 0);
      if (n == N) {
        for (uint32_t id = 0; id < m; id++) {
          a[id] = RawCount(n, id);
          order.push_back(id);
        }
        continue;
      }
      for (uint32_t id = 0; id < m; id++)
        if (startsBos_[n][id]) {
          a[id] = RawCount(n, id);
          order.push_back(id);
        }
      for (uint32_t longer = 0; longer < Size(n + 1); longer++) {
        uint32_t g = suffix_[n + 1][longer];
        if (startsBos_[n][g]) continue;
        if (a[g]++ == 0) order.push_back(g);
      }
    }
    // Discounts from counts-of-counts (knDiscounts; unigram <s> skipped).
    d_.assign(N + 1, {0, 0, 0});
    fallback_.assign(N + 1, false);
    for (int n = 1; n <= N; n++) {
      double t[4] = {0, 0, 0, 0};
      for (uint32_t id : aOrder_[n]) {
        if (n == 1 && id == bosId_) continue;
        uint32_t c = adjusted_[n][id];
        if (c >= 1 && c <= 4) t[c - 1]++;
      }
      bool ok = false;
      if (t[0] > 0 && t[1] > 0 && t[2] > 0 && t[3] > 0) {
        double y = t[0] / (t[0] + 2 * t[1]);
        double d1 = 1 - (2 * y * t[1]) / t[0], d2 = 2 - (3 * y * t[2]) / t[1], d3 = 3 - (4 * y * t[3]) / t[2];
        if (d1 > 0 && d1 < 2 && d2 > 0 && d2 < 3 && d3 > 0 && d3 < 4) {
          d_[n] = {d1, d2, d3};
          ok = true;
        }
      }
      if (!ok) {
        d_[n] = {0.5, 1.0, 1.5};
        fallback_[n] = true;
      }
    }
    // Denominators and interpolation weights per context: order n's contexts are (n-1)-grams.
    gamma_.assign(N + 1, {});
    for (int n = 1; n <= N; n++) {
      size_t contexts = n == 1 ? 1 : Size(n - 1);
      std::vector<double> denom(contexts, 0.0), mass(contexts, 0.0);
      std::vector<uint8_t> has(contexts, 0);
      for (uint32_t id : aOrder_[n]) {
        if (n == 1 && id == bosId_) continue;
        uint32_t h = n == 1 ? 0 : Prefix(n, id);
        uint32_t c = adjusted_[n][id];
        denom[h] += c;
        mass[h] += Disc(n, c);
        has[h] = 1;
      }
      auto& g = gamma_[n];
      g.assign(contexts, std::nan(""));
      for (size_t h = 0; h < contexts; h++)
        if (has[h]) g[h] = mass[h] / denom[h];
      if (n == 1) unigramDenom_ = has[0] ? denom[0] : 0;
      else denom_.push_back(std::move(denom));
    }
    // The vocabulary of the unigram table: every word but <s>, plus <unk> and </s>; <s> is listed
    // with log10 p = -99 even when no sentence was read.
    bosId_ = vocab_.Intern(bos_.data(), bos_.size());
    unkId_ = vocab_.Intern(unk_.data(), unk_.size());
    eosId_ = vocab_.Intern(eos_.data(), eos_.size());
    unigramCounts_.resize(vocab_.size(), 0);
    adjusted_[1].resize(vocab_.size(), 0);
    startsBos_[1].resize(vocab_.size(), 0);
    logs_.assign(N + 1, {});
    pows_.assign(N + 1, {});
    backoffs_.assign(N + 1, {});

    auto ngrams = Napi::Array::New(env, N);
    auto discounts = Napi::Array::New(env, N);
    for (int n = 1; n <= N; n++) {
      ngrams.Set(n - 1, Napi::Number::New(env, static_cast<double>(Size(n))));
      auto d = Napi::Object::New(env);
      auto arr = Napi::Array::New(env, 3);
      for (uint32_t k = 0; k < 3; k++) arr.Set(k, Napi::Number::New(env, d_[n][k]));
      d.Set("d", arr);
      d.Set("fallback", Napi::Boolean::New(env, fallback_[n]));
      discounts.Set(n - 1, d);
    }
    auto out = Napi::Object::New(env);
    out.Set("ngrams", ngrams);
    out.Set("discounts", discounts);
    out.Set("bos", Napi::Number::New(env, static_cast<double>(bosId_)));
    out.Set("sentences", Napi::Number::New(env, sentences_));
    out.Set("tokens", Napi::Number::New(env, tokens_));
    return out;
  }

  // interpolate(n) -> Float64Array: P(g) of every n-gram of order n, in id order (estimateKneserNey).
  // Needs the 10^p of order n-1 (setLogs) for n >= 2.
  Napi::Value Interpolate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int n = info[0].As<Napi::Number>().Int32Value();
    if (!prepared_ || n < 1 || n > order_ || (n > 1 && pows_[n - 1].size() != Size(n - 1))) {
      Napi::Error::New(env, "interpolate(n): prepare() and setLogs(n - 1) first").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    size_t m = Size(n);
    auto out = Napi::Float64Array::New(env, m);
    double* p = out.Data();
    if (n == 1) {
      size_t vocabSize = m - 1;
      double uniform = 1.0 / static_cast<double>(vocabSize);
      double s = unigramDenom_;
      double g0 = std::isnan(gamma_[1][0]) ? 1.0 : gamma_[1][0];
      for (uint32_t w = 0; w < m; w++) {
        uint32_t c = adjusted_[1][w];
        p[w] = (c > 0 ? (c - Disc(1, c)) / s : 0) + g0 * uniform;
      }
      return out;
    }
    const auto& lowerPow = pows_[n - 1];
    const auto& denom = denom_[n - 2];
    const auto& gamma = gamma_[n];
    for (uint32_t id = 0; id < m; id++) {
      uint32_t c = adjusted_[n][id];
      uint32_t h = Prefix(n, id);
      p[id] = (c - Disc(n, c)) / denom[h] + gamma[h] * lowerPow[suffix_[n][id]];
    }
    return out;
  }

  // setLogs(n, logs: Float64Array, pows: Float64Array): log10 P of order n (JavaScript's Math.log10)
  // and 10 ** log (JavaScript's), which order n + 1 interpolates with.
  Napi::Value SetLogs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int n = info[0].As<Napi::Number>().Int32Value();
    auto logs = info[1].As<Napi::Float64Array>();
    auto pows = info[2].As<Napi::Float64Array>();
    if (n < 1 || n > order_ || logs.ElementLength() != Size(n) || (pows.ElementLength() != 0 && pows.ElementLength() != Size(n))) {
      Napi::RangeError::New(env, "setLogs: wrong order or length").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    logs_[n].assign(logs.Data(), logs.Data() + logs.ElementLength());
    pows_[n].assign(pows.Data(), pows.Data() + pows.ElementLength());
    if (n > 1) std::vector<double>().swap(pows_[n - 1]);
    return env.Undefined();
  }

  // gammas(n) -> Float64Array: the interpolation weight of each (n-1)-gram as a context of order n
  // (NaN where it is none), for n = 2..order.
  Napi::Value Gammas(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int n = info[0].As<Napi::Number>().Int32Value();
    if (!prepared_ || n < 2 || n > order_) {
      Napi::RangeError::New(env, "gammas(n): n from 2 to the order").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const auto& g = gamma_[n];
    auto out = Napi::Float64Array::New(env, Size(n - 1));
    for (size_t i = 0; i < out.ElementLength(); i++) out[i] = i < g.size() ? g[i] : std::nan("");
    return out;
  }

  // setBackoffs(n, Float64Array): log10 back-off of each n-gram (NaN: none).
  Napi::Value SetBackoffs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int n = info[0].As<Napi::Number>().Int32Value();
    auto b = info[1].As<Napi::Float64Array>();
    if (n < 1 || n >= order_ || b.ElementLength() != Size(n)) {
      Napi::RangeError::New(env, "setBackoffs: wrong order or length").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    backoffs_[n].assign(b.Data(), b.Data() + b.ElementLength());
    return env.Undefined();
  }

  // write(path, header): the ARPA file (header = the '# key: value' lines and their blank line).
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    std::string header = info[1].As<Napi::String>().Utf8Value();
    const int N = order_;
    for (int n = 1; n <= N; n++)
      if (logs_[n].size() != Size(n)) {
        Napi::Error::New(env, "write: setLogs for every order first").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    // Word ranks in JavaScript string order.
    size_t V = vocab_.size();
    std::vector<uint32_t> byWord(V);
    for (uint32_t i = 0; i < V; i++) byWord[i] = i;
    std::sort(byWord.begin(), byWord.end(), [&](uint32_t x, uint32_t y) {
      return CompareUtf16(vocab_.data(x), vocab_.length(x), vocab_.data(y), vocab_.length(y)) < 0;
    });
    std::vector<uint32_t> rank(V);
    for (uint32_t r = 0; r < V; r++) rank[byWord[r]] = r;

    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
      Napi::Error::New(env, "cannot write " + path).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string out = header;
    out += "\\data\\\n";
    for (int n = 1; n <= N; n++) out += "ngram " + std::to_string(n) + "=" + std::to_string(Size(n)) + "\n";
    bool ok = true;
    auto flush = [&](bool force) {
      if (force || out.size() > (1u << 20)) {
        if (std::fwrite(out.data(), 1, out.size(), f) != out.size()) ok = false;
        out.clear();
      }
    };
    // Order n is written in the order of (sorted position of the prefix, rank of the last word), so
    // the prefixes' texts are read in sequence from the text of order n-1 kept from the previous
    // round ('\n'-separated, in sorted order): no pointer chasing through the prefix chain.
    struct Item {
      uint64_t key;
      uint32_t id;
    };
    std::vector<uint32_t> prevPos, pos, ppos;
    std::vector<size_t> bucket;
    std::vector<Item> items;
    std::vector<std::pair<double, double>> pb;
    std::string prevText, curText;
    constexpr size_t kAhead = 16;
    for (int n = 1; n <= N; n++) {
      out += "\n\\" + std::to_string(n) + "-grams:\n";
      size_t m = Size(n);
      items.resize(m);
      if (n == 1) {
        for (uint32_t r = 0; r < m; r++) items[r] = {r, byWord[r]};
      } else {
        // Counting sort by the prefix's sorted position (stable), then each bucket by word rank.
        size_t P = Size(n - 1);
        bucket.assign(P + 1, 0);
        ppos.resize(m);
        for (uint32_t id = 0; id < m; id++) {
          ppos[id] = prevPos[Prefix(n, id)];
          bucket[ppos[id] + 1]++;
        }
        for (size_t b = 0; b < P; b++) bucket[b + 1] += bucket[b];
        for (uint32_t id = 0; id < m; id++) items[bucket[ppos[id]]++] = {(static_cast<uint64_t>(ppos[id]) << 32) | rank[LastWord(n, id)], id};
        // bucket[b] is now the end of bucket b.
        size_t begin = 0;
        for (size_t b = 0; b < P; b++) {
          size_t end = bucket[b];
          if (end - begin > 1) std::sort(items.begin() + begin, items.begin() + end, [](const Item& x, const Item& y) { return x.key < y.key; });
          begin = end;
        }
      }
      const bool last = n == N;
      if (!last) pos.assign(m, 0);
      // Probability and back-off side by side, so the id-ordered lookups below touch one cache line.
      const auto& logs = logs_[n];
      const auto& backs = backoffs_[n];
      pb.resize(m);
      for (size_t id = 0; id < m; id++) pb[id] = {logs[id], backs.empty() ? 0.0 : backs[id]};
      curText.clear();
      const char* cursor = prevText.data();
      uint32_t cursorPos = 0;
      for (size_t r = 0; r < m; r++) {
        if (r + kAhead < m) {
          uint32_t ahead = items[r + kAhead].id;
          __builtin_prefetch(&pb[ahead]);
          if (!last) __builtin_prefetch(&pos[ahead], 1);
        }
        uint32_t id = items[r].id;
        if (!last) pos[id] = static_cast<uint32_t>(r);
        const double p = pb[id].first, bo = pb[id].second;
        FormatJs7(p, out);
        out.push_back('\t');
        size_t wordsAt = out.size();
        if (n > 1) {
          uint32_t at = static_cast<uint32_t>(items[r].key >> 32);
          while (cursorPos < at) {
            cursor = static_cast<const char*>(std::memchr(cursor, '\n', prevText.data() + prevText.size() - cursor)) + 1;
            cursorPos++;
          }
          const char* end = static_cast<const char*>(std::memchr(cursor, '\n', prevText.data() + prevText.size() - cursor));
          out.append(cursor, end - cursor);
          out.push_back(' ');
        }
        // The last word from its rank in the sort key (no lookup by id).
        uint32_t w = n == 1 ? id : byWord[static_cast<uint32_t>(items[r].key)];
        out.append(vocab_.data(w), vocab_.length(w));
        if (!last) {
          curText.append(out, wordsAt, out.size() - wordsAt);
          curText.push_back('\n');
        }
        if (!last && !backs.empty() && !std::isnan(bo) && bo != 0) {
          out.push_back('\t');
          FormatJs7(bo, out);
        }
        out.push_back('\n');
        flush(false);
      }
      prevPos.swap(pos);
      prevText.swap(curText);
    }
    out += "\n\\end\\\n";
    flush(true);
    if (std::fclose(f) != 0) ok = false;
    if (!ok) Napi::Error::New(env, "write failed: " + path).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // memoryBytes(): bytes held by the counts and tables (for the summary and the docs).
  Napi::Value MemoryBytes(const Napi::CallbackInfo& info) {
    double total = 0;
    for (int n = 2; n <= order_; n++) total += static_cast<double>(grams_[n].size()) * 16;
    total += static_cast<double>(vocab_.size()) * 40;
    return Napi::Number::New(info.Env(), total);
  }

  int order_ = 0;
  std::string bos_, eos_, unk_;
  Vocab vocab_;
  std::vector<Grams> grams_;
  std::vector<uint32_t> unigramCounts_;
  std::vector<uint32_t> words_, cur_;
  std::vector<uint64_t> keyBuf_;
  std::string norm_, error_;
  double sentences_ = 0, tokens_ = 0;
  bool prepared_ = false;
  uint32_t bosId_ = kEmpty, unkId_ = kEmpty, eosId_ = kEmpty;
  std::vector<std::vector<uint8_t>> startsBos_;
  std::vector<std::vector<uint32_t>> suffix_, adjusted_, aOrder_;
  std::vector<std::array<double, 3>> d_;
  std::vector<bool> fallback_;
  std::vector<std::vector<double>> gamma_, denom_, logs_, pows_, backoffs_;
  double unigramDenom_ = 0;
};

// arpaNumbers(Float64Array) -> the numbers as the ARPA writer prints them, '\n'-separated (tests).
Napi::Value ArpaNumbers(const Napi::CallbackInfo& info) {
  auto xs = info[0].As<Napi::Float64Array>();
  std::string out;
  for (size_t i = 0; i < xs.ElementLength(); i++) {
    if (i) out.push_back('\n');
    FormatJs7(xs[i], out);
  }
  return Napi::String::New(info.Env(), out);
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("NgramTrainer", NgramTrainer::Define(env));
  exports.Set("arpaNumbers", Napi::Function::New(env, ArpaNumbers));
});

}  // namespace

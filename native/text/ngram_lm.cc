// Back-off n-gram scoring for the perplexity step (KenLM `score(bos=True, eos=True)` semantics on
// an ARPA model that src/models/ngram/arpa.ts has read).
//
// Why native: the TypeScript trie scored ~4 MB/s of text, the slowest step of the CCNet stage.
// Here each n-gram is one entry of a per-order hash table keyed by a 64-bit hash of its word ids
// in reverse order (last word first), as KenLM's probing tables are: the probability of w after
// c1..ck extends the hash w, ck, ck-1, ... and stops at the first miss; the back-off weights of the
// longer contexts lie on the chain ck, ck-1, ... The arithmetic (double, same summation order) is
// the TypeScript reference's, so both give the same numbers.
// Every reversed prefix of an n-gram is also inserted (marked unknown) so a walk passes through a
// missing intermediate n-gram exactly as the reference trie does.
#include "ccnet_text.h"
#include "registry.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr double kMissingUnk = -100.0;  // KenLM's log10 probability of <unk> when the model has none

inline uint64_t Combine(uint64_t h, int32_t id) {
  // splitmix64 finaliser over the running hash and the next id.
  uint64_t x = h ^ (static_cast<uint64_t>(static_cast<uint32_t>(id)) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

constexpr uint64_t kSeed = 0x2545F4914F6CDD1DULL;

struct Entry {
  double p = 0, b = 0;
  bool known = false;
};

inline uint64_t HashWord(const char* s, size_t n) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 0x100000001B3ULL;
  }
  return Combine(h, 0);
}

// The n-grams of one order: open addressing on the 64-bit n-gram hash (0 marks an empty slot; a
// hash of 0 is stored as 1). One probe usually touches one cache line.
class FlatTable {
 public:
  FlatTable() : slots_(16) {}

  Entry& Upsert(uint64_t h) {
    if (h == 0) h = 1;
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == h) return s.e;
      if (s.key == 0) {
        s.key = h;
        size_++;
        return s.e;
      }
    }
  }

  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[(h == 0 ? 1 : h) & (slots_.size() - 1)]); }

  const Entry* Find(uint64_t h) const {
    if (h == 0) h = 1;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.key == h) return &s.e;
      if (s.key == 0) return nullptr;
    }
  }

 private:
  struct Slot {
    uint64_t key = 0;
    Entry e;
  };
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = s.key & mask;
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Word -> id, looked up by bytes without building a string. A slot holds the word's hash with its
// id, so a lookup touches the slot and then the word's bytes once.
class WordIds {
 public:
  WordIds() : slots_(1024, Slot{0, -1}) {}

  // The id of the word, inserting it with the next id when absent.
  int32_t Intern(const char* s, size_t n) {
    if ((offsets_.size() + 1) * 10 > slots_.size() * 7) Grow();
    uint64_t h = HashWord(s, n);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = Slot{h, static_cast<int32_t>(offsets_.size())};
        offsets_.push_back(arena_.size());
        arena_.append(s, n);
        arena_.push_back('\0');
        lengths_.push_back(static_cast<uint32_t>(n));
        return slot.id;
      }
      if (slot.hash == h && Same(slot.id, s, n)) return slot.id;
    }
  }

  int32_t Find(const char* s, size_t n) const {
    uint64_t h = HashWord(s, n);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.id < 0) return -1;
      if (slot.hash == h && Same(slot.id, s, n)) return slot.id;
    }
  }

 private:
  struct Slot {
    uint64_t hash;
    int32_t id;
  };
  bool Same(int32_t id, const char* s, size_t n) const { return lengths_[id] == n && std::memcmp(arena_.data() + offsets_[id], s, n) == 0; }
  void Grow() {
    std::vector<Slot> t(slots_.size() * 2, Slot{0, -1});
    size_t mask = t.size() - 1;
    for (const Slot& slot : slots_) {
      if (slot.id < 0) continue;
      size_t i = slot.hash & mask;
      while (t[i].id >= 0) i = (i + 1) & mask;
      t[i] = slot;
    }
    slots_.swap(t);
  }
  std::vector<Slot> slots_;
  std::vector<size_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::string arena_;
};

class NgramScorer : public Napi::ObjectWrap<NgramScorer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NgramScorer",
                       {InstanceMethod("add", &NgramScorer::Add), InstanceMethod("score", &NgramScorer::Score),
                        InstanceMethod("logProb", &NgramScorer::LogProb), InstanceMethod("scoreDocument", &NgramScorer::ScoreDocument),
                        InstanceMethod("load", &NgramScorer::Load)});
  }

  // new NgramScorer(order, bosWord, eosWord, unkWord)
  explicit NgramScorer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NgramScorer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsString() || !info[3].IsString()) {
      Napi::TypeError::New(env, "NgramScorer(order, bos, eos, unk)").ThrowAsJavaScriptException();
      return;
    }
    order_ = info[0].As<Napi::Number>().Int32Value();
    if (order_ < 1 || order_ > 16) {
      Napi::RangeError::New(env, "order must be 1..16").ThrowAsJavaScriptException();
      return;
    }
    bos_ = info[1].As<Napi::String>().Utf8Value();
    eos_ = info[2].As<Napi::String>().Utf8Value();
    unkWord_ = info[3].As<Napi::String>().Utf8Value();
    tables_.resize(order_);
  }

 private:
  // Stores one n-gram (words as ids already checked) with its probability and back-off; true when
  // the n-gram was not in the table yet.
  bool Insert(int32_t n, const std::vector<int32_t>& ids, double p, double b) {
    uint64_t h = kSeed;
    Entry* full = nullptr;
    for (int32_t k = n - 1; k >= 0; k--) {
      h = Combine(h, ids[k]);
      Entry& e = tables_[n - 1 - k].Upsert(h);
      if (k == 0) full = &e;
    }
    bool added = !full->known;
    full->p = p;
    full->b = b;
    full->known = true;
    return added;
  }

  // load(path) -> {order, comments: [key, value][]} or {error, line}: reads an ARPA file straight
  // into the tables, with the rules and messages of arpa.ts readArpa (which the step used to call
  // before building these tables from its Maps): lines as Node's readline splits them, trimmed with
  // JavaScript's whitespace, '# key: value' comments before \data\, words split at JavaScript `\s`,
  // numbers as Number() reads decimal text, later duplicates overwriting earlier ones, and each
  // order's count checked against \data\.
  Napi::Value Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    FILE* f = std::fopen(path.c_str(), "rb");
    auto fail = [&](const std::string& msg, double line) {
      auto o = Napi::Object::New(env);
      o.Set("error", msg);
      o.Set("line", line);
      return o;
    };
    if (!f) return fail("cannot open the file", 0);
    std::vector<double> declared;
    std::vector<double> have;
    auto comments = Napi::Array::New(env);
    uint32_t ncomments = 0;
    enum { kHead, kData, kGrams, kEnd } section = kHead;
    int32_t n = 0;
    double lineNo = 0;
    std::string buf, line;
    std::vector<char> chunk(1 << 20);
    size_t len = 0, pos = 0;
    bool eof = false, pendingCr = false;
    std::vector<int32_t> ids;
    std::vector<std::pair<size_t, size_t>> parts;
    auto nextLine = [&](std::string& out) -> bool {
      out.clear();
      for (;;) {
        if (pos >= len) {
          if (eof) return !out.empty() || false;
          len = std::fread(chunk.data(), 1, chunk.size(), f);
          pos = 0;
          if (len == 0) {
            eof = true;
            return !out.empty();
          }
        }
        char c = chunk[pos++];
        if (pendingCr) {
          pendingCr = false;
          if (c == '\n') continue;
        }
        if (c == '\n') return true;
        if (c == '\r') {
          pendingCr = true;
          return true;
        }
        out.push_back(c);
      }
    };
    auto trim = [&](const std::string& s, size_t& a, size_t& b) {
      const auto* u = reinterpret_cast<const unsigned char*>(s.data());
      size_t k = 0;
      a = 0;
      b = s.size();
      while (a < b && ccnet::IsJsSpace(u, b, a, k)) a += k;
      while (b > a) {
        size_t st = b - 1;
        while (st > a && (u[st] & 0xC0) == 0x80) st--;
        if (!ccnet::IsJsSpace(u, b, st, k) || st + k != b) break;
        b = st;
      }
    };
    Napi::Value result = env.Undefined();
    while (nextLine(line)) {
      lineNo++;
      size_t a, b;
      trim(line, a, b);
      if (section == kEnd) break;
      if (a == b) continue;
      std::string t = line.substr(a, b - a);
      if (section == kHead) {
        if (t[0] == '#') {
          const auto* u = reinterpret_cast<const unsigned char*>(t.data());
          size_t i = 1, k = 0;
          while (i < t.size() && ccnet::IsJsSpace(u, t.size(), i, k)) i += k;
          size_t colon = t.find(':', 1);
          // /^#\s*([^:]+):\s*(.*)$/: at least one character before the first colon ('.' stops at \r, U+2028, U+2029).
          if (colon != std::string::npos && colon > 1) {
            std::string rest = t.substr(colon + 1);
            bool dotAll = rest.find('\r') == std::string::npos && rest.find("\xE2\x80\xA8") == std::string::npos && rest.find("\xE2\x80\xA9") == std::string::npos;
            if (dotAll) {
              std::string key = t.substr(1, colon - 1);
              size_t ka, kb, va, vb;
              trim(key, ka, kb);
              trim(rest, va, vb);
              auto pair = Napi::Array::New(env, 2);
              pair.Set(0u, Napi::String::New(env, key.substr(ka, kb - ka)));
              pair.Set(1u, Napi::String::New(env, rest.substr(va, vb - va)));
              comments.Set(ncomments++, pair);
            }
          }
          (void)i;
        }
        if (t == "\\data\\") section = kData;
        continue;
      }
      if (t == "\\end\\") {
        section = kEnd;
        continue;
      }
      // \N-grams:
      if (t.size() >= 9 && t[0] == '\\' && t.compare(t.size() - 7, 7, "-grams:") == 0) {
        std::string num = t.substr(1, t.size() - 8);
        bool digits = !num.empty() && num.find_first_not_of("0123456789") == std::string::npos;
        if (digits) {
          double k = std::strtod(num.c_str(), nullptr);
          if (k < 1 || k > static_cast<double>(declared.size())) {
            std::fclose(f);
            return fail("section \\" + num + "-grams: not declared in \\data\\", lineNo);
          }
          if (have.empty()) {
            if (declared.size() > 16) {
              std::fclose(f);
              return fail("orders above 16 are not supported", lineNo);
            }
            have.assign(declared.size(), 0);
            order_ = static_cast<int32_t>(declared.size());
            tables_.assign(order_, FlatTable());
          }
          n = static_cast<int32_t>(k);
          section = kGrams;
          continue;
        }
      }
      if (section == kData) {
        // /^ngram\s+(\d+)\s*=\s*(\d+)$/
        const auto* u = reinterpret_cast<const unsigned char*>(t.data());
        size_t i = 0, k = 0, sz = t.size();
        bool ok = t.compare(0, 5, "ngram") == 0;
        i = 5;
        size_t ws = i;
        while (ok && i < sz && ccnet::IsJsSpace(u, sz, i, k)) i += k;
        ok = ok && i > ws;
        size_t d1 = i;
        while (ok && i < sz && t[i] >= '0' && t[i] <= '9') i++;
        ok = ok && i > d1;
        size_t d1e = i;
        while (ok && i < sz && ccnet::IsJsSpace(u, sz, i, k)) i += k;
        ok = ok && i < sz && t[i] == '=';
        i++;
        while (ok && i < sz && ccnet::IsJsSpace(u, sz, i, k)) i += k;
        size_t d2 = i;
        while (ok && i < sz && t[i] >= '0' && t[i] <= '9') i++;
        ok = ok && i > d2 && i == sz;
        if (!ok) {
          std::fclose(f);
          return fail("expected \"ngram N=count\" in \\data\\, got \"" + t.substr(0, 80) + "\"", lineNo);
        }
        double which = std::strtod(t.substr(d1, d1e - d1).c_str(), nullptr);
        double count = std::strtod(t.substr(d2).c_str(), nullptr);
        if (which < 1 || which > 64) {
          std::fclose(f);
          return fail("bad n-gram order in \\data\\", lineNo);
        }
        if (declared.size() < which) declared.resize(static_cast<size_t>(which), 0);
        declared[static_cast<size_t>(which) - 1] = count;
        continue;
      }
      // An n-gram line: probability, n words, optional back-off.
      parts.clear();
      {
        const auto* u = reinterpret_cast<const unsigned char*>(t.data());
        size_t i = 0, k = 0, sz = t.size();
        while (i < sz) {
          size_t w = i;
          while (i < sz && !ccnet::IsJsSpace(u, sz, i, k)) i += k;
          parts.emplace_back(w, i - w);
          while (i < sz && ccnet::IsJsSpace(u, sz, i, k)) i += k;
        }
      }
      if (parts.size() != static_cast<size_t>(n) + 1 && parts.size() != static_cast<size_t>(n) + 2) {
        std::fclose(f);
        return fail("a " + std::to_string(n) + "-gram line needs a probability, " + std::to_string(n) + " words and an optional backoff", lineNo);
      }
      auto number = [&](std::pair<size_t, size_t> part, double& out) {
        std::string x = t.substr(part.first, part.second);
        char* end = nullptr;
        out = std::strtod(x.c_str(), &end);
        return end == x.c_str() + x.size() && std::isfinite(out);
      };
      double p = 0, bo = 0;
      bool okp = number(parts[0], p);
      bool okb = parts.size() == static_cast<size_t>(n) + 2 ? number(parts[n + 1], bo) : true;
      if (!okp || !okb) {
        std::fclose(f);
        return fail("bad number in \"" + t.substr(0, 80) + "\"", lineNo);
      }
      ids.clear();
      for (int32_t w = 1; w <= n; w++) {
        const char* word = t.data() + parts[w].first;
        size_t wl = parts[w].second;
        int32_t id = n == 1 ? vocab_.Intern(word, wl) : vocab_.Find(word, wl);
        if (id < 0) {
          std::fclose(f);
          return fail("n-gram uses a word missing from the unigrams: " + std::string(word, wl), lineNo);
        }
        ids.push_back(id);
      }
      if (Insert(n, ids, p, bo)) have[n - 1]++;
    }
    std::fclose(f);
    if (have.empty()) return fail("not an ARPA file: no \\data\\ section with n-grams", -1);
    for (size_t k = 0; k < declared.size(); k++) {
      if (have[k] != declared[k]) {
        return fail("\\data\\ declares " + std::to_string(static_cast<long long>(declared[k])) + " " + std::to_string(k + 1) + "-grams but the file has " +
                        std::to_string(static_cast<long long>(have[k])),
                    -1);
      }
    }
    unk_ = vocab_.Find(unkWord_.data(), unkWord_.size());
    auto out = Napi::Object::New(env);
    out.Set("order", order_);
    out.Set("comments", comments);
    (void)result;
    return out;
  }

  // add(n, keys: string ('\n'-separated n-grams, words separated by ' '), p: Float64Array, b: Float64Array)
  // Unigrams must be added first: they define the vocabulary.
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsTypedArray() || !info[3].IsTypedArray()) {
      Napi::TypeError::New(env, "add(n, keys, p, b)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    int32_t n = info[0].As<Napi::Number>().Int32Value();
    std::string keys = info[1].As<Napi::String>().Utf8Value();
    auto p = info[2].As<Napi::Float64Array>();
    auto b = info[3].As<Napi::Float64Array>();
    if (n < 1 || n > order_) {
      Napi::RangeError::New(env, "n-gram order out of range").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::vector<int32_t> ids;
    size_t start = 0, row = 0;
    while (start <= keys.size() && row < p.ElementLength()) {
      size_t end = keys.find('\n', start);
      if (end == std::string::npos) end = keys.size();
      ids.clear();
      size_t w = start;
      while (w < end) {
        size_t sp = keys.find(' ', w);
        if (sp == std::string::npos || sp > end) sp = end;
        if (n == 1) {
          ids.push_back(vocab_.Intern(keys.data() + w, sp - w));
        } else {
          int32_t id = vocab_.Find(keys.data() + w, sp - w);
          if (id < 0) {
            Napi::Error::New(env, "n-gram uses a word missing from the unigrams: " + keys.substr(w, sp - w)).ThrowAsJavaScriptException();
            return env.Undefined();
          }
          ids.push_back(id);
        }
        w = sp + 1;
      }
      if (static_cast<int32_t>(ids.size()) != n) {
        Napi::Error::New(env, "n-gram has the wrong number of words").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      uint64_t h = kSeed;
      for (int32_t k = n - 1; k >= 0; k--) {
        h = Combine(h, ids[k]);
        Entry& e = tables_[n - 1 - k].Upsert(h);
        if (k == 0) {
          e.p = p[row];
          e.b = b[row];
          e.known = true;
        }
      }
      row++;
      start = end + 1;
    }
    unk_ = vocab_.Find(unkWord_.data(), unkWord_.size());
    return env.Undefined();
  }

  int32_t Id(const char* s, size_t n) const {
    int32_t id = vocab_.Find(s, n);
    return id < 0 ? unk_ : id;
  }

  const Entry* Find(int32_t n, uint64_t h) const { return tables_[n - 1].Find(h); }

  // log10 P(ids[i] | up to order-1 preceding ids), as arpa.ts ReverseTrie.logProbAt.
  double LogProbAt(const std::vector<int32_t>& ids, int32_t i) const {
    int32_t maxCtx = std::min(i, order_ - 1);
    double p = kMissingUnk;
    int32_t matched = 0;
    const Entry* uni = ids[i] < 0 ? nullptr : Find(1, Combine(kSeed, ids[i]));
    if (uni && uni->known) {
      p = uni->p;
      uint64_t h = Combine(kSeed, ids[i]);
      for (int32_t k = 1; k <= maxCtx; k++) {
        if (ids[i - k] < 0) break;
        h = Combine(h, ids[i - k]);
        const Entry* e = Find(k + 1, h);
        if (!e) break;
        if (e->known) {
          p = e->p;
          matched = k;
        }
      }
    }
    double sum = 0;
    if (matched < maxCtx) {
      uint64_t h = kSeed;
      for (int32_t m = 1; m <= maxCtx; m++) {
        if (ids[i - m] < 0) break;
        h = Combine(h, ids[i - m]);
        const Entry* e = Find(m, h);
        if (!e) break;
        if (m > matched && e->known) sum += e->b;
      }
    }
    return p + sum;
  }

  void Tokens(const std::string& line, std::vector<int32_t>& ids) const {
    size_t w = 0;
    while (w < line.size()) {
      size_t sp = line.find(' ', w);
      if (sp == std::string::npos) sp = line.size();
      if (sp > w) ids.push_back(Id(line.data() + w, sp - w));
      w = sp + 1;
    }
  }

  // score(tokens joined by ' ') -> log10 P(<s> tokens </s>)
  Napi::Value Score(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "score(line)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string line = info[0].As<Napi::String>().Utf8Value();
    ids_.clear();
    ids_.push_back(Id(bos_.data(), bos_.size()));
    Tokens(line, ids_);
    ids_.push_back(Id(eos_.data(), eos_.size()));
    return Napi::Number::New(env, ScoreIds());
  }

  // log10 P of every word after the first, summed. Same numbers as LogProbAt at each position,
  // computed from per-position chains: chain j holds the entries of the n-grams ending at j
  // (ids[j], ids[j-1] ids[j], ...) up to the first missing one. LogProbAt's first walk at i is
  // chain i, and its back-off walk over the contexts is chain i-1, so each n-gram is probed once,
  // and a chain's probes are prefetched together.
  double ScoreIds() {
    const int32_t L = static_cast<int32_t>(ids_.size());
    const int32_t N = order_;
    chains_.assign(static_cast<size_t>(L) * N, nullptr);
    hashes_.resize(static_cast<size_t>(L) * N);
    counts_.resize(L);
    // Hashes of every position first; the probes of position j + kAhead are prefetched while
    // position j is probed, so several cache misses are in flight at once.
    constexpr int32_t kAhead = 4;
    auto prefetch = [&](int32_t j) {
      const uint64_t* hs = &hashes_[static_cast<size_t>(j) * N];
      for (int32_t len = 1; len <= counts_[j]; len++) tables_[len - 1].Prefetch(hs[len - 1]);
    };
    for (int32_t j = 0; j < L; j++) {
      int32_t lim = std::min(j + 1, N), cnt = 0;
      uint64_t h = kSeed;
      uint64_t* hs = &hashes_[static_cast<size_t>(j) * N];
      for (int32_t len = 1; len <= lim; len++) {
        int32_t id = ids_[j - len + 1];
        if (id < 0) break;
        h = Combine(h, id);
        hs[cnt++] = h;
      }
      counts_[j] = cnt;
      if (j < kAhead) prefetch(j);
    }
    for (int32_t j = 0; j < L; j++) {
      if (j + kAhead < L) prefetch(j + kAhead);
      const uint64_t* hs = &hashes_[static_cast<size_t>(j) * N];
      const Entry** c = &chains_[static_cast<size_t>(j) * N];
      for (int32_t len = 1; len <= counts_[j]; len++) {
        const Entry* e = Find(len, hs[len - 1]);
        if (!e) break;
        c[len - 1] = e;
      }
    }
    double total = 0;
    for (int32_t i = 1; i < L; i++) {
      int32_t maxCtx = std::min(i, N - 1);
      double p = kMissingUnk;
      int32_t matched = 0;
      const Entry* const* ci = &chains_[static_cast<size_t>(i) * N];
      if (ci[0] && ci[0]->known) {
        p = ci[0]->p;
        for (int32_t k = 1; k <= maxCtx; k++) {
          const Entry* e = ci[k];
          if (!e) break;
          if (e->known) {
            p = e->p;
            matched = k;
          }
        }
      }
      double sum = 0;
      if (matched < maxCtx) {
        const Entry* const* cp = &chains_[static_cast<size_t>(i - 1) * N];
        for (int32_t m = 1; m <= maxCtx; m++) {
          const Entry* e = cp[m - 1];
          if (!e) break;
          if (m > matched && e->known) sum += e->b;
        }
      }
      total += p + sum;
    }
    return total;
  }

  // Scores one normalised line split at JavaScript `\s` (the whitespace LM tokenizer); adds to the sums.
  void ScoreWhitespaceLine(const std::string& line, double& logScore, double& length) {
    const auto* s = reinterpret_cast<const unsigned char*>(line.data());
    size_t n = line.size(), i = 0, len = 0;
    ids_.clear();
    ids_.push_back(Id(bos_.data(), bos_.size()));
    while (i < n) {
      while (i < n && ccnet::IsJsSpace(s, n, i, len)) i += len;
      size_t w = i;
      while (i < n && !ccnet::IsJsSpace(s, n, i, len)) i += len;
      if (i > w) ids_.push_back(Id(line.data() + w, i - w));
    }
    ids_.push_back(Id(eos_.data(), eos_.size()));
    logScore += ScoreIds();
    length += static_cast<double>(ids_.size() - 1);
  }

  // scoreDocument(text, splitLines) -> [log10 score, length] as cc_net's DocLM sums them (cc_net
  // normalisation, whitespace tokens, <s>/</s> per line, length = tokens + 1 per line), or null
  // when the text needs the TypeScript normaliser (perplexity.ts then scores it the slow way).
  Napi::Value ScoreDocument(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean()) {
      Napi::TypeError::New(env, "scoreDocument(text, splitLines)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string text = info[0].As<Napi::String>().Utf8Value();
    bool split = info[1].As<Napi::Boolean>().Value();
    double logScore = 0, length = 0;
    norm_.clear();
    if (!split) {
      if (!ccnet::Normalize(text.data(), text.size(), ccnet::NormMode::kNormalize, norm_)) return env.Null();
      ScoreWhitespaceLine(norm_, logScore, length);
    } else {
      bool any = false;
      size_t start = 0;
      for (;;) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        norm_.clear();
        if (!ccnet::Normalize(text.data() + start, end - start, ccnet::NormMode::kNormalize, norm_)) return env.Null();
        if (!norm_.empty()) {
          ScoreWhitespaceLine(norm_, logScore, length);
          any = true;
        }
        if (end == text.size()) break;
        start = end + 1;
      }
      if (!any) {
        norm_.clear();
        ScoreWhitespaceLine(norm_, logScore, length);
      }
    }
    auto out = Napi::Array::New(env, 2);
    out.Set(0u, Napi::Number::New(env, logScore));
    out.Set(1u, Napi::Number::New(env, length));
    return out;
  }

  // logProb(context and word joined by ' ') -> log10 P(last word | the words before it)
  Napi::Value LogProb(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "logProb(words)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string line = info[0].As<Napi::String>().Utf8Value();
    ids_.clear();
    Tokens(line, ids_);
    if (ids_.empty()) return Napi::Number::New(env, 0);
    return Napi::Number::New(env, LogProbAt(ids_, static_cast<int32_t>(ids_.size()) - 1));
  }

  int32_t order_ = 0;
  int32_t unk_ = -1;
  std::string bos_, eos_, unkWord_;
  WordIds vocab_;
  std::vector<FlatTable> tables_;
  std::string norm_;
  std::vector<int32_t> ids_;
  std::vector<const Entry*> chains_;
  std::vector<uint64_t> hashes_;
  std::vector<int32_t> counts_;
};

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("NgramScorer", NgramScorer::Define(env));
});

}  // namespace

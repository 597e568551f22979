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
#include "registry.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
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

class NgramScorer : public Napi::ObjectWrap<NgramScorer> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NgramScorer",
                       {InstanceMethod("add", &NgramScorer::Add), InstanceMethod("score", &NgramScorer::Score),
                        InstanceMethod("logProb", &NgramScorer::LogProb)});
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
        std::string word = keys.substr(w, sp - w);
        if (n == 1) {
          auto it = vocab_.emplace(word, static_cast<int32_t>(vocab_.size())).first;
          ids.push_back(it->second);
        } else {
          auto it = vocab_.find(word);
          if (it == vocab_.end()) {
            Napi::Error::New(env, "n-gram uses a word missing from the unigrams: " + word).ThrowAsJavaScriptException();
            return env.Undefined();
          }
          ids.push_back(it->second);
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
        Entry& e = tables_[n - 1 - k][h];
        if (k == 0) {
          e.p = p[row];
          e.b = b[row];
          e.known = true;
        }
      }
      row++;
      start = end + 1;
    }
    auto unk = vocab_.find(unkWord_);
    unk_ = unk == vocab_.end() ? -1 : unk->second;
    return env.Undefined();
  }

  int32_t Id(const std::string& w) const {
    auto it = vocab_.find(w);
    return it == vocab_.end() ? unk_ : it->second;
  }

  const Entry* Find(int32_t n, uint64_t h) const {
    const auto& t = tables_[n - 1];
    auto it = t.find(h);
    return it == t.end() ? nullptr : &it->second;
  }

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
      if (sp > w) ids.push_back(Id(line.substr(w, sp - w)));
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
    ids_.push_back(Id(bos_));
    Tokens(line, ids_);
    ids_.push_back(Id(eos_));
    double total = 0;
    for (int32_t i = 1; i < static_cast<int32_t>(ids_.size()); i++) total += LogProbAt(ids_, i);
    return Napi::Number::New(env, total);
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
  std::unordered_map<std::string, int32_t> vocab_;
  std::vector<std::unordered_map<uint64_t, Entry>> tables_;
  std::vector<int32_t> ids_;
};

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("NgramScorer", NgramScorer::Define(env));
});

}  // namespace

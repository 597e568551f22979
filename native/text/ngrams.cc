// The repetition signals' word n-gram counts (RedPajama-V2 rps_doc_frac_chars_top_{2,3,4}gram and
// rps_doc_frac_chars_dupe_{5..10}grams) over a document's interned word ids, in one call:
//   ngramStats(ids: Int32Array, lens: Int32Array, out: Float64Array(9))
//   out[n-2], n = 2..4:  chars x count of the most frequent n-gram (the first to occur among equally
//                        frequent ones, as Counter.most_common) when it occurs twice or more, else 0;
//   out[n-2], n = 5..10: chars of the words covered by n-grams occurring twice or more, each word once.
// JavaScript divides by the document's word characters and rounds (src/filters/signals/signals.ts).
// N-grams are grouped exactly, level by level (an n-gram is its (n-1)-gram and one more word); once
// no n-gram repeats for some n, none does for a larger n, so the counting stops there.
#include "registry.h"

#include <cstdint>
#include <vector>

namespace {

// Open addressing from a 64-bit key (two 31-bit ids) to a group index.
struct PairTable {
  std::vector<uint64_t> keys;
  std::vector<int32_t> vals;
  size_t mask = 0;
  void reset(size_t items) {
    size_t size = 16;
    while (size < items * 2) size <<= 1;
    keys.resize(size);
    vals.assign(size, -1);
    mask = size - 1;
  }
  // The group of `key`, or `fresh` after inserting it.
  int32_t find_or_add(uint64_t key, int32_t fresh) {
    for (size_t slot = size_t((key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;; slot = (slot + 1) & mask) {
      if (vals[slot] < 0) {
        keys[slot] = key;
        vals[slot] = fresh;
        return fresh;
      }
      if (keys[slot] == key) return vals[slot];
    }
  }
};

Napi::Value NgramStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray()) {
    Napi::TypeError::New(env, "ngramStats(ids, lens, out)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto ids_a = info[0].As<Napi::Int32Array>();
  auto lens_a = info[1].As<Napi::Int32Array>();
  auto out_a = info[2].As<Napi::Float64Array>();
  if (lens_a.ElementLength() != ids_a.ElementLength() || out_a.ElementLength() < 9) {
    Napi::RangeError::New(env, "ngramStats: sizes do not match").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int32_t* ids = ids_a.Data();
  const int32_t* lens = lens_a.Data();
  double* out = out_a.Data();
  const size_t m = ids_a.ElementLength();
  for (int k = 0; k < 9; k++) out[k] = 0;
  // Level n groups the n-grams from level n-1: the n-gram at i is (its (n-1)-gram's group, ids[i+n-1]).
  // An n-gram whose (n-1)-gram occurs once occurs once too, so it gets no group (-1) and no lookup;
  // past the bigrams only the few positions that start a repeated (n-1)-gram are looked up. Groups
  // are numbered in order of first occurrence, so the first of equally frequent n-grams is the lowest.
  thread_local std::vector<int32_t> prev, cur, count, prev_count, first;
  thread_local PairTable table;
  prev.resize(m);
  prev_count.clear();
  for (size_t i = 0; i < m; i++) prev[i] = ids[i];  // level 1: the words themselves (ids count from 0 in first-occurrence order)
  {
    int32_t top = -1;
    for (size_t i = 0; i < m; i++) top = ids[i] > top ? ids[i] : top;
    prev_count.assign(size_t(top + 1), 0);
    for (size_t i = 0; i < m; i++) prev_count[size_t(ids[i])]++;
  }
  for (size_t n = 2; n <= 10 && n <= m; n++) {
    const size_t positions = m - n + 1;
    cur.resize(positions);
    count.clear();
    first.clear();
    size_t candidates = 0;
    for (size_t i = 0; i < positions; i++) candidates += prev[i] >= 0 && prev_count[size_t(prev[i])] > 1;
    table.reset(candidates);
    for (size_t i = 0; i < positions; i++) {
      const int32_t p = prev[i];
      if (p < 0 || prev_count[size_t(p)] < 2) {
        cur[i] = -1;
        continue;
      }
      const uint64_t key = (uint64_t(uint32_t(p)) << 32) | uint32_t(ids[i + n - 1]);
      const int32_t g = table.find_or_add(key, int32_t(count.size()));
      if (g == int32_t(count.size())) {
        count.push_back(1);
        first.push_back(int32_t(i));
      } else {
        count[size_t(g)]++;
      }
      cur[i] = g;
    }
    size_t best = 0;
    for (size_t g = 1; g < count.size(); g++)
      if (count[g] > count[best]) best = g;
    if (count.empty() || count[best] <= 1) break;  // no repeated n-gram: none for larger n either
    if (n <= 4) {
      double chars = 0;
      for (size_t k = 0; k < n; k++) chars += lens[size_t(first[best]) + k];
      out[n - 2] = chars * count[best];
    } else {
      double duped = 0;
      size_t covered_to = 0;
      for (size_t i = 0; i < positions; i++) {
        if (cur[i] < 0 || count[size_t(cur[i])] <= 1) continue;
        for (size_t k = i > covered_to ? i : covered_to; k < i + n; k++) duped += lens[k];
        covered_to = i + n;
      }
      out[n - 2] = duped;
    }
    prev.swap(cur);
    prev_count.swap(count);
  }
  return env.Undefined();
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) { exports.Set("ngramStats", Napi::Function::New(env, NgramStats)); });

}  // namespace

// SentencePiece BPE encoder core (LLaMA-1/2), exact to google/sentencepiece `bpe_model.cc` `Model::SampleEncode`
// (alpha = 0) after its identity normaliser, and fast. Registered as encoder kind "spm_bpe" by spm_bpe.cc.
//
// Reference behaviour we match (../shared/reference/tokenizers.md §1.3-1.4):
// - Normalisation (identity): a dummy prefix "▁" before non-empty text, every U+0020 becomes "▁" (so a
//   literal U+2581 in the text is the same symbol as a space), nothing else changes. Invalid UTF-8 becomes
//   U+FFFD consuming exactly ONE byte (sentencepiece util.cc DecodeUTF8), unlike WHATWG decoders.
// - Symbols start as single characters. Repeatedly merge the adjacent pair whose concatenation is the
//   vocabulary piece with the highest score; equal scores: the leftmost pair. Any split of a piece is
//   eligible (no merge list). Characters outside the vocabulary become one <0xXX> token per byte (byte
//   fallback) or a single <unk> for a run of them (no byte fallback, sentencepiece_processor.cc).
//   For HF tokenizer.json / llama-tokenizer-js input the explicit merge list ranks pairs instead, which is
//   what HF's BPE does; for LLaMA the two are the same (the list holds every split, ordered by score).
//
// Why it is built this way (measured on this machine, English prose, see docs/tokenize.md):
// - safe_cut() cuts long documents where the chunker starts a new chunk anyway, so parts of one
//   document are encoded on several threads with exactly the ids of the whole.
// - Exact chunking. A merge result is always a vocabulary piece; when no piece holds "▁" after a non-"▁"
//   character (checked at load; true for every model trained with split_by_whitespace), no merge can
//   cross the point before a space that follows a non-space, so encoding each "spaces + word" chunk alone
//   gives the same ids as SentencePiece's whole-sentence BPE (HF tokenizers PR #2256 relies on the same
//   fact). Characters that occur in no mergeable pair (LLaMA: "\n", "\t", digits, byte-fallback chars)
//   are cut points too and are emitted directly. SentencePiece itself runs BPE over the whole sentence.
// - A per-thread chunk cache (chunk bytes -> ids; 2-way set associative, one 64-byte line per entry, keys
//   compared as three words). Prose reuses a few thousand words, so most chunks cost one hash and three
//   compares instead of a merge loop; this is where the speed comes from. Misses dominated the profile
//   while the cache was direct-mapped (frequent words evicting each other); 2 ways made the Gutenberg
//   benchmark ~40% faster. The set index must come from the hash's high bits: the low bit is forced to
//   1, and indexing with it left half the sets unused (fixed: 82 -> 111 MB/s on prose). Chunks are found
//   a block ahead, their keys computed once and their cache sets prefetched; ids go straight into the
//   caller's IdBuf (81 -> 67 instructions per byte of prose in all).
// - Id-pair table (open addressing, (left_id, right_id) -> (rank, merged_id)) built once from every split
//   of every piece: the merge loop never builds strings or hashes bytes.
// - Short chunks merge with a flat array and a linear min-scan (cache-friendly); long ones (a 10 MB word)
//   with a binary heap + linked list, O(n log n), so no input is quadratic.
#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "encoder.h"
#include "spm_bpe.h"

namespace corpusmill {
namespace {

using spm::ModelData;

constexpr uint32_t kNoRank = 0xffffffffu;
constexpr uint32_t kSpaceCp = 0x2581;  // "▁"
constexpr size_t kCacheKeyMax = 24;     // chunks longer than this (bytes) are not cached
constexpr size_t kCacheIdsMax = 7;
constexpr size_t kLinearMax = 48;       // symbols; above this the heap kernel runs

// Decodes one character as sentencepiece does: strict UTF-8 (no overlongs, surrogates or > U+10FFFF);
// anything else is U+FFFD covering exactly one byte.
inline uint32_t decode_char(const uint8_t* s, size_t n, uint32_t* len) {
  uint8_t b0 = s[0];
  if (b0 < 0x80) { *len = 1; return b0; }
  auto cont = [&](size_t i) { return i < n && (s[i] & 0xc0) == 0x80; };
  if (b0 >= 0xc2 && b0 <= 0xdf && cont(1)) { *len = 2; return (uint32_t(b0 & 0x1f) << 6) | (s[1] & 0x3f); }
  if (b0 >= 0xe0 && b0 <= 0xef && cont(1) && cont(2)) {
    uint32_t cp = (uint32_t(b0 & 0x0f) << 12) | (uint32_t(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) { *len = 3; return cp; }
  } else if (b0 >= 0xf0 && b0 <= 0xf4 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = (uint32_t(b0 & 0x07) << 18) | (uint32_t(s[1] & 0x3f) << 12) | (uint32_t(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
    if (cp >= 0x10000 && cp <= 0x10ffff) { *len = 4; return cp; }
  }
  *len = 1;
  return 0xfffd;
}

inline size_t encode_utf8(uint32_t cp, uint8_t* o) {
  if (cp < 0x80) { o[0] = uint8_t(cp); return 1; }
  if (cp < 0x800) { o[0] = uint8_t(0xc0 | (cp >> 6)); o[1] = uint8_t(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = uint8_t(0xe0 | (cp >> 12)); o[1] = uint8_t(0x80 | ((cp >> 6) & 0x3f)); o[2] = uint8_t(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = uint8_t(0xf0 | (cp >> 18)); o[1] = uint8_t(0x80 | ((cp >> 12) & 0x3f));
  o[2] = uint8_t(0x80 | ((cp >> 6) & 0x3f)); o[3] = uint8_t(0x80 | (cp & 0x3f));
  return 4;
}

inline uint64_t mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0x9e3779b97f4a7c15ull;
  h ^= h >> 29;
  return h;
}

// (left_id, right_id) -> (rank, merged_id); open addressing, linear probing, load <= 0.5.
class PairTable {
 public:
  void build(const std::vector<std::pair<uint64_t, uint64_t>>& entries) {  // key, (rank << 32 | merged)
    size_t cap = 16;
    while (cap < entries.size() * 2) cap <<= 1;
    mask_ = cap - 1;
    slots_.assign(cap, Slot{kEmpty, 0});
    for (auto& e : entries) {
      size_t i = mix(e.first) & mask_;
      while (slots_[i].key != kEmpty && slots_[i].key != e.first) i = (i + 1) & mask_;
      if (slots_[i].key == e.first && uint32_t(slots_[i].val >> 32) <= uint32_t(e.second >> 32)) continue;  // keep best rank
      slots_[i] = Slot{e.first, e.second};
    }
  }
  // Returns rank << 32 | merged, or all-ones when the pair does not merge.
  inline uint64_t find(uint32_t l, uint32_t r) const {
    uint64_t key = (uint64_t(l) << 32) | r;
    size_t i = mix(key) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.val;
      if (s.key == kEmpty) return ~0ull;
      i = (i + 1) & mask_;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~0ull;
  struct Slot { uint64_t key, val; };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

// One cache line: the chunk's bytes zero-padded to 24 (compared as three words, no memcmp), its length
// and dummy-prefix flag in `meta`, and up to 7 ids.
struct alignas(64) CacheSlot {
  uint64_t key[3];
  uint32_t meta;  // length | virtual-space flag << 8 | n_ids << 16; 0 = empty
  uint32_t ids[kCacheIdsMax];
};
static_assert(sizeof(CacheSlot) == 64, "cache slot is one cache line");

struct SpmScratch final : Scratch {
  // 2-way set associative, 2^16 sets of two adjacent slots (8 MiB per thread). Direct-mapped, frequent
  // words that collided evicted each other on every occurrence; a miss replaces the way named by a
  // toggle bit kept in way 0. The set index comes from the hash's high bits: the low bit is forced to 1
  // (0 marks "not cacheable"), and indexing with it once left half of the sets unused (11k instead of
  // 3.8k misses per pass over the prose benchmark, 82 -> 111 MB/s).
  static constexpr int kSetBits = 16;
  static constexpr size_t kCacheSlots = size_t(2) << kSetBits;
  std::vector<CacheSlot> cache = std::vector<CacheSlot>(kCacheSlots, CacheSlot{{0, 0, 0}, 0, {}});
  std::vector<uint32_t> syms;   // current symbol ids of a chunk
  std::vector<uint64_t> pairs;  // linear kernel: rank << 32 | merged of (syms[i], syms[i+1])
  std::vector<int32_t> prev, next;
  std::vector<uint64_t> heap;   // heap kernel: rank << 32 | left index

  CacheSlot* set_of(uint64_t h) { return &cache[(h >> (64 - kSetBits)) * 2]; }
};


class SpmBpe final : public Encoder {
 public:
  explicit SpmBpe(const ModelData& m) { compile(m); }

  std::unique_ptr<Scratch> make_scratch() const override { return std::make_unique<SpmScratch>(); }
  uint32_t vocab_size() const override { return uint32_t(pieces_.size()); }

  // Two phases per block of chunks: the scan finds up to kBlock chunk boundaries, computes each chunk's
  // key and hash and prefetches its cache set; then the chunks are encoded in order. The cache is larger
  // than L2, so without the prefetch most of the time went to waiting for slot loads (perf: ~50% on one
  // load). Ids go straight into `out`, with room reserved once per block.
  void encode(const uint8_t* t, size_t len, IdBuf& out, Scratch& scratch, bool first = true) const override {
    if (len == 0) return;  // sentencepiece: no dummy prefix for empty input
    SpmScratch& S = static_cast<SpmScratch&>(scratch);
    Out o{out, out.size()};
    bool virt = first && add_dummy_prefix_;
    if (virt && !space_mergeable_) {  // "▁" never merges: the dummy prefix is a token of its own
      out.room(4);
      emit_char(kSpaceCp, o);
      virt = false;
    }
    Chunk block[kBlock];
    size_t nb = 0, iso_bytes = 0;
    auto add_chunk = [&](size_t start, size_t n, bool v, uint32_t iso_cp) {
      Chunk& c = block[nb++];
      c.start = uint32_t(start);
      c.n = uint32_t(n);
      c.virt = v;
      c.iso_cp = iso_cp;
      c.hash = 0;
      if (n && n <= kCacheKeyMax) {
        chunk_key(t + start, n, t + len, v, c.key, &c.meta);
        c.hash = key_hash(c.key, c.meta);
        __builtin_prefetch(S.set_of(c.hash));
      }
    };
    auto drain = [&]() {
      // Room for what is pushed without a check: an isolated character gives at most 3 ids per input
      // byte (byte fallback; an invalid byte is U+FFFD, three bytes), a cache hit copies a fixed 7 ids,
      // an empty chunk 1. A chunk that misses the cache reserves its own room.
      out.room(3 * iso_bytes + 8 * nb + 8);
      for (size_t k = 0; k < nb; k++) {
        const Chunk& c = block[k];
        flush(t + c.start, c, o, S);
        if (c.iso_cp != kNoChar) emit_char(c.iso_cp, o);
      }
      nb = 0;
      iso_bytes = 0;
    };
    size_t seg = 0, i = 0;
    bool word = false;  // the current chunk has a non-space character
    while (i < len) {
      uint8_t b = t[i];
      uint32_t clen = 1, cp = b;
      uint8_t cls = byte_class_[b];
      if (cls == kMergeable) {  // the common case: a run of ASCII characters that merge
        do i++;
        while (i < len && byte_class_[t[i]] == kMergeable);
        word = true;
        continue;
      }
      if (cls == kMulti) {
        cp = decode_char(t + i, len - i, &clen);
        cls = classify(cp);
      }
      if (cls == kMergeable) {
        word = true;
      } else if (cls == kSpace) {
        if (word && chunkable_) {
          add_chunk(seg, i - seg, virt, kNoChar);
          seg = i;
          virt = false;
          word = false;
        }
      } else {  // isolated: never part of a merge, so a chunk boundary on both sides
        add_chunk(seg, i - seg, virt, cp == 0x20 ? kSpaceCp : cp);
        iso_bytes += clen;
        virt = false;
        seg = i + clen;
        word = false;
      }
      i += clen;
      if (nb == kBlock) drain();
    }
    add_chunk(seg, len - seg, virt, kNoChar);
    drain();
  }

  // Cuts before a space that follows an ASCII character other than a space, or after an isolated ASCII
  // character (LLaMA: "\n", "\t", digits) that is a vocabulary piece: the chunker starts a new chunk
  // there in the whole document as in a part that does not start it (no dummy prefix), and neither side
  // ends with an <unk> that could fuse with the other. Only when chunking is exact at all.
  size_t safe_cut(const uint8_t* t, size_t len, size_t from) const override {
    if (!chunkable_ || !space_mergeable_) return len;
    for (size_t i = from < 1 ? 1 : from; i < len; i++) {
      uint8_t p = t[i - 1];
      if (p >= 0x80 || p == 0x20) continue;
      if (t[i] == 0x20) return i;
      if (ascii_class_[p] == kIsolated && ascii_id_[p] >= 0) return i;
    }
    return len;
  }

  void decode(const uint32_t* ids, size_t n, std::string& out) const override {
    bool first = true;
    for (size_t k = 0; k < n; k++) {
      uint32_t id = ids[k];
      if (id >= pieces_.size() || types_[id] == spm::CONTROL) continue;
      const std::string& s = surface_[id];
      // sentencepiece strips the dummy-prefix space from the first piece of the text
      if (first && add_dummy_prefix_ && !s.empty() && s[0] == ' ') out.append(s, 1, std::string::npos);
      else out += s;
      first = false;
    }
  }

 private:
  enum : uint8_t { kMergeable = 0, kSpace = 1, kIsolated = 2, kMulti = 3 /* lead of a multi-byte character */ };

  uint8_t classify(uint32_t cp) const {
    if (cp == kSpaceCp) return space_mergeable_ ? kSpace : kIsolated;
    int32_t id = cp < cp_id_.size() ? cp_id_[cp] : -1;
    return (id >= 0 && merges_at_[id]) ? kMergeable : kIsolated;
  }

  // The output and where the current document (or part) starts in it; room is reserved by the caller.
  struct Out {
    IdBuf& buf;
    size_t start;
  };

  // One character that never merges: its piece, or byte fallback / <unk>.
  void emit_char(uint32_t cp, Out& o) const {
    int32_t id = cp < cp_id_.size() ? cp_id_[cp] : -1;
    if (id >= 0) {
      o.buf.push(uint32_t(id));
      return;
    }
    if (byte_fallback_) {
      uint8_t buf[4];
      size_t n = encode_utf8(cp, buf);
      for (size_t k = 0; k < n; k++) o.buf.push(byte_id_[buf[k]]);
      return;
    }
    // no byte fallback: consecutive unknown characters fuse into one <unk> (every character yields a
    // token, so a preceding <unk> in this document means the previous character was unknown too)
    if (o.buf.size() > o.start && o.buf.back() == uint32_t(unk_id_)) return;
    o.buf.push(uint32_t(unk_id_));
  }

  static constexpr size_t kBlock = 64;
  static constexpr uint32_t kNoChar = 0xffffffffu;
  struct Chunk {
    uint64_t key[3];  // cache key (valid when hash != 0)
    uint64_t hash;    // cache hash (0: not cacheable or empty)
    uint32_t start, n;
    uint32_t iso_cp;  // an isolated character emitted after the chunk, or kNoChar
    uint32_t meta;
    bool virt;
  };

  // The chunk's bytes as three zero-padded words. Away from the end of the text this is three
  // unaligned loads and masks (a variable-length memcpy call cost more than the rest of a cache hit).
  static inline void chunk_key(const uint8_t* s, size_t n, const uint8_t* end, bool virt, uint64_t w[3], uint32_t* meta) {
    if (size_t(end - s) >= 24) {
      std::memcpy(w, s, 24);
      w[0] &= n >= 8 ? ~0ull : (1ull << (8 * n)) - 1;
      w[1] &= n >= 16 ? ~0ull : n <= 8 ? 0 : (1ull << (8 * (n - 8))) - 1;
      w[2] &= n >= 24 ? ~0ull : n <= 16 ? 0 : (1ull << (8 * (n - 16))) - 1;
    } else {
      w[0] = w[1] = w[2] = 0;
      std::memcpy(w, s, n);
    }
    *meta = uint32_t(n) | (virt ? 0x100u : 0);
  }
  static inline uint64_t key_hash(const uint64_t w[3], uint32_t meta) {
    return mix((w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] * 0xc2b2ae3d27d4eb4full) ^ (w[2] * 0x165667b19e3779f9ull) ^ meta) | 1;
  }

  // Encodes one chunk (only mergeable characters and spaces), through the per-thread cache.
  void flush(const uint8_t* s, const Chunk& c, Out& o, SpmScratch& S) const {
    const size_t n = c.n;
    if (n == 0) {
      if (c.virt) o.buf.push(uint32_t(space_id_));
      return;
    }
    CacheSlot* slot = nullptr;
    CacheSlot* cache_set = nullptr;
    if (c.hash) {
      CacheSlot* set = S.set_of(c.hash);
      for (int way = 0; way < 2; way++) {
        const CacheSlot* e = set + way;
        if ((e->meta & 0xffff) == c.meta && e->key[0] == c.key[0] && e->key[1] == c.key[1] && e->key[2] == c.key[2]) {
          std::memcpy(o.buf.room(0), e->ids, sizeof e->ids);  // fixed size: two moves, no loop
          o.buf.commit((e->meta >> 16) & 0xff);
          return;
        }
      }
      // the victim: an empty way, else the way the toggle (bit 31 of way 0's meta) names
      cache_set = set;
      if ((set[0].meta & 0xffff) == 0) slot = set;
      else if ((set[1].meta & 0xffff) == 0) slot = set + 1;
      else slot = set + (set[0].meta >> 31);
    }
    std::vector<uint32_t>& syms = S.syms;
    if (syms.size() < n + 1) syms.resize(n + 1);
    uint32_t* y = syms.data();
    size_t ns = 0;
    if (c.virt) y[ns++] = uint32_t(space_id_);
    for (size_t i = 0; i < n;) {
      uint8_t b = s[i];
      if (b < 0x80) {
        y[ns++] = uint32_t(ascii_id_[b]);
        i++;
      } else {
        uint32_t clen;
        uint32_t cp = decode_char(s + i, n - i, &clen);
        y[ns++] = uint32_t(cp == kSpaceCp ? space_id_ : cp_id_[cp]);
        i += clen;
      }
    }
    syms.resize(ns);
    if (syms.size() > 1) {
      if (syms.size() <= kLinearMax) merge_linear(S);
      else merge_heap(S);
    }
    if (slot && syms.size() <= kCacheIdsMax) {
      std::memcpy(slot->key, c.key, sizeof c.key);
      uint32_t toggle = (cache_set[0].meta & 0x80000000u) ^ 0x80000000u;
      slot->meta = c.meta | uint32_t(syms.size()) << 16;
      cache_set[0].meta = (cache_set[0].meta & 0x7fffffffu) | toggle;
      std::memcpy(slot->ids, syms.data(), syms.size() * 4);
    }
    o.buf.append(syms.data(), syms.size());
  }

  // Flat array, linear min-scan: the first minimum rank is the leftmost best pair.
  void merge_linear(SpmScratch& S) const {
    std::vector<uint32_t>& syms = S.syms;
    std::vector<uint64_t>& pr = S.pairs;
    size_t n = syms.size();
    pr.resize(n);
    for (size_t i = 0; i + 1 < n; i++) pr[i] = pairs_.find(syms[i], syms[i + 1]);
    while (n > 1) {
      uint64_t best = ~0ull;
      size_t bi = 0;
      for (size_t i = 0; i + 1 < n; i++)
        if ((pr[i] >> 32) < (best >> 32)) { best = pr[i]; bi = i; }
      if (best == ~0ull) break;
      syms[bi] = uint32_t(best);
      for (size_t k = bi + 1; k + 1 < n; k++) {  // short arrays: a loop beats memmove calls
        syms[k] = syms[k + 1];
        pr[k] = pr[k + 1];
      }
      n--;
      if (bi > 0) pr[bi - 1] = pairs_.find(syms[bi - 1], syms[bi]);
      if (bi + 1 < n) pr[bi] = pairs_.find(syms[bi], syms[bi + 1]);
    }
    syms.resize(n);
  }

  // Binary heap of (rank, left index) over a linked list, as sentencepiece's agenda. An entry is live when
  // the pair currently at its left index still has its rank (a pair pushed again with the same rank and
  // position is the same candidate, so re-validating by rank keeps sentencepiece's order exactly).
  void merge_heap(SpmScratch& S) const {
    std::vector<uint32_t>& syms = S.syms;
    const int32_t n = int32_t(syms.size());
    std::vector<int32_t>& prev = S.prev;
    std::vector<int32_t>& next = S.next;
    std::vector<uint64_t>& heap = S.heap;
    prev.resize(n);
    next.resize(n);
    heap.clear();
    auto greater = [](uint64_t a, uint64_t b) { return a > b; };  // min-heap on (rank, left)
    auto push = [&](int32_t l) {
      int32_t r = next[l];
      if (r < 0) return;
      uint64_t p = pairs_.find(syms[l], syms[r]);
      if (p == ~0ull) return;
      heap.push_back(((p >> 32) << 32) | uint32_t(l));
      std::push_heap(heap.begin(), heap.end(), greater);
    };
    for (int32_t i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (int32_t i = 0; i + 1 < n; i++) {
      uint64_t p = pairs_.find(syms[i], syms[i + 1]);
      if (p != ~0ull) heap.push_back(((p >> 32) << 32) | uint32_t(i));
    }
    std::make_heap(heap.begin(), heap.end(), greater);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), greater);
      uint64_t top = heap.back();
      heap.pop_back();
      int32_t l = int32_t(uint32_t(top));
      int32_t r = next[l];
      if (syms[l] == kDead || r < 0) continue;
      uint64_t p = pairs_.find(syms[l], syms[r]);
      if (p == ~0ull || (p >> 32) != (top >> 32)) continue;  // stale
      syms[l] = uint32_t(p);
      syms[r] = kDead;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      if (prev[l] >= 0) push(prev[l]);
      push(l);
    }
    size_t w = 0;
    for (int32_t i = 0; i >= 0; i = next[i]) syms[w++] = syms[i];
    syms.resize(w);
  }

  static constexpr uint32_t kDead = 0xffffffffu;

  void compile(const ModelData& m) {
    if (m.merges.empty() && m.model_type != 2)
      throw std::runtime_error("tokenizer.model: model_type is not BPE (unigram/word/char models are not supported)");
    if (m.treat_whitespace_as_suffix) throw std::runtime_error("tokenizer.model: treat_whitespace_as_suffix is not supported");
    if (!m.precompiled_charsmap.empty())
      throw std::runtime_error("tokenizer.model: normaliser '" + m.normalizer_name +
                               "' has a precompiled charsmap; only the identity normaliser (LLaMA) is supported");
    if (m.remove_extra_whitespaces)
      throw std::runtime_error("tokenizer.model: remove_extra_whitespaces=true is not supported (LLaMA stores false)");
    if (!m.escape_whitespaces) throw std::runtime_error("tokenizer.model: escape_whitespaces=false is not supported");
    const size_t V = m.pieces.size();
    pieces_ = m.pieces;
    types_ = m.types;
    unk_id_ = m.unk_id;
    byte_fallback_ = m.byte_fallback;
    add_dummy_prefix_ = m.add_dummy_prefix;
    if (unk_id_ < 0 || size_t(unk_id_) >= V) throw std::runtime_error("tokenizer model: unk id out of range");

    std::unordered_map<std::string, uint32_t> by_piece;  // NORMAL pieces (possible merge symbols)
    for (size_t id = 0; id < V; id++) {
      int t = types_[id];
      if (t == spm::USER_DEFINED || t == spm::UNUSED)
        throw std::runtime_error("tokenizer model: USER_DEFINED / UNUSED pieces are not supported (piece '" + pieces_[id] + "')");
      if (t == spm::NORMAL) by_piece.emplace(pieces_[id], uint32_t(id));
    }
    // byte pieces <0xXX>
    std::fill(std::begin(byte_id_), std::end(byte_id_), uint32_t(unk_id_));
    int n_bytes = 0;
    for (size_t id = 0; id < V; id++) {
      const std::string& p = pieces_[id];
      if (types_[id] == spm::BYTE && p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>') {
        byte_id_[std::stoi(p.substr(3, 2), nullptr, 16)] = uint32_t(id);
        n_bytes++;
      }
    }
    if (byte_fallback_ && n_bytes != 256) throw std::runtime_error("tokenizer model: byte_fallback set but not all 256 <0xXX> pieces exist");

    // single characters -> initial symbol ids
    cp_id_.assign(0x110000, -1);
    for (auto& kv : by_piece) {
      uint32_t clen;
      const auto* s = reinterpret_cast<const uint8_t*>(kv.first.data());
      if (kv.first.empty()) continue;
      uint32_t cp = decode_char(s, kv.first.size(), &clen);
      if (clen == kv.first.size() && !(cp == 0xfffd && kv.first != "\xEF\xBF\xBD")) cp_id_[cp] = int32_t(kv.second);
    }
    space_id_ = cp_id_[kSpaceCp];

    // pair table
    std::vector<std::pair<uint64_t, uint64_t>> entries;
    std::vector<uint8_t> is_target(V, 0);
    if (!m.merges.empty()) {  // explicit ranked merges (HF semantics)
      uint32_t rank = 0;
      for (auto& mg : m.merges) {
        if (mg.first >= V || mg.second >= V) throw std::runtime_error("tokenizer model: merge refers to an unknown id");
        auto it = by_piece.find(pieces_[mg.first] + pieces_[mg.second]);
        if (it == by_piece.end())
          throw std::runtime_error("tokenizer model: merge '" + pieces_[mg.first] + " " + pieces_[mg.second] + "' yields no piece");
        entries.push_back({(uint64_t(mg.first) << 32) | mg.second, (uint64_t(rank++) << 32) | it->second});
        is_target[it->second] = 1;
      }
    } else {  // sentencepiece: every split of a NORMAL piece into two NORMAL pieces, ranked by score
      std::vector<uint32_t> order;
      for (auto& kv : by_piece) order.push_back(kv.second);
      std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return m.scores[a] != m.scores[b] ? m.scores[a] > m.scores[b] : a < b;
      });
      std::vector<uint32_t> rank_of(V, kNoRank);
      uint32_t rank = 0;
      for (size_t k = 0; k < order.size(); k++) {
        if (k > 0 && m.scores[order[k]] != m.scores[order[k - 1]]) rank++;  // equal scores share a rank
        rank_of[order[k]] = rank;
      }
      for (auto& kv : by_piece) {
        const std::string& p = kv.first;
        for (size_t cut = 1; cut < p.size(); cut++) {
          if ((uint8_t(p[cut]) & 0xc0) == 0x80) continue;  // split at character boundaries only
          auto l = by_piece.find(p.substr(0, cut));
          if (l == by_piece.end()) continue;
          auto r = by_piece.find(p.substr(cut));
          if (r == by_piece.end()) continue;
          entries.push_back({(uint64_t(l->second) << 32) | r->second, (uint64_t(rank_of[kv.second]) << 32) | kv.second});
          is_target[kv.second] = 1;
        }
      }
    }
    pairs_.build(entries);
    merges_at_.assign(V, 0);
    for (auto& e : entries) {
      merges_at_[e.first >> 32] = 1;
      merges_at_[uint32_t(e.first)] = 1;
    }
    space_mergeable_ = space_id_ >= 0 && merges_at_[space_id_];

    // exact chunking is valid iff no piece that merges can produce holds "▁" after a non-"▁" character
    chunkable_ = true;
    const std::string sp = "\xE2\x96\x81";
    for (size_t id = 0; id < V && chunkable_; id++) {
      if (!is_target[id]) continue;
      const std::string& p = pieces_[id];
      size_t k = 0;
      while (p.compare(k, 3, sp) == 0) k += 3;
      if (p.find(sp, k) != std::string::npos) chunkable_ = false;
    }

    for (int b = 0; b < 128; b++) {
      uint32_t cp = b == 0x20 ? kSpaceCp : uint32_t(b);
      ascii_class_[b] = classify(cp);
      ascii_id_[b] = b == 0x20 ? space_id_ : cp_id_[b];
    }
    for (int b = 0; b < 256; b++) byte_class_[b] = b < 128 ? ascii_class_[b] : uint8_t(kMulti);
    surface_.resize(V);
    for (size_t id = 0; id < V; id++) {
      if (types_[id] == spm::BYTE && pieces_[id].size() == 6) surface_[id] = std::string(1, char(std::stoi(pieces_[id].substr(3, 2), nullptr, 16)));
      else if (types_[id] == spm::UNKNOWN) surface_[id] = " \xE2\x81\x87 ";  // sentencepiece's default unk_surface
      else if (types_[id] == spm::CONTROL) surface_[id].clear();
      else {
        std::string s = pieces_[id];
        for (size_t k; (k = s.find(sp)) != std::string::npos;) s.replace(k, 3, " ");
        surface_[id] = s;
      }
    }
  }

  std::vector<std::string> pieces_, surface_;
  std::vector<int> types_;
  std::vector<int32_t> cp_id_;
  std::vector<uint8_t> merges_at_;  // id -> 1 when the id is the left or right side of some merge
  PairTable pairs_;
  uint32_t byte_id_[256];
  uint8_t ascii_class_[128];
  uint8_t byte_class_[256];  // ascii_class_, and kMulti for bytes >= 0x80
  int32_t ascii_id_[128];
  int32_t space_id_ = -1;
  int unk_id_ = 0;
  bool byte_fallback_ = false, add_dummy_prefix_ = true, chunkable_ = true, space_mergeable_ = false;

 public:
  bool chunkable() const { return chunkable_; }
};

}  // namespace

std::unique_ptr<Encoder> make_spm_encoder(const spm::ModelData& m, bool* chunkable) {
  auto enc = std::make_unique<SpmBpe>(m);
  if (chunkable) *chunkable = enc->chunkable();
  return enc;
}

}  // namespace corpusmill


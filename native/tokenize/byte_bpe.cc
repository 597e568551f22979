// Byte-level BPE over tiktoken ranks: vocabulary loading, the per-piece encoder (whole-piece lookup,
// word cache, rank BPE) and decoding. Design notes in byte_bpe.h; the pre-tokenizers are in pretok.h.
#include "byte_bpe.h"

#include <algorithm>
#include <cstring>
#include <queue>
#include <stdexcept>

namespace corpusmill {
namespace {

// Pieces shorter than this use tiktoken's flat-array merge loop (O(n·m) but tiny n and cache-friendly);
// longer ones the heap (O(n log n)). tiktoken itself switches at 100 bytes ("_byte_pair_merge_large").
constexpr size_t kLargePiece = 128;

// Word cache: direct-mapped, per thread (32,768 × 72 B = 2.3 MB; 2^13 entries halved the speed on Russian
// Wikipedia), for pieces of at most kCacheKey bytes that needed merging and
// gave at most kCacheIds tokens. Only BPE results are cached: whole-piece hits are cheaper to redo.
constexpr size_t kCacheKey = 30;
constexpr size_t kCacheIds = 8;
constexpr size_t kCacheBits = 15;

struct CacheEntry {
  uint64_t hash;
  uint8_t len;  // 0 = empty
  uint8_t nids;
  uint8_t key[kCacheKey];
  uint32_t ids[kCacheIds];
};

// Short-piece cache: direct-mapped, per thread, (bytes, length) -> the one id of a piece of at most 16
// bytes that is a whole vocabulary token. 384 KB, so it stays in L2 where the 4 MB vocabulary table
// does not; in English nearly all pieces are such short whole tokens (4,096 entries: ~15% slower on a book).
constexpr size_t kShortBits = 14;
constexpr size_t kShortMax = 16;

struct ShortEntry {
  uint64_t head, tail;  // bytes 0-7 and 8-15, zero-padded
  uint32_t len;         // 0 = empty
  uint32_t id;
};

struct BpeScratch final : Scratch {
  const uint8_t* text_end = nullptr;             // end of the text being encoded (for 8-byte loads)
  std::vector<ShortEntry> short_cache = std::vector<ShortEntry>(size_t(1) << kShortBits);
  std::string repaired;                          // the input after UTF-8 repair (only when invalid)
  std::vector<std::pair<uint32_t, uint32_t>> parts;  // (start, rank of the pair starting here)
  std::vector<uint32_t> next, prev;              // linked list of the large-piece merge
  std::vector<CacheEntry> cache = std::vector<CacheEntry>(size_t(1) << kCacheBits);
};

inline uint64_t load_head(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n < 8 ? n : 8);
  return v;
}

// The first min(8, n) bytes at p, zero-padded; one unaligned load when 8 bytes are readable before `end`.
inline uint64_t load_head(const uint8_t* p, size_t n, const uint8_t* end) {
  if (p + 8 <= end) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return n >= 8 ? v : v & ((uint64_t(1) << (8 * n)) - 1);
  }
  return load_head(p, n);
}

inline uint64_t mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

// Hash of token bytes whose first 8 (zero-padded) are `head`; bytes up to `end` may be read.
inline uint64_t hash_bytes(const uint8_t* p, size_t n, uint64_t head, const uint8_t* end) {
  uint64_t h = (head ^ (uint64_t(n) << 56)) * 0x9E3779B97F4A7C15ull;
  for (size_t i = 8; i < n; i += 8) {
    uint64_t v = load_head(p + i, n - i, end);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
  }
  return mix(h);
}

inline uint64_t hash_bytes(const uint8_t* p, size_t n, uint64_t head) { return hash_bytes(p, n, head, p + n); }

int base64_value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding (what tiktoken files use); false on a malformed string.
bool base64_decode(const uint8_t* s, size_t n, std::string& out) {
  out.clear();
  if (n % 4 != 0) return false;
  for (size_t i = 0; i < n; i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; k++) {
      if (s[i + k] == '=' && i + 4 == n && k >= 2) {
        v[k] = 0;
        pad++;
      } else {
        if (pad) return false;
        v[k] = base64_value(s[i + k]);
        if (v[k] < 0) return false;
      }
    }
    uint32_t x = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out.push_back(char(x >> 16));
    if (pad < 2) out.push_back(char((x >> 8) & 0xFF));
    if (pad < 1) out.push_back(char(x & 0xFF));
  }
  return true;
}

}  // namespace

ByteBpe::ByteBpe(const uint8_t* tiktoken, size_t len, std::vector<Special> specials, pretok::Pattern pattern)
    : pattern_(pattern), specials_(std::move(specials)) {
  for (int c = 0; c < 128; c++) {
    if (pretok::kAscii.f[c] != unicode::flags(c)) throw std::logic_error("byte_bpe: ASCII class table out of sync");
  }
  // Parse "base64 rank" lines (empty lines ignored, as tiktoken's load_tiktoken_bpe).
  std::vector<std::pair<uint32_t, std::string>> tokens;
  std::string bytes;
  size_t line_no = 0;
  for (size_t i = 0; i < len;) {
    size_t eol = i;
    while (eol < len && tiktoken[eol] != '\n') eol++;
    line_no++;
    size_t end = eol;
    if (end > i && tiktoken[end - 1] == '\r') end--;
    if (end > i) {
      size_t sp = i;
      while (sp < end && tiktoken[sp] != ' ') sp++;
      if (sp == end || sp + 1 == end) throw std::invalid_argument("byte_bpe: .tiktoken line " + std::to_string(line_no) + ": expected \"base64 rank\"");
      uint64_t rank = 0;
      for (size_t k = sp + 1; k < end; k++) {
        uint8_t d = tiktoken[k];
        if (d < '0' || d > '9' || rank > 0x7FFFFFFF) throw std::invalid_argument("byte_bpe: .tiktoken line " + std::to_string(line_no) + ": bad rank");
        rank = rank * 10 + (d - '0');
      }
      if (!base64_decode(tiktoken + i, sp - i, bytes) || bytes.empty())
        throw std::invalid_argument("byte_bpe: .tiktoken line " + std::to_string(line_no) + ": bad base64 token");
      tokens.emplace_back(uint32_t(rank), bytes);
    }
    i = eol + 1;
  }
  if (tokens.empty()) throw std::invalid_argument("byte_bpe: empty .tiktoken vocabulary");
  rank_count_ = tokens.size();
  uint32_t max_rank = 0;
  for (auto& t : tokens) max_rank = std::max(max_rank, t.first);
  // Ranks index flat arrays: refuse a sparse file that would need gigabytes for them.
  if (max_rank >= (1u << 24) && max_rank / 4 > tokens.size())
    throw std::invalid_argument("byte_bpe: ranks up to " + std::to_string(max_rank) + " for " + std::to_string(tokens.size()) + " tokens (too sparse)");
  tok_off_.assign(size_t(max_rank) + 1, 0);
  tok_len_.assign(size_t(max_rank) + 1, 0);
  size_t total = 0;
  for (auto& t : tokens) total += t.second.size();
  blob_.reserve(total);
  for (auto& t : tokens) {
    if (tok_len_[t.first]) throw std::invalid_argument("byte_bpe: duplicate rank " + std::to_string(t.first));
    tok_off_[t.first] = uint32_t(blob_.size());
    tok_len_[t.first] = uint32_t(t.second.size());
    blob_ += t.second;
    max_token_len_ = std::max<uint32_t>(max_token_len_, uint32_t(t.second.size()));
  }
  size_t cap = 1;
  while (cap < tokens.size() * 2) cap <<= 1;
  table_.assign(cap, Slot{0, 0, 0});
  mask_ = cap - 1;
  const uint8_t* b = reinterpret_cast<const uint8_t*>(blob_.data());
  for (auto& t : tokens) {
    const uint8_t* p = b + tok_off_[t.first];
    size_t n = t.second.size();
    uint64_t head = load_head(p, n);
    if (lookup(p, n, head, hash_bytes(p, n, head)) != kNone)
      throw std::invalid_argument("byte_bpe: duplicate token bytes at rank " + std::to_string(t.first));
    size_t i = hash_bytes(p, n, head) & mask_;
    while (table_[i].len) i = (i + 1) & mask_;
    table_[i] = Slot{head, t.first, uint32_t(n)};
  }
  for (int c = 0; c < 256; c++) {
    uint8_t byte = uint8_t(c);
    byte_rank_[c] = rank_of(&byte, 1, &byte + 1);
    if (byte_rank_[c] == kNone)
      throw std::invalid_argument("byte_bpe: the vocabulary lacks the single byte " + std::to_string(c) + " (not a byte-level BPE)");
  }
  vocab_size_ = max_rank + 1;
  for (size_t i = 0; i < specials_.size(); i++) {
    const Special& sp = specials_[i];
    if (sp.text.empty()) throw std::invalid_argument("byte_bpe: empty special token text");
    if (sp.id < tok_len_.size() && tok_len_[sp.id])
      throw std::invalid_argument("byte_bpe: special token " + sp.text + " has id " + std::to_string(sp.id) + ", which is a rank");
    if (!special_by_id_.emplace(sp.id, i).second) throw std::invalid_argument("byte_bpe: two special tokens share id " + std::to_string(sp.id));
    vocab_size_ = std::max(vocab_size_, sp.id + 1);
  }
}

uint32_t ByteBpe::lookup(const uint8_t* p, size_t n, uint64_t head, uint64_t hash) const {
  const uint8_t* b = reinterpret_cast<const uint8_t*>(blob_.data());
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& s = table_[i];
    if (!s.len) return kNone;
    if (s.len == n && s.head == head && (n <= 8 || std::memcmp(b + tok_off_[s.rank] + 8, p + 8, n - 8) == 0)) return s.rank;
  }
}

uint32_t ByteBpe::rank_of(const uint8_t* p, size_t n, const uint8_t* end) const {
  if (n > max_token_len_) return kNone;
  uint64_t head = load_head(p, n, end);
  return lookup(p, n, head, hash_bytes(p, n, head, end));
}

std::unique_ptr<Scratch> ByteBpe::make_scratch() const { return std::make_unique<BpeScratch>(); }

const uint8_t* ByteBpe::valid_text(const uint8_t* text, size_t& len, Scratch& scratch) const {
  if (pretok::utf8_valid(text, len)) return text;
  auto& sc = static_cast<BpeScratch&>(scratch);
  pretok::utf8_repair(text, len, sc.repaired);
  len = sc.repaired.size();
  return reinterpret_cast<const uint8_t*>(sc.repaired.data());
}

void ByteBpe::encode(const uint8_t* text, size_t len, std::vector<uint32_t>& out, Scratch& scratch) const {
  const uint8_t* s = valid_text(text, len, scratch);
  encode_valid(s, len, out, scratch);
}

void ByteBpe::encode_valid(const uint8_t* s, size_t len, std::vector<uint32_t>& out, Scratch& scratch) const {
  switch (pattern_) {
    case pretok::Pattern::kCl100k: encode_segment<pretok::Pattern::kCl100k>(s, len, out, scratch); break;
    case pretok::Pattern::kO200k: encode_segment<pretok::Pattern::kO200k>(s, len, out, scratch); break;
    default: encode_segment<pretok::Pattern::kR50k>(s, len, out, scratch); break;
  }
}

template <pretok::Pattern P>
void ByteBpe::encode_segment(const uint8_t* s, size_t len, std::vector<uint32_t>& out, Scratch& scratch) const {
  static_cast<BpeScratch&>(scratch).text_end = s + len;
  for (size_t p = 0; p < len;) {
    size_t e = pretok::next_piece(P, s, p, len);
    encode_piece(s + p, e - p, out, scratch);
    p = e;
  }
}

void ByteBpe::encode_piece(const uint8_t* p, size_t n, std::vector<uint32_t>& out, Scratch& scratch) const {
  if (n == 1) {
    out.push_back(byte_rank_[p[0]]);
    return;
  }
  auto& sc = static_cast<BpeScratch&>(scratch);
  uint64_t head = 0, hash = 0;
  if (n <= max_token_len_) {
    head = load_head(p, n, sc.text_end);
    hash = hash_bytes(p, n, head, sc.text_end);
    ShortEntry* se = nullptr;
    uint64_t tail = 0;
    if (n <= kShortMax) {
      if (n > 8) tail = load_head(p + 8, n - 8, sc.text_end);
      se = &sc.short_cache[hash & ((size_t(1) << kShortBits) - 1)];
      if (se->len == n && se->head == head && se->tail == tail) {
        out.push_back(se->id);
        return;
      }
    }
    uint32_t r = lookup(p, n, head, hash);
    if (r != kNone) {
      if (se) *se = ShortEntry{head, tail, uint32_t(n), r};
      out.push_back(r);
      return;
    }
  }
  CacheEntry* entry = nullptr;
  if (n <= kCacheKey) {
    entry = &sc.cache[hash & ((size_t(1) << kCacheBits) - 1)];
    if (entry->len == n && entry->hash == hash && std::memcmp(entry->key, p, n) == 0) {
      out.insert(out.end(), entry->ids, entry->ids + entry->nids);
      return;
    }
  }
  size_t before = out.size();
  if (n < kLargePiece) {
    bpe_small(p, n, out, scratch);
  } else {
    bpe_large(p, n, out, scratch);
  }
  size_t produced = out.size() - before;
  if (entry && produced <= kCacheIds) {
    entry->hash = hash;
    entry->len = uint8_t(n);
    entry->nids = uint8_t(produced);
    std::memcpy(entry->key, p, n);
    std::copy(out.begin() + before, out.end(), entry->ids);
  }
}

// tiktoken's _byte_pair_merge: parts[i] = (start of part i, rank of the bytes of parts i and i+1
// together); repeatedly merge the first minimum, then refresh the ranks of the two neighbouring pairs.
void ByteBpe::bpe_small(const uint8_t* p, size_t n, std::vector<uint32_t>& out, Scratch& scratch) const {
  auto& parts = static_cast<BpeScratch&>(scratch).parts;
  parts.clear();
  const uint8_t* end = static_cast<BpeScratch&>(scratch).text_end;
  for (size_t i = 0; i + 1 < n; i++) parts.emplace_back(uint32_t(i), rank_of(p + i, 2, end));
  parts.emplace_back(uint32_t(n - 1), kNone);
  parts.emplace_back(uint32_t(n), kNone);
  // Rank of parts i, i+1, i+2 merged... i.e. of the bytes from parts[i] to parts[i+3].
  auto pair_rank = [&](size_t i) -> uint32_t {
    if (i + 3 >= parts.size()) return kNone;
    return rank_of(p + parts[i].first, parts[i + 3].first - parts[i].first, end);
  };
  while (parts.size() > 2) {
    uint32_t best = kNone;
    size_t at = 0;
    for (size_t i = 0; i + 1 < parts.size(); i++) {
      if (parts[i].second < best) {
        best = parts[i].second;
        at = i;
      }
    }
    if (best == kNone) break;
    parts[at].second = pair_rank(at);
    if (at > 0) parts[at - 1].second = pair_rank(at - 1);
    parts.erase(parts.begin() + at + 1);
  }
  for (size_t i = 0; i + 1 < parts.size(); i++) {
    out.push_back(rank_of(p + parts[i].first, parts[i + 1].first - parts[i].first, end));
  }
}

// The same merge order for long pieces: a min-heap of (rank, start) over a doubly linked list of parts.
// An entry is stale when its left part was merged away or its right neighbour has grown since; merged
// parts only grow, so "same left start and same end of the right neighbour" identifies the pair.
void ByteBpe::bpe_large(const uint8_t* p, size_t n, std::vector<uint32_t>& out, Scratch& scratch) const {
  auto& sc = static_cast<BpeScratch&>(scratch);
  const uint8_t* end = sc.text_end;
  auto& next = sc.next;  // next[i]: start of the part after the part starting at i (n at the end)
  auto& prev = sc.prev;  // prev[i]: start of the part before; kNone for the first; dead parts: next = 0
  next.assign(n + 1, 0);
  prev.assign(n + 1, kNone);
  for (size_t i = 0; i < n; i++) {
    next[i] = uint32_t(i + 1);
    prev[i + 1] = uint32_t(i);
  }
  prev[0] = kNone;
  struct Entry {
    uint32_t rank, start, end;  // the pair [start, end) has this rank
    bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : start > o.start; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto push_pair = [&](uint32_t i) {
    if (i >= n) return;
    uint32_t j = next[i];
    if (j >= n) return;
    uint32_t e = next[j];
    uint32_t r = rank_of(p + i, e - i, end);
    if (r != kNone) heap.push(Entry{r, i, e});
  };
  for (uint32_t i = 0; i + 1 < n; i++) push_pair(i);
  while (!heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    uint32_t i = top.start;
    if (next[i] == 0 || next[i] >= n) continue;  // merged away, or now the last part
    uint32_t j = next[i];
    if (next[j] != top.end) continue;  // the right neighbour changed
    // Merge part j into part i.
    next[i] = next[j];
    if (next[j] <= n) prev[next[j]] = i;
    next[j] = 0;
    if (prev[i] != kNone) push_pair(prev[i]);
    push_pair(i);
  }
  for (uint32_t i = 0; i < n; i = next[i]) out.push_back(rank_of(p + i, next[i] - i, end));
}

void ByteBpe::encode_with_specials(const uint8_t* text, size_t len, const std::vector<bool>* allowed,
                                   std::vector<uint32_t>& out, Scratch& scratch) const {
  const uint8_t* s = valid_text(text, len, scratch);
  std::vector<const Special*> active;
  bool first_byte[256] = {};
  for (size_t i = 0; i < specials_.size(); i++) {
    if (allowed && (i >= allowed->size() || !(*allowed)[i])) continue;
    active.push_back(&specials_[i]);
    first_byte[uint8_t(specials_[i].text[0])] = true;
  }
  size_t seg = 0;
  for (size_t p = 0; p < len; p++) {
    if (!first_byte[s[p]]) continue;
    const Special* hit = nullptr;
    for (const Special* sp : active) {
      if (sp->text.size() <= len - p && std::memcmp(s + p, sp->text.data(), sp->text.size()) == 0 &&
          (!hit || sp->text.size() > hit->text.size()))
        hit = sp;
    }
    if (!hit) continue;
    encode_valid(s + seg, p - seg, out, scratch);
    out.push_back(hit->id);
    p += hit->text.size() - 1;
    seg = p + 1;
  }
  encode_valid(s + seg, len - seg, out, scratch);
}

void ByteBpe::split(const uint8_t* text, size_t len, std::vector<uint32_t>& ends, Scratch& scratch) const {
  const uint8_t* s = valid_text(text, len, scratch);
  for (size_t p = 0; p < len;) {
    p = pretok::next_piece(pattern_, s, p, len);
    ends.push_back(uint32_t(p));
  }
}

void ByteBpe::decode(const uint32_t* ids, size_t n, std::string& out) const {
  for (size_t i = 0; i < n; i++) {
    uint32_t id = ids[i];
    if (id < tok_len_.size() && tok_len_[id]) {
      out.append(blob_, tok_off_[id], tok_len_[id]);
      continue;
    }
    auto it = special_by_id_.find(id);
    if (it == special_by_id_.end()) throw std::out_of_range("byte_bpe: unknown token id " + std::to_string(id));
    out += specials_[it->second].text;
  }
}

}  // namespace corpusmill

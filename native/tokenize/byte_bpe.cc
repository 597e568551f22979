// Byte-level BPE over tiktoken ranks: vocabulary loading, the per-piece encoder (whole-piece lookup,
// word cache, rank BPE) and decoding. Design notes in byte_bpe.h; the pre-tokenizers are in pretok.h.
#include "byte_bpe.h"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstring>
#include <queue>
#include <stdexcept>

namespace corpusmill {
namespace {

// Pieces shorter than this use tiktoken's flat-array merge loop (O(n·m) but tiny n and cache-friendly);
// longer ones the heap (O(n log n)). tiktoken itself switches at 100 bytes ("_byte_pair_merge_large").
constexpr size_t kLargePiece = 128;

// Ranks fit in 20 bits (the pair table packs two ranks and a result in one u64); all ones is empty.
constexpr uint32_t kMaxRank = (1u << 20) - 1;
constexpr uint64_t kEmptyPair = ~0ull;
constexpr int32_t kNoPair = ByteBpe::kNoPair;

// Word cache: per thread, pieces of at most 32 bytes that needed merging (or are whole tokens of 17-32
// bytes) -> up to 7 ids. One 64-byte line per entry (the key compared as four words, no memcmp), 2-way
// set associative, 2^15 sets (4 MB): direct-mapped, frequent words that collided kept evicting each
// other. It is probed before the vocabulary table, so a piece that needs BPE costs no table miss.
constexpr size_t kWordKey = 32;
constexpr size_t kWordIds = 7;
constexpr int kWordSetBits = 15;

struct alignas(64) WordEntry {
  uint64_t key[4];  // the piece's bytes, zero-padded
  uint32_t meta;    // length | ids << 8; 0 = empty; bit 31 of way 0: the way to replace next
  uint32_t ids[kWordIds];
};
static_assert(sizeof(WordEntry) == 64, "one cache line");

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
  // bpe_small's arrays (pieces shorter than kLargePiece bytes), indexed by the byte where a part starts
  alignas(16) int32_t pair_small[kLargePiece];   // rank of merging the part with the next, or kNoPair
  uint32_t part_small[kLargePiece];              // the part's rank
  uint8_t next_small[kLargePiece], prev_small[kLargePiece];
  std::vector<uint32_t> part;                    // bpe_large: the part (rank) starting at each byte
  std::vector<uint32_t> next, prev;              // linked list of the large-piece merge
  std::vector<uint64_t> heap;                    // large-piece merge: rank << 32 | part start
  std::vector<WordEntry> words = std::vector<WordEntry>(size_t(2) << kWordSetBits);
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
  // Ranks index flat arrays and are packed in 20 bits in the pair table (o200k has 199,998).
  if (max_rank >= kMaxRank)
    throw std::invalid_argument("byte_bpe: rank " + std::to_string(max_rank) + " is too large (ranks up to " + std::to_string(kMaxRank - 1) + " are supported)");
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
  build_pairs();
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

inline uint32_t ByteBpe::merged(uint32_t a, uint32_t b) const {
  uint64_t key = (uint64_t(a) << 20) | b;
  size_t mask = pairs_.size() - 1;
  for (size_t i = (key * 0x9E3779B97F4A7C15ull) >> pair_shift_;; i = (i + 1) & mask) {
    uint64_t s = pairs_[i];
    if ((s >> 24) == key) return uint32_t(s & 0xFFFFF);
    if (s == kEmptyPair) return kNone;
  }
}

void ByteBpe::add_pair(uint64_t e) {
  uint64_t key = e >> 24;
  size_t mask = pairs_.size() - 1;
  size_t i = (key * 0x9E3779B97F4A7C15ull) >> pair_shift_;
  while (pairs_[i] != kEmptyPair) i = (i + 1) & mask;
  pairs_[i] = e;
}

// The pair table. tiktoken merges two adjacent parts when the concatenation of their bytes is a token.
// A token T can only ever be formed from one pair, its *canonical split*: the last merge of BPE on T's
// own bytes. (Were T formed from parts A, B elsewhere, the merges inside A and B only involve bytes of
// T, so BPE on T's bytes alone replays them in the same order, reaches A, B and merges them last.) So a
// table of canonical splits answers exactly as hashing concatenated bytes, and is ~4x smaller than one
// of every split (cl100k: 100k entries, 2 MB). Tokens BPE cannot form from their own bytes get no
// entry: they are never formed by merging, only found as whole pieces.
// Built shortest tokens first: every merge inside T's BPE forms a shorter token, whose canonical split
// is then already in the table, so BPE on T's bytes with the table so far stops exactly at T's last
// merge; when two parts remain, they are T's split.
void ByteBpe::build_pairs() {
  const uint8_t* b = reinterpret_cast<const uint8_t*>(blob_.data());
  size_t cap = 1024;
  int bits = 10;
  while (cap < rank_count_ * 2) {
    cap <<= 1;
    bits++;
  }
  pairs_.assign(cap, kEmptyPair);
  pair_shift_ = 64 - bits;
  byte_pair_.assign(size_t(1) << 16, kNoPair);  // bpe_small reads it while the table is built
  std::vector<uint32_t> order;
  order.reserve(rank_count_);
  for (uint32_t r = 0; r < tok_len_.size(); r++)
    if (tok_len_[r] >= 2) order.push_back(r);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return tok_len_[x] < tok_len_[y]; });
  auto scratch = make_scratch();
  IdBuf parts;
  for (uint32_t r : order) {
    const uint32_t n = tok_len_[r];
    const uint8_t* p = b + tok_off_[r];
    parts.clear();
    parts.room(n + 8);
    static_cast<BpeScratch&>(*scratch).text_end = p + n;
    if (n < kLargePiece) bpe_small(p, n, parts, *scratch);
    else bpe_large(p, n, parts, *scratch);
    if (parts.size() != 2) continue;
    add_pair((uint64_t(parts.data()[0]) << 44) | (uint64_t(parts.data()[1]) << 24) | r);
    if (n == 2) byte_pair_[(size_t(p[0]) << 8) | p[1]] = int32_t(r);  // before any longer token needs it
  }
}

std::unique_ptr<Scratch> ByteBpe::make_scratch() const { return std::make_unique<BpeScratch>(); }

const uint8_t* ByteBpe::valid_text(const uint8_t* text, size_t& len, Scratch& scratch) const {
  if (pretok::utf8_valid(text, len)) return text;
  auto& sc = static_cast<BpeScratch&>(scratch);
  pretok::utf8_repair(text, len, sc.repaired);
  len = sc.repaired.size();
  return reinterpret_cast<const uint8_t*>(sc.repaired.data());
}

void ByteBpe::encode(const uint8_t* text, size_t len, IdBuf& out, Scratch& scratch, bool) const {
  const uint8_t* s = valid_text(text, len, scratch);
  out.room(len + 8);  // a piece of n bytes gives at most n ids; word-cache hits copy a fixed 7
  encode_valid(s, len, out, scratch);
}

// A cut at p is exact for every pattern when (a) the code point at p is horizontal ASCII whitespace
// (space, tab, VT, FF) and the one before it is not whitespace: no alternative ends a piece with
// whitespace after non-whitespace, so a piece ends at p, and the text before p ends in
// non-whitespace, so the end-of-text look-aheads (`\s+(?!\S)`) see the same thing; or (b) the code
// point before p is a letter (\p{L}) and the one at p is neither a letter nor (o200k) a mark nor an
// apostrophe: the letter alternatives take maximal runs, so the letter's piece ends at p whatever
// follows (o200k's marks and contraction suffixes could extend it, hence their exclusion). Pieces
// never depend on text before their start. Invalid UTF-8 is repaired per part: the bytes at a cut are
// valid code points, which end and start maximal invalid subparts the same way in the whole and in the
// parts. (b) gives cut points in text without spaces (Chinese, Japanese).
size_t ByteBpe::safe_cut(const uint8_t* s, size_t len, size_t from) const {
  const uint8_t not_letter_mask = pattern_ == pretok::Pattern::kO200k ? (unicode::kLetter | unicode::kMark) : unicode::kLetter;
  size_t q = from;
  while (q < len && (s[q] & 0xC0) == 0x80) q++;  // to a code point (or invalid byte) boundary
  int prev = -1;                                  // flags of the code point before q; -1 unknown or invalid
  while (q < len) {
    uint32_t n;
    uint32_t cp = pretok::decode_strict(s, q, len, &n);
    int f = cp == pretok::kInvalidCp ? -1 : pretok::cls(cp);
    if (prev >= 0 && f >= 0) {
      bool hspace = cp == ' ' || cp == '\t' || cp == 0x0B || cp == 0x0C;
      if (hspace && !(prev & unicode::kSpace)) return q;
      if ((prev & unicode::kLetter) && !(f & not_letter_mask) && cp != '\'') return q;
    }
    prev = f;
    q += n;
  }
  return len;
}

void ByteBpe::encode_valid(const uint8_t* s, size_t len, IdBuf& out, Scratch& scratch) const {
  switch (pattern_) {
    case pretok::Pattern::kCl100k: encode_segment<pretok::Pattern::kCl100k>(s, len, out, scratch); break;
    case pretok::Pattern::kO200k: encode_segment<pretok::Pattern::kO200k>(s, len, out, scratch); break;
    default: encode_segment<pretok::Pattern::kR50k>(s, len, out, scratch); break;
  }
}

template <pretok::Pattern P>
void ByteBpe::encode_segment(const uint8_t* s, size_t len, IdBuf& out, Scratch& scratch) const {
  static_cast<BpeScratch&>(scratch).text_end = s + len;
  for (size_t p = 0; p < len;) {
    size_t e = pretok::next_piece(P, s, p, len);
    encode_piece(s + p, e - p, out, scratch);
    p = e;
  }
}

void ByteBpe::encode_piece(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const {
  if (n == 1) {
    out.push(byte_rank_[p[0]]);
    return;
  }
  auto& sc = static_cast<BpeScratch&>(scratch);
  const uint8_t* end = sc.text_end;
  uint64_t head = load_head(p, n, end);
  uint64_t hash = hash_bytes(p, n, head, end);
  uint64_t w1 = n > 8 ? load_head(p + 8, n - 8, end) : 0;
  ShortEntry* se = nullptr;
  if (n <= kShortMax) {
    se = &sc.short_cache[hash & ((size_t(1) << kShortBits) - 1)];
    if (se->len == n && se->head == head && se->tail == w1) {
      out.push(se->id);
      return;
    }
  }
  WordEntry* set = nullptr;
  uint64_t w2 = 0, w3 = 0;
  if (n <= kWordKey) {
    if (n > 16) w2 = load_head(p + 16, n - 16, end);
    if (n > 24) w3 = load_head(p + 24, n - 24, end);
    set = &sc.words[(hash >> (64 - kWordSetBits)) * 2];
    for (int way = 0; way < 2; way++) {
      const WordEntry& e = set[way];
      if ((e.meta & 0xFF) == n && e.key[0] == head && e.key[1] == w1 && e.key[2] == w2 && e.key[3] == w3) {
        std::memcpy(out.room(0), e.ids, sizeof e.ids);  // fixed size; encode() reserved 8 spare ids
        out.commit((e.meta >> 8) & 0xFF);
        return;
      }
    }
  }
  size_t before = out.size();
  uint32_t r = n <= max_token_len_ ? lookup(p, n, head, hash) : kNone;
  if (r != kNone) {
    out.push(r);
    if (se) {
      *se = ShortEntry{head, w1, uint32_t(n), r};
      return;
    }
  } else if (n < kLargePiece) {
    bpe_small(p, n, out, scratch);
  } else {
    bpe_large(p, n, out, scratch);
  }
  size_t produced = out.size() - before;
  if (set && produced <= kWordIds) {
    WordEntry* e = (set[0].meta & 0xFF) == 0 ? set : (set[1].meta & 0xFF) == 0 ? set + 1 : set + (set[0].meta >> 31);
    uint32_t toggle = (set[0].meta & 0x80000000u) ^ 0x80000000u;
    e->key[0] = head;
    e->key[1] = w1;
    e->key[2] = w2;
    e->key[3] = w3;
    e->meta = uint32_t(n) | uint32_t(produced) << 8;
    set[0].meta = (set[0].meta & 0x7FFFFFFFu) | toggle;
    std::memcpy(e->ids, out.data() + before, produced * sizeof(uint32_t));
  }
}

// Leftmost minimum of a[0..n) (n a multiple of 4, a 16-byte aligned): its index, or n when every value
// is kNoPair. Two SSE2 passes (the minimum, then its first position): pieces are short, so this beats a
// heap, and a branch-free scan beats the scalar one (which ran at one branch miss per new minimum).
inline size_t leftmost_min(const int32_t* a, size_t n) {
#if defined(__SSE2__)
  __m128i mn = _mm_set1_epi32(kNoPair);
  for (size_t k = 0; k < n; k += 4) {
    __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(a + k));
    __m128i lt = _mm_cmplt_epi32(v, mn);
    mn = _mm_or_si128(_mm_and_si128(lt, v), _mm_andnot_si128(lt, mn));
  }
  __m128i sh = _mm_shuffle_epi32(mn, _MM_SHUFFLE(1, 0, 3, 2));
  __m128i lt = _mm_cmplt_epi32(sh, mn);
  mn = _mm_or_si128(_mm_and_si128(lt, sh), _mm_andnot_si128(lt, mn));
  sh = _mm_shuffle_epi32(mn, _MM_SHUFFLE(2, 3, 0, 1));
  lt = _mm_cmplt_epi32(sh, mn);
  mn = _mm_or_si128(_mm_and_si128(lt, sh), _mm_andnot_si128(lt, mn));
  int32_t best = _mm_cvtsi128_si32(mn);
  if (best == kNoPair) return n;
  for (size_t k = 0;; k += 4) {
    __m128i eq = _mm_cmpeq_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(a + k)), mn);
    int m = _mm_movemask_ps(_mm_castsi128_ps(eq));
    if (m) return k + size_t(__builtin_ctz(unsigned(m)));
  }
#else
  int32_t best = kNoPair;
  size_t at = n;
  for (size_t k = 0; k < n; k++)
    if (a[k] < best) best = a[k], at = k;
  return at;
#endif
}

// tiktoken's _byte_pair_merge over ranks: repeatedly merge the adjacent pair of parts with the lowest
// rank, leftmost on ties. Parts are kept where they start (byte index) in a linked list; pair[i] is the
// rank of merging part i with the next one (from the pair table), kNoPair for dead parts, so merging
// never moves memory and the scan is one pass over a fixed array.
void ByteBpe::bpe_small(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const {
  auto& sc = static_cast<BpeScratch&>(scratch);
  uint32_t* part = sc.part_small;
  int32_t* pair = sc.pair_small;
  uint8_t* nx = sc.next_small;
  uint8_t* pv = sc.prev_small;
  const size_t padded = (n + 3) & ~size_t(3);
  for (size_t i = 0; i < n; i++) {
    part[i] = byte_rank_[p[i]];
    nx[i] = uint8_t(i + 1);
    pv[i] = uint8_t(i - 1);
  }
  for (size_t i = 0; i + 1 < n; i++) pair[i] = byte_pair_[(size_t(p[i]) << 8) | p[i + 1]];
  for (size_t i = n - 1; i < padded; i++) pair[i] = kNoPair;
  for (;;) {
    size_t i = leftmost_min(pair, padded);
    if (i == padded) break;
    size_t j = nx[i], k = nx[j];
    part[i] = uint32_t(pair[i]);
    pair[j] = kNoPair;
    nx[i] = uint8_t(k);
    if (k < n) {
      pv[k] = uint8_t(i);
      uint32_t r = merged(part[i], part[k]);
      pair[i] = r == kNone ? kNoPair : int32_t(r);
    } else {
      pair[i] = kNoPair;
    }
    if (i > 0) {
      size_t h = pv[i];
      uint32_t r = merged(part[h], part[i]);
      pair[h] = r == kNone ? kNoPair : int32_t(r);
    }
  }
  uint32_t* d = out.room(0);  // the caller reserved n
  size_t m = 0;
  for (size_t i = 0; i < n; i = nx[i]) d[m++] = part[i];
  out.commit(m);
}

// The same merge order for long pieces: a min-heap of (rank, start of the left part) over a linked list
// of parts. An entry is live while the pair at its start still merges to its rank: parts only grow, and
// the same rank at the same start means the same bytes, i.e. the same merge (as sentencepiece's agenda).
void ByteBpe::bpe_large(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const {
  auto& sc = static_cast<BpeScratch&>(scratch);
  if (sc.part.size() < n + 1) sc.part.resize(n + 1);
  uint32_t* part = sc.part.data();  // part[i]: rank of the part starting at byte i (if alive)
  auto& next = sc.next;             // next[i]: start of the next part (n at the end); dead parts: 0
  auto& prev = sc.prev;             // prev[i]: start of the previous part; kNone for the first
  auto& heap = sc.heap;
  next.resize(n + 1);
  prev.resize(n + 1);
  heap.clear();
  for (size_t i = 0; i < n; i++) {
    part[i] = byte_rank_[p[i]];
    next[i] = uint32_t(i + 1);
    prev[i] = i ? uint32_t(i - 1) : kNone;
  }
  auto greater = [](uint64_t a, uint64_t b) { return a > b; };  // min-heap on (rank, start)
  for (uint32_t i = 0; i + 1 < n; i++) {
    uint32_t r = merged(part[i], part[i + 1]);
    if (r != kNone) heap.push_back((uint64_t(r) << 32) | i);
  }
  std::make_heap(heap.begin(), heap.end(), greater);
  auto push = [&](uint32_t i) {
    uint32_t j = next[i];
    if (j >= n) return;
    uint32_t r = merged(part[i], part[j]);
    if (r == kNone) return;
    heap.push_back((uint64_t(r) << 32) | i);
    std::push_heap(heap.begin(), heap.end(), greater);
  };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), greater);
    uint64_t top = heap.back();
    heap.pop_back();
    uint32_t i = uint32_t(top), r = uint32_t(top >> 32);
    if (next[i] == 0 || next[i] >= n) continue;  // merged away, or now the last part
    uint32_t j = next[i];
    if (merged(part[i], part[j]) != r) continue;  // stale
    part[i] = r;
    next[i] = next[j];
    if (next[j] < n) prev[next[j]] = i;
    next[j] = 0;
    if (prev[i] != kNone) push(prev[i]);
    push(i);
  }
  uint32_t* d = out.room(0);
  size_t m = 0;
  for (uint32_t i = 0; i < n; i = next[i]) d[m++] = part[i];
  out.commit(m);
}

void ByteBpe::encode_with_specials(const uint8_t* text, size_t len, const std::vector<bool>* allowed, IdBuf& out, Scratch& scratch) const {
  const uint8_t* s = valid_text(text, len, scratch);
  out.room(len + 8);  // a special token replaces at least one byte; 8: see encode()
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
    out.push(hit->id);
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

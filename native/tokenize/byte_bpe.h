// Byte-level BPE over tiktoken ranks (cl100k_base, o200k_base, LLaMA-3, r50k/p50k, any .tiktoken file).
//
// Design (why it is built this way; numbers in docs/tokenize-tiktoken.md; instruction counts from
// callgrind on the bench inputs, one thread, before -> after issue 15: cl100k English 61 -> 52, code
// 81 -> 53, multilingual 128 -> 76 instructions per byte; o200k and llama3 multilingual 130/127 -> 83/75):
// - Pre-tokenize with the hand-written splitters of pretok.h (no regex engine: tiktoken spends most of
//   its time in the regex); SSE2 for ASCII letter runs, a flat 64 KB class table for the BMP.
// - Per piece, cheapest first: a single byte -> its rank from a 256-entry table; a per-thread 384 KB
//   cache of short pieces (≤ 16 bytes) that are whole tokens, because the 4 MB vocabulary table misses
//   L2 and such pieces are nearly all of English; a per-thread 2-way word cache (pieces ≤ 32 bytes ->
//   ids), probed before the vocabulary table so a piece that needs merging costs no table miss; the
//   whole piece in the vocabulary -> one id (this shortcut is semantic, not only an optimisation:
//   tiktoken's encoder does it too, and for some tokens it differs from what merging would give); else
//   rank BPE.
// - Rank BPE is tiktoken's (merge the adjacent pair whose concatenation has the lowest rank, leftmost on
//   ties) over token ids: a table of canonical splits (left, right) -> merged answers exactly what
//   hashing the concatenated bytes answers (see build_pairs), 4x smaller than a table of every split;
//   byte pairs come from a direct 64K table. Short pieces merge in place with a branch-free SSE2
//   leftmost-minimum scan (multilingual text: 128 -> 94 instructions per byte with the first two
//   alone); long ones (a 1 MB "word") use a binary heap over a linked list, so nothing is quadratic.
// - The vocabulary is one open-addressing table keyed by token bytes (first 8 bytes inline in the slot,
//   the rest compared against one contiguous blob), probed with the hash computed once per piece.
// - Input bytes that are not valid UTF-8 are first repaired the WHATWG way (see pretok::utf8_repair), the
//   same bytes the reference sees after Node decodes them to a string.
// - safe_cut() finds where a long document can be cut into parts encoded separately (byte_bpe.cc).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "encoder.h"
#include "pretok.h"

namespace corpusmill {

class ByteBpe final : public Encoder {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  static constexpr int32_t kNoPair = 0x7FFFFFFF;  // "does not merge" in the merge loop's signed arrays

  struct Special {
    std::string text;
    uint32_t id;
  };

  // `tiktoken`: the contents of a .tiktoken file ("base64(token bytes) rank" per line). Throws
  // std::invalid_argument on a malformed file, a duplicate rank or token, a missing single byte, or a
  // special id that collides with a rank.
  ByteBpe(const uint8_t* tiktoken, size_t len, std::vector<Special> specials, pretok::Pattern pattern);

  std::unique_ptr<Scratch> make_scratch() const override;
  // Ordinary text: special-token text written in the document is encoded like any other text.
  // `first` does not matter: byte-level BPE has no document-start rule.
  void encode(const uint8_t* text, size_t len, IdBuf& out, Scratch& scratch, bool first = true) const override;
  // Cuts where every pattern is guaranteed a piece boundary (see byte_bpe.cc).
  size_t safe_cut(const uint8_t* text, size_t len, size_t from) const override;
  // Throws std::out_of_range for an id that is neither a rank nor a special token.
  void decode(const uint32_t* ids, size_t n, std::string& out) const override;
  uint32_t vocab_size() const override { return vocab_size_; }

  // Like encode(), but occurrences of the allowed special tokens (indices into specials(); null = all)
  // become their ids, as tiktoken's encode(text, allowed_special=...). The text between them is encoded
  // as separate segments (the end of a segment is an end of text for the pre-tokenizer, as in tiktoken).
  void encode_with_specials(const uint8_t* text, size_t len, const std::vector<bool>* allowed, IdBuf& out, Scratch& scratch) const;
  // Piece end offsets of the pre-tokenizer over `text` (after UTF-8 repair), for tests and debugging.
  void split(const uint8_t* text, size_t len, std::vector<uint32_t>& ends, Scratch& scratch) const;

  const std::vector<Special>& specials() const { return specials_; }
  size_t rank_count() const { return rank_count_; }
  pretok::Pattern pattern() const { return pattern_; }

 private:
  struct Slot {
    uint64_t head;  // first min(8, len) bytes of the token, zero-padded
    uint32_t rank;
    uint32_t len;  // 0 = empty slot
  };

  uint32_t lookup(const uint8_t* p, size_t n, uint64_t head, uint64_t hash) const;
  // Rank of the bytes [p, p+n), or kNone; bytes up to `end` (≥ p+n) may be read.
  uint32_t rank_of(const uint8_t* p, size_t n, const uint8_t* end) const;
  // Rank of the token whose bytes are those of ranks a and b concatenated, or kNone.
  inline uint32_t merged(uint32_t a, uint32_t b) const;
  void build_pairs();
  void add_pair(uint64_t entry);
  // Ordinary text that is valid UTF-8, its end being an end of text for the pre-tokenizer. `out` must
  // have room for `len` more ids (a piece of n bytes gives at most n ids).
  void encode_valid(const uint8_t* s, size_t len, IdBuf& out, Scratch& scratch) const;
  template <pretok::Pattern P>
  void encode_segment(const uint8_t* s, size_t len, IdBuf& out, Scratch& scratch) const;
  void encode_piece(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const;
  void bpe_small(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const;
  void bpe_large(const uint8_t* p, size_t n, IdBuf& out, Scratch& scratch) const;
  const uint8_t* valid_text(const uint8_t* text, size_t& len, Scratch& scratch) const;

  pretok::Pattern pattern_;
  std::string blob_;                // all token bytes, concatenated
  std::vector<uint32_t> tok_off_;   // by rank: offset in blob_
  std::vector<uint32_t> tok_len_;   // by rank: length (0 = no such rank)
  std::vector<Slot> table_;
  uint64_t mask_ = 0;
  // (left rank, right rank) -> rank of the concatenation, for canonical splits only (see build_pairs):
  // one u64 per slot, left << 44 | right << 24 | merged (ranks < 2^20), all ones = empty.
  std::vector<uint64_t> pairs_;
  int pair_shift_ = 64;
  // The same for two single bytes, as a direct 64K table (the first merges of every BPE): rank or kNoPair.
  std::vector<int32_t> byte_pair_;
  uint32_t byte_rank_[256];
  uint32_t max_token_len_ = 0;
  size_t rank_count_ = 0;
  uint32_t vocab_size_ = 0;
  std::vector<Special> specials_;
  std::unordered_map<uint32_t, size_t> special_by_id_;
};

}  // namespace corpusmill

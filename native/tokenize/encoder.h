// The interface every tokenizer model implements (SentencePiece BPE for LLaMA-1/2, byte-level BPE
// for cl100k_base / o200k_base / llama3 / any .tiktoken file), so the batch, thread and shard
// machinery is written once.
//
// Contract:
// - encode() appends the ids of one document (raw UTF-8 bytes, possibly invalid) to `out`,
//   WITHOUT BOS/EOS (the caller adds them per its options). It must be exact to the reference
//   tokenizer, linear-ish in the input (no quadratic case), and safe to call concurrently from
//   many threads on one const Encoder: per-thread mutable state lives in the Scratch the caller owns.
// - safe_cut() finds where a long document may be cut so that encoding the parts separately (the
//   first with `first` = true, the others false) gives exactly the ids of the whole: the batch engine
//   uses it so one long document is not one thread's work.
// - decode() appends the bytes of `ids` to `out` (byte-fallback / byte-level tokens become raw bytes).
#pragma once
#include <napi.h>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace corpusmill {

// Growable output of token ids. Unlike std::vector it never value-initialises: an encoder reserves
// room for the most ids a piece can give (room()), writes them with push(), and the buffer grows by
// realloc. (vector::push_back's capacity check per id and resize()'s zero fill were measurable.)
class IdBuf {
 public:
  IdBuf() = default;
  IdBuf(const IdBuf&) = delete;
  IdBuf& operator=(const IdBuf&) = delete;
  IdBuf(IdBuf&& o) noexcept : p_(o.p_), n_(o.n_), cap_(o.cap_) { o.p_ = nullptr; o.n_ = o.cap_ = 0; }
  ~IdBuf() { std::free(p_); }

  // Room for at least k more ids; returns where the next id goes.
  uint32_t* room(size_t k) {
    if (cap_ - n_ < k) grow(n_ + k);
    return p_ + n_;
  }
  // Appends one id; room() must have reserved it.
  void push(uint32_t id) { p_[n_++] = id; }
  // Counts k ids written at room()'s pointer.
  void commit(size_t k) { n_ += k; }
  void append(const uint32_t* ids, size_t k) {
    uint32_t* d = room(k);
    for (size_t i = 0; i < k; i++) d[i] = ids[i];
    n_ += k;
  }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const uint32_t* data() const { return p_; }
  uint32_t* data() { return p_; }
  uint32_t back() const { return p_[n_ - 1]; }
  void clear() { n_ = 0; }
  void truncate(size_t n) { n_ = n; }
  // Frees the memory (a buffer that grew for one huge document does not stay huge).
  void release() {
    std::free(p_);
    p_ = nullptr;
    n_ = cap_ = 0;
  }

 private:
  void grow(size_t need) {
    size_t c = cap_ * 2 > need ? cap_ * 2 : need;
    if (c < 1024) c = 1024;
    void* q = std::realloc(p_, c * sizeof(uint32_t));
    if (!q) throw std::bad_alloc();
    p_ = static_cast<uint32_t*>(q);
    cap_ = c;
  }
  uint32_t* p_ = nullptr;
  size_t n_ = 0, cap_ = 0;
};

// Per-thread scratch space an encoder may use (word cache, work buffers). Encoders subclass it.
struct Scratch {
  virtual ~Scratch() = default;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual std::unique_ptr<Scratch> make_scratch() const = 0;
  // `first` is false for a part of a document that does not start it (cut at a safe_cut() position).
  virtual void encode(const uint8_t* text, size_t len, IdBuf& out, Scratch& scratch, bool first = true) const = 0;
  // The first position p in [from, len] where text may be cut (see the contract above); len when there
  // is none. Positions are byte offsets into the raw (possibly invalid UTF-8) text.
  virtual size_t safe_cut(const uint8_t* text, size_t len, size_t from) const {
    (void)text;
    (void)from;
    return len;
  }
  virtual void decode(const uint32_t* ids, size_t n, std::string& out) const = 0;
  // Number of ids (max id + 1), including special tokens.
  virtual uint32_t vocab_size() const = 0;
};

// Models register a factory by kind (a static RegisterEncoder in their .cc file), so the batch engine
// creates them from a JS spec object `{kind, ...}` without link-time coupling. Known kinds:
// - "spm_bpe"  (native/tokenize/spm_*.cc): SentencePiece BPE (LLaMA-1/2).
// - "byte_bpe" (native/tokenize/byte_bpe*.cc): spec `{kind:'byte_bpe', tiktoken: Buffer /* .tiktoken file
//   contents: "base64token rank" lines */, specials: {[text]: id}, pattern: 'cl100k_base'|'o200k_base'|'llama3'}`.
// A factory throws (Napi::Error or std::exception) on a bad spec.
using EncoderFactory = std::function<std::unique_ptr<Encoder>(const Napi::Object& spec)>;
inline std::map<std::string, EncoderFactory>& encoder_factories() { static std::map<std::string, EncoderFactory> m; return m; }
struct RegisterEncoder { RegisterEncoder(const std::string& kind, EncoderFactory f) { encoder_factories()[kind] = std::move(f); } };

}  // namespace corpusmill

// The interface every tokenizer model implements (SentencePiece BPE for LLaMA-1/2, byte-level BPE
// for cl100k_base / o200k_base / llama3 / any .tiktoken file), so the batch, thread and shard
// machinery is written once.
//
// Contract:
// - encode() appends the ids of one document (raw UTF-8 bytes, possibly invalid) to `out`,
//   WITHOUT BOS/EOS (the caller adds them per its options). It must be exact to the reference
//   tokenizer, linear-ish in the input (no quadratic case), and safe to call concurrently from
//   many threads on one const Encoder: per-thread mutable state lives in the Scratch the caller owns.
// - decode() appends the bytes of `ids` to `out` (byte-fallback / byte-level tokens become raw bytes).
#pragma once
#include <napi.h>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace corpusmill {

// Per-thread scratch space an encoder may use (word cache, work buffers). Encoders subclass it.
struct Scratch {
  virtual ~Scratch() = default;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual std::unique_ptr<Scratch> make_scratch() const = 0;
  virtual void encode(const uint8_t* text, size_t len, std::vector<uint32_t>& out, Scratch& scratch) const = 0;
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

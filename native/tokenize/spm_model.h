// The data of a SentencePiece-style BPE model, loaded from either
//   (a) a SentencePiece `tokenizer.model` (ModelProto, proto2, parsed by hand: no protobuf library), or
//   (b) a piece list in id order plus a ranked merge list (HF `tokenizer.json` BPE, llama-tokenizer-js).
// The encoder (spm_bpe.cc) compiles this into id-pair tables; nothing here is on the hot path.
//
// Field numbers and proto2 defaults: google/sentencepiece src/sentencepiece_model.proto (see
// ../shared/reference/tokenizers.md §1.1). Absent fields take their proto2 default, which matters:
// add_dummy_prefix, remove_extra_whitespaces and escape_whitespaces all default to TRUE.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace corpusmill {
namespace spm {

enum PieceType : int { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6 };

struct ModelData {
  std::vector<std::string> pieces;  // id -> piece bytes (U+2581 "▁" stands for a space)
  std::vector<float> scores;        // id -> score (larger merges first); used when merges is empty
  std::vector<int> types;           // id -> PieceType
  // Explicit ranked merges (a, b) in priority order (HF semantics: only these pairs merge). When empty,
  // SentencePiece semantics apply: every split of a NORMAL piece into two NORMAL pieces merges, ranked
  // by the merged piece's score.
  std::vector<std::pair<uint32_t, uint32_t>> merges;
  int model_type = 1;  // TrainerSpec.model_type: UNIGRAM=1 (proto default), BPE=2
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  int unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
  std::string normalizer_name;
  std::string precompiled_charsmap;
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// Parses a SentencePiece ModelProto. Throws std::runtime_error on malformed input.
ModelData parse_model_proto(const uint8_t* data, size_t len);

}  // namespace spm
}  // namespace corpusmill

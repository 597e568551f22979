// Hand-written reader for SentencePiece's ModelProto (proto2 wire format). It reads only the fields the
// encoder needs and skips every other field by wire type, so newer .model files with extra fields load.
#include "spm_model.h"

#include <cstring>

namespace corpusmill {
namespace spm {
namespace {

class Wire {
 public:
  Wire(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ >= end_; }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) throw std::runtime_error("tokenizer.model: truncated varint");
      uint8_t b = *p_++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("tokenizer.model: varint longer than 10 bytes");
  }
  uint32_t fixed32() {
    need(4);
    uint32_t v;
    std::memcpy(&v, p_, 4);  // little-endian hosts only (x86, ARM)
    p_ += 4;
    return v;
  }
  Wire bytes() {
    uint64_t n = varint();
    need(n);
    Wire w(p_, size_t(n));
    p_ += n;
    return w;
  }
  std::string str() {
    Wire w = bytes();
    return std::string(reinterpret_cast<const char*>(w.p_), size_t(w.end_ - w.p_));
  }
  void skip(int wire_type) {
    switch (wire_type) {
      case 0: varint(); break;
      case 1: need(8); p_ += 8; break;
      case 2: bytes(); break;
      case 5: need(4); p_ += 4; break;
      default: throw std::runtime_error("tokenizer.model: unsupported wire type " + std::to_string(wire_type));
    }
  }

 private:
  void need(uint64_t n) {
    if (uint64_t(end_ - p_) < n) throw std::runtime_error("tokenizer.model: truncated field");
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

void parse_piece(Wire w, ModelData& m) {
  std::string piece;
  float score = 0;
  int type = NORMAL;  // proto2 default
  while (!w.done()) {
    uint64_t key = w.varint();
    int field = int(key >> 3), wt = int(key & 7);
    if (field == 1 && wt == 2) piece = w.str();
    else if (field == 2 && wt == 5) { uint32_t u = w.fixed32(); std::memcpy(&score, &u, 4); }
    else if (field == 3 && wt == 0) type = int(w.varint());
    else w.skip(wt);
  }
  m.pieces.push_back(std::move(piece));
  m.scores.push_back(score);
  m.types.push_back(type);
}

void parse_trainer(Wire w, ModelData& m) {
  while (!w.done()) {
    uint64_t key = w.varint();
    int field = int(key >> 3), wt = int(key & 7);
    if (wt != 0) { w.skip(wt); continue; }
    int64_t v = int64_t(w.varint());  // int32 fields: negative values are sign-extended 10-byte varints
    switch (field) {
      case 3: m.model_type = int(v); break;
      case 24: m.treat_whitespace_as_suffix = v != 0; break;
      case 35: m.byte_fallback = v != 0; break;
      case 40: m.unk_id = int(v); break;
      case 41: m.bos_id = int(v); break;
      case 42: m.eos_id = int(v); break;
      case 43: m.pad_id = int(v); break;
      default: break;
    }
  }
}

void parse_normalizer(Wire w, ModelData& m) {
  while (!w.done()) {
    uint64_t key = w.varint();
    int field = int(key >> 3), wt = int(key & 7);
    if (field == 1 && wt == 2) m.normalizer_name = w.str();
    else if (field == 2 && wt == 2) m.precompiled_charsmap = w.str();
    else if (field == 3 && wt == 0) m.add_dummy_prefix = w.varint() != 0;
    else if (field == 4 && wt == 0) m.remove_extra_whitespaces = w.varint() != 0;
    else if (field == 5 && wt == 0) m.escape_whitespaces = w.varint() != 0;
    else w.skip(wt);
  }
}

}  // namespace

ModelData parse_model_proto(const uint8_t* data, size_t len) {
  ModelData m;
  Wire w(data, len);
  while (!w.done()) {
    uint64_t key = w.varint();
    int field = int(key >> 3), wt = int(key & 7);
    if (field == 1 && wt == 2) parse_piece(w.bytes(), m);
    else if (field == 2 && wt == 2) parse_trainer(w.bytes(), m);
    else if (field == 3 && wt == 2) parse_normalizer(w.bytes(), m);
    else w.skip(wt);
  }
  if (m.pieces.empty()) throw std::runtime_error("tokenizer.model: no pieces (not a SentencePiece model?)");
  return m;
}

}  // namespace spm
}  // namespace corpusmill

// The SentencePiece BPE encoder (spm_encoder.cc), built from model data (spm_model.h). Kept free of
// Node-API calls so it can be benchmarked and profiled as plain C++.
#pragma once
#include <memory>

#include "encoder.h"
#include "spm_model.h"

namespace corpusmill {

// Compiles `m` into an encoder; throws std::runtime_error for models it cannot encode exactly.
// `chunkable` (optional) reports whether exact word chunking applies (see spm_encoder.cc).
std::unique_ptr<Encoder> make_spm_encoder(const spm::ModelData& m, bool* chunkable);

}  // namespace corpusmill

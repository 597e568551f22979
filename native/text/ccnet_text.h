// cc_net's text normalisations in C++ (native/text/ccnet_text.cc), shared by the line hashes,
// the perplexity scorer and the n-gram trainer of this addon.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace ccnet {

enum class NormMode { kNormalize, kDedup };

// Appends the normalisation of s[0..n) (valid UTF-8) to out: cc_net `normalize` (kNormalize) or
// `normalize_for_dedup` (kDedup), strip included. Returns false (out then holds garbage past its
// original size) when the text has a character whose result depends on its neighbours; the caller
// uses the TypeScript function for that text.
bool Normalize(const char* s, size_t n, NormMode mode, std::string& out);

// True for the whitespace of JavaScript's `\s` (the `whitespace` LM tokenizer splits on it) at
// s[i..]; sets len to the character's UTF-8 length.
bool IsJsSpace(const unsigned char* s, size_t n, size_t i, size_t& len);

}  // namespace ccnet

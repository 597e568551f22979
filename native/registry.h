// Lets each .cc file of an addon (corpusmill_text, corpusmill_tokenize) add its own exports, so files are
// independent (language id, MinHash, hashing) and the module init below never changes.
#pragma once
#include <napi.h>
#include <functional>
#include <vector>

namespace corpusmill {

using ExportFn = std::function<void(Napi::Env, Napi::Object)>;

inline std::vector<ExportFn>& export_registry() {
  static std::vector<ExportFn> fns;
  return fns;
}

struct RegisterExports {
  explicit RegisterExports(ExportFn fn) { export_registry().push_back(std::move(fn)); }
};

}  // namespace corpusmill

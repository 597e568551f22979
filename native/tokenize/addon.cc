// Module init of the `corpusmill_tokenize` addon: runs every export function registered by the
// files of native/tokenize (see ../registry.h), so each model or writer file stays independent.
#include "registry.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto& fn : corpusmill::export_registry()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(corpusmill_tokenize, Init)

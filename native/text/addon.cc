// Module init of the `corpusmill_text` addon: runs every registered export function.
// Text hot paths (hashing, language id, MinHash) live in sibling files, each registering its own
// exports through RegisterExports (registry.h).
#include "registry.h"

#include <cstdint>
#include <cstring>

namespace {

// FNV-1a 64 over a buffer: a tiny self-check that the addon loaded and was built for this machine.
Napi::Value Fnv1a64(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "fnv1a64(buffer) expects a Buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 0; i < buf.Length(); i++) {
    h ^= buf.Data()[i];
    h *= 1099511628211ULL;
  }
  return Napi::BigInt::New(env, h);
}

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("fnv1a64", Napi::Function::New(env, Fnv1a64));
});

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto& fn : corpusmill::export_registry()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(corpusmill_text, Init)

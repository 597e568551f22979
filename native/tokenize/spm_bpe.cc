// Registers the SentencePiece BPE encoder (spm_encoder.cc) as encoder kind "spm_bpe": turns a JS spec
// into ModelData (a tokenizer.model Buffer, or pieces + ranked merges) and exports `spmModelInfo`.
#include <algorithm>
#include <cctype>

#include "registry.h"
#include "spm_bpe.h"

namespace corpusmill {
namespace {

using spm::ModelData;

// ---- spec -> ModelData -------------------------------------------------------------------------------

std::string get_string(const Napi::Object& o, const char* key, const std::string& dflt) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : dflt;
}
bool get_bool(const Napi::Object& o, const char* key, bool dflt) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

// spec: {kind:'spm_bpe', model: Buffer}  (SentencePiece tokenizer.model), or
//       {kind:'spm_bpe', pieces: string[] (by id), merges: Uint32Array (id pairs, best first),
//        unkPiece?: '<unk>', controlPieces?: string[], byteFallback?: true, addDummyPrefix?: true}
ModelData model_from_spec(const Napi::Object& spec) {
  Napi::Value model = spec.Get("model");
  if (model.IsBuffer()) {
    auto buf = model.As<Napi::Buffer<uint8_t>>();
    return spm::parse_model_proto(buf.Data(), buf.Length());
  }
  Napi::Value pv = spec.Get("pieces"), mv = spec.Get("merges");
  if (!pv.IsArray() || !mv.IsTypedArray())
    throw std::runtime_error("spm_bpe spec needs either `model` (Buffer) or `pieces` (string[]) and `merges` (Uint32Array)");
  ModelData m;
  m.model_type = 2;
  m.remove_extra_whitespaces = false;
  m.byte_fallback = get_bool(spec, "byteFallback", true);
  m.add_dummy_prefix = get_bool(spec, "addDummyPrefix", true);
  std::string unk = get_string(spec, "unkPiece", "<unk>");
  std::vector<std::string> control;
  Napi::Value cv = spec.Get("controlPieces");
  if (cv.IsArray()) {
    auto a = cv.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) control.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  } else {
    control = {"<s>", "</s>"};
  }
  auto arr = pv.As<Napi::Array>();
  m.unk_id = -1;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    if (!e.IsString()) throw std::runtime_error("spm_bpe spec: pieces[" + std::to_string(i) + "] is not a string");
    std::string p = e.As<Napi::String>().Utf8Value();
    int type = spm::NORMAL;
    if (p == unk) { type = spm::UNKNOWN; m.unk_id = int(i); }
    else if (std::find(control.begin(), control.end(), p) != control.end()) type = spm::CONTROL;
    else if (m.byte_fallback && p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' && isxdigit(p[3]) && isxdigit(p[4])) type = spm::BYTE;
    m.pieces.push_back(std::move(p));
    m.types.push_back(type);
    m.scores.push_back(0);
  }
  if (m.unk_id < 0) throw std::runtime_error("spm_bpe spec: unk piece '" + unk + "' is not in pieces");
  auto index_of = [&](const char* p) {
    auto it = std::find(m.pieces.begin(), m.pieces.end(), std::string(p));
    return it == m.pieces.end() ? -1 : int(it - m.pieces.begin());
  };
  m.bos_id = index_of("<s>");
  m.eos_id = index_of("</s>");
  auto ta = mv.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint32_array) throw std::runtime_error("spm_bpe spec: merges must be a Uint32Array");
  auto u32 = mv.As<Napi::Uint32Array>();
  for (size_t i = 0; i + 1 < u32.ElementLength(); i += 2) m.merges.push_back({u32[i], u32[i + 1]});
  if (m.merges.empty()) throw std::runtime_error("spm_bpe spec: merges is empty");
  return m;
}

RegisterEncoder reg("spm_bpe", [](const Napi::Object& spec) -> std::unique_ptr<Encoder> {
  return make_spm_encoder(model_from_spec(spec), nullptr);
});

// spmModelInfo(spec): facts the TypeScript facade needs about a SentencePiece model (special ids, flags).
RegisterExports exports([](Napi::Env env, Napi::Object target) {
  target.Set("spmModelInfo", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "spmModelInfo(spec): spec object expected").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try {
      ModelData m = model_from_spec(info[0].As<Napi::Object>());
      bool chunkable = false;
      make_spm_encoder(m, &chunkable);
      Napi::Object o = Napi::Object::New(env);
      o.Set("vocabSize", double(m.pieces.size()));
      o.Set("unkId", m.unk_id);
      o.Set("bosId", m.bos_id);
      o.Set("eosId", m.eos_id);
      o.Set("byteFallback", m.byte_fallback);
      o.Set("addDummyPrefix", m.add_dummy_prefix);
      o.Set("chunkable", chunkable);
      return o;
    } catch (const std::exception& e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }));
});

}  // namespace
}  // namespace corpusmill

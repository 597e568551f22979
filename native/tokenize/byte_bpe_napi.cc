// JavaScript side of the byte-level BPE model: the "byte_bpe" encoder factory (used by the batch
// engine) and a few direct exports for tests, benchmarks and debugging. They run on the calling
// thread, one document per call; corpus-scale work goes through the batch engine instead.
//
//   byteBpeCreate(spec) -> handle      spec = {kind: 'byte_bpe', tiktoken: Uint8Array (.tiktoken file
//                                      contents), specials: {[text]: id}, pattern: 'cl100k_base' |
//                                      'o200k_base' | 'llama3' | 'r50k_base' | 'p50k_base'}
//   byteBpeEncode(handle, utf8: Uint8Array) -> Uint32Array            ordinary text (no BOS/EOS, special
//                                                                     token text encoded as text)
//   byteBpeCount(handle, utf8) -> number                              the number of ids byteBpeEncode
//                                                                     gives, without handing them to JS
//   byteBpeEncodeWithSpecials(handle, utf8, allowed?: string[]) -> Uint32Array
//                                      allowed special tokens become their ids (omitted = all of them)
//   byteBpeDecode(handle, ids: Uint32Array) -> Buffer
//   byteBpeSplit(handle, utf8) -> Uint32Array    byte offsets where the pre-tokenizer's pieces end
//   byteBpeInfo(handle) -> {vocabSize, ranks, pattern}
//   unicodeClassFlags(cps: Uint32Array) -> Uint8Array   the pre-tokenizer's class bits of each code point
//                                      (unicode_tables.h: 1 L, 2 N, 4 \s, 8 M, 16 o200k upper, 32 o200k lower)
#include <cstring>
#include <memory>
#include <stdexcept>

#include "byte_bpe.h"
#include "registry.h"

namespace corpusmill {
namespace {

pretok::Pattern pattern_from_name(const std::string& name) {
  if (name == "cl100k_base" || name == "llama3") return pretok::Pattern::kCl100k;
  if (name == "o200k_base") return pretok::Pattern::kO200k;
  if (name == "r50k_base" || name == "p50k_base" || name == "gpt2") return pretok::Pattern::kR50k;
  throw std::invalid_argument("byte_bpe: unknown pattern '" + name +
                              "' (expected cl100k_base, o200k_base, llama3, r50k_base or p50k_base)");
}

const char* pattern_name(pretok::Pattern p) {
  switch (p) {
    case pretok::Pattern::kCl100k: return "cl100k_base";
    case pretok::Pattern::kO200k: return "o200k_base";
    default: return "r50k_base";
  }
}

std::unique_ptr<ByteBpe> make_byte_bpe(const Napi::Object& spec) {
  Napi::Value ranks = spec.Get("tiktoken");
  if (!ranks.IsTypedArray() || ranks.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw std::invalid_argument("byte_bpe: spec.tiktoken must be a Buffer/Uint8Array with the .tiktoken file contents");
  auto bytes = ranks.As<Napi::Uint8Array>();
  Napi::Value pattern = spec.Get("pattern");
  if (!pattern.IsString()) throw std::invalid_argument("byte_bpe: spec.pattern must be a string");
  std::vector<ByteBpe::Special> specials;
  Napi::Value sv = spec.Get("specials");
  if (!sv.IsUndefined() && !sv.IsNull()) {
    if (!sv.IsObject()) throw std::invalid_argument("byte_bpe: spec.specials must be an object {text: id}");
    Napi::Object so = sv.As<Napi::Object>();
    Napi::Array names = so.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); i++) {
      Napi::Value key = names.Get(i);
      Napi::Value id = so.Get(key);
      if (!id.IsNumber()) throw std::invalid_argument("byte_bpe: special token ids must be numbers");
      double d = id.As<Napi::Number>().DoubleValue();
      if (!(d >= 0 && d < 4294967295.0) || d != double(uint32_t(d)))
        throw std::invalid_argument("byte_bpe: bad special token id");
      specials.push_back({key.As<Napi::String>().Utf8Value(), uint32_t(d)});
    }
  }
  return std::make_unique<ByteBpe>(bytes.Data(), bytes.ByteLength(), std::move(specials),
                                   pattern_from_name(pattern.As<Napi::String>().Utf8Value()));
}

RegisterEncoder reg("byte_bpe", [](const Napi::Object& spec) -> std::unique_ptr<Encoder> { return make_byte_bpe(spec); });

// A created model plus one scratch and one id buffer for the calling (main) thread. The id buffer is
// reused across calls: touching fresh pages costs more than the encoding itself on some VMs.
struct Handle {
  std::unique_ptr<ByteBpe> model;
  std::unique_ptr<Scratch> scratch;
  IdBuf out;
};

const napi_type_tag kHandleTag = {0x6b3f1c0d2a9e4f11ull, 0x8c52d7e4b1a03f66ull};

Handle* get_handle(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(env, "byte_bpe: first argument must be a handle from byteBpeCreate").ThrowAsJavaScriptException();
    return nullptr;
  }
  bool ok = false;
  napi_check_object_type_tag(env, info[0], &kHandleTag, &ok);
  if (!ok) {
    Napi::TypeError::New(env, "byte_bpe: first argument is not a byteBpeCreate handle").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<Handle>>().Data();
}

bool get_bytes(const Napi::CallbackInfo& info, size_t i, const uint8_t** data, size_t* len) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), "byte_bpe: expected a Buffer/Uint8Array of UTF-8 text").ThrowAsJavaScriptException();
    return false;
  }
  auto a = info[i].As<Napi::Uint8Array>();
  *data = a.Data();
  *len = a.ByteLength();
  return true;
}

Napi::Value to_uint32_array(Napi::Env env, const uint32_t* v, size_t n) {
  auto arr = Napi::Uint32Array::New(env, n);
  if (n) std::memcpy(arr.Data(), v, n * sizeof(uint32_t));
  return arr;
}
Napi::Value to_uint32_array(Napi::Env env, const IdBuf& v) { return to_uint32_array(env, v.data(), v.size()); }
Napi::Value to_uint32_array(Napi::Env env, const std::vector<uint32_t>& v) { return to_uint32_array(env, v.data(), v.size()); }

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "byteBpeCreate(spec): spec must be an object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  try {
    auto h = new Handle{make_byte_bpe(info[0].As<Napi::Object>()), nullptr, IdBuf()};
    h->scratch = h->model->make_scratch();
    auto ext = Napi::External<Handle>::New(env, h, [](Napi::Env, Handle* p) { delete p; });
    napi_type_tag_object(env, ext, &kHandleTag);
    return ext;
  } catch (const std::exception& e) {
    Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
}

Napi::Value Encode(const Napi::CallbackInfo& info) {
  Handle* h = get_handle(info);
  const uint8_t* data;
  size_t len;
  if (!h || !get_bytes(info, 1, &data, &len)) return info.Env().Undefined();
  h->out.clear();
  h->model->encode(data, len, h->out, *h->scratch);
  return to_uint32_array(info.Env(), h->out);
}

Napi::Value Count(const Napi::CallbackInfo& info) {
  Handle* h = get_handle(info);
  const uint8_t* data;
  size_t len;
  if (!h || !get_bytes(info, 1, &data, &len)) return info.Env().Undefined();
  h->out.clear();
  h->model->encode(data, len, h->out, *h->scratch);
  return Napi::Number::New(info.Env(), double(h->out.size()));
}

Napi::Value EncodeWithSpecials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = get_handle(info);
  const uint8_t* data;
  size_t len;
  if (!h || !get_bytes(info, 1, &data, &len)) return env.Undefined();
  std::vector<bool> allowed;
  bool all = info.Length() < 3 || info[2].IsUndefined();
  if (!all) {
    if (!info[2].IsArray()) {
      Napi::TypeError::New(env, "byteBpeEncodeWithSpecials: allowed must be an array of special token texts").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Array arr = info[2].As<Napi::Array>();
    const auto& specials = h->model->specials();
    allowed.assign(specials.size(), false);
    for (uint32_t i = 0; i < arr.Length(); i++) {
      std::string text = arr.Get(i).ToString().Utf8Value();
      bool found = false;
      for (size_t k = 0; k < specials.size(); k++) {
        if (specials[k].text == text) allowed[k] = found = true;
      }
      if (!found) {
        Napi::Error::New(env, "byteBpeEncodeWithSpecials: '" + text + "' is not a special token of this model").ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
  }
  h->out.clear();
  h->model->encode_with_specials(data, len, all ? nullptr : &allowed, h->out, *h->scratch);
  return to_uint32_array(env, h->out);
}

Napi::Value Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = get_handle(info);
  if (!h) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    Napi::TypeError::New(env, "byteBpeDecode(handle, ids): ids must be a Uint32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto ids = info[1].As<Napi::Uint32Array>();
  std::string out;
  try {
    h->model->decode(ids.Data(), ids.ElementLength(), out);
  } catch (const std::exception& e) {
    Napi::RangeError::New(env, e.what()).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Buffer<char>::Copy(env, out.data(), out.size());
}

Napi::Value Split(const Napi::CallbackInfo& info) {
  Handle* h = get_handle(info);
  const uint8_t* data;
  size_t len;
  if (!h || !get_bytes(info, 1, &data, &len)) return info.Env().Undefined();
  std::vector<uint32_t> ends;
  h->model->split(data, len, ends, *h->scratch);
  return to_uint32_array(info.Env(), ends);
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle* h = get_handle(info);
  if (!h) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("vocabSize", Napi::Number::New(env, h->model->vocab_size()));
  o.Set("ranks", Napi::Number::New(env, double(h->model->rank_count())));
  o.Set("pattern", Napi::String::New(env, pattern_name(h->model->pattern())));
  return o;
}

Napi::Value ClassFlags(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    Napi::TypeError::New(env, "unicodeClassFlags(cps): cps must be a Uint32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto cps = info[0].As<Napi::Uint32Array>();
  auto out = Napi::Uint8Array::New(env, cps.ElementLength());
  for (size_t i = 0; i < cps.ElementLength(); i++) out[i] = pretok::cls(cps[i]);
  return out;
}

RegisterExports exports([](Napi::Env env, Napi::Object target) {
  target.Set("byteBpeCreate", Napi::Function::New(env, Create, "byteBpeCreate"));
  target.Set("byteBpeEncode", Napi::Function::New(env, Encode, "byteBpeEncode"));
  target.Set("byteBpeCount", Napi::Function::New(env, Count, "byteBpeCount"));
  target.Set("byteBpeEncodeWithSpecials", Napi::Function::New(env, EncodeWithSpecials, "byteBpeEncodeWithSpecials"));
  target.Set("byteBpeDecode", Napi::Function::New(env, Decode, "byteBpeDecode"));
  target.Set("byteBpeSplit", Napi::Function::New(env, Split, "byteBpeSplit"));
  target.Set("byteBpeInfo", Napi::Function::New(env, Info, "byteBpeInfo"));
  target.Set("unicodeClassFlags", Napi::Function::New(env, ClassFlags, "unicodeClassFlags"));
});

}  // namespace
}  // namespace corpusmill

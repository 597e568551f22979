// The batch engine behind src/tokenize: one JS call encodes a whole batch of documents (one UTF-8 buffer
// plus n+1 byte offsets) on N threads and returns the ids, per-document token offsets and the total.
// No per-document or per-token crossing between JS and C++.
//
// Exports:
//   createTokenizer(spec) -> handle            spec.kind picks a registered EncoderFactory (encoder.h)
//   encodeBatch(handle, text, offsets, opts)   -> Promise<Result>, runs off the JS thread
//   encodeBatchSync(handle, text, offsets, opts) -> Result (small inputs: `encode` CLI, tests)
//   decodeIds(handle, ids: Uint32Array)         -> Buffer (raw bytes; byte-fallback bytes as they are)
//   tokenizerVocabSize(handle)                  -> number
// opts: {bosId?: number (-1 none), eosId?: number, threads?: number, countOnly?: boolean, idBytes?: 2|4,
//        partBytes?: number (documents longer than twice this are cut into parts of about this size;
//        default 64 KiB; tests set it small to exercise the cuts)}
// Result: {ids?: Uint16Array|Uint32Array, tokenOffsets: Float64Array (n+1), total: number, parts: number
//          (documents and parts of documents encoded separately), threadCpuMs: Float64Array (CPU time each
//          thread spent encoding: their sum over their maximum is how well the work was spread)}
//
// Scheduling (why): work is cut into tasks of ~64 KiB of input, in document order, pulled by the threads
// from an atomic counter. With 1 MiB tasks a 1.5 MB batch was two unequal tasks, so two threads ran at
// 1.14-1.53x one thread. A document longer than 2 x partBytes is cut into parts at the encoder's
// safe_cut() positions (places where encoding the parts gives exactly the ids of the whole), so one long
// document is not one thread's work. Determinism: each task writes its own buffer and buffers are
// concatenated in task order, so the output never depends on the thread count or on scheduling. Threads
// are plain std::threads for the duration of a batch (the libuv pool has 4 threads shared with file IO;
// starting a thread costs ~50 us against tens of ms of work per batch); each takes a Scratch (encoder
// caches) from a per-tokenizer pool, so caches stay warm across batches.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include "encoder.h"
#include "registry.h"

namespace corpusmill {
namespace {

constexpr size_t kTaskBytes = 64 << 10;
constexpr size_t kPartBytes = 64 << 10;

struct TokenizerState {
  std::unique_ptr<Encoder> enc;
  std::mutex mu;
  std::vector<std::unique_ptr<Scratch>> free_scratch;

  std::unique_ptr<Scratch> acquire() {
    {
      std::lock_guard<std::mutex> g(mu);
      if (!free_scratch.empty()) {
        auto s = std::move(free_scratch.back());
        free_scratch.pop_back();
        return s;
      }
    }
    return enc->make_scratch();
  }
  void release(std::unique_ptr<Scratch> s) {
    std::lock_guard<std::mutex> g(mu);
    free_scratch.push_back(std::move(s));
  }
};

struct Handle {
  std::shared_ptr<TokenizerState> st;
};

double thread_cpu_ms_now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

// Runs fn(worker) on `threads` threads (the calling one included) and waits for all of them.
template <class Fn>
void run_threads(unsigned threads, Fn fn) {
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < threads; k++) pool.emplace_back(fn, k);
  fn(0u);
  for (auto& th : pool) th.join();
}

struct BatchJob {
  std::shared_ptr<TokenizerState> st;
  const uint8_t* text = nullptr;
  size_t text_len = 0;
  std::vector<uint64_t> offsets;  // n + 1
  int64_t bos = -1, eos = -1;
  unsigned threads = 1;
  bool count_only = false;
  int id_bytes = 4;
  size_t part_bytes = kPartBytes;
  // results
  std::vector<double> token_offsets;  // n + 1
  uint8_t* ids = nullptr;  // malloc'd (no zero fill), owned until handed to JS
  size_t ids_len = 0;
  bool has_ids = false;
  uint64_t total = 0;
  size_t parts = 0;
  std::vector<double> thread_cpu_ms;
  std::string error;

  ~BatchJob() { std::free(ids); }

  // A document or a part of one: bytes [begin, end) of the batch text.
  struct Unit {
    uint64_t begin, end;
    uint32_t doc;
    bool first, last;
  };

  void run() {
    const size_t n = offsets.size() - 1;
    const Encoder& enc = *st->enc;
    std::vector<Unit> units;
    units.reserve(n);
    for (size_t d = 0; d < n; d++) {
      uint64_t b = offsets[d], e = offsets[d + 1];
      if (e - b <= 2 * part_bytes) {
        units.push_back(Unit{b, e, uint32_t(d), true, true});
        continue;
      }
      const uint8_t* t = text + b;
      size_t len = size_t(e - b), start = 0;
      while (start < len) {
        size_t cut = len - start > 2 * part_bytes ? enc.safe_cut(t, len, start + part_bytes) : len;
        units.push_back(Unit{b + start, b + cut, uint32_t(d), start == 0, cut == len});
        start = cut;
      }
    }
    parts = units.size();
    // tasks: contiguous unit ranges of ~kTaskBytes input
    std::vector<size_t> task_start{0};
    uint64_t acc_bytes = 0;
    for (size_t u = 0; u < units.size(); u++) {
      acc_bytes += units[u].end - units[u].begin;
      if (acc_bytes >= kTaskBytes && u + 1 < units.size()) {
        task_start.push_back(u + 1);
        acc_bytes = 0;
      }
    }
    task_start.push_back(units.size());
    const size_t n_tasks = task_start.size() - 1;
    std::vector<IdBuf> task_ids(count_only ? 0 : n_tasks);
    std::vector<uint64_t> unit_count(units.size(), 0);
    std::atomic<size_t> next_task{0};
    std::mutex err_mu;

    unsigned nt = unsigned(std::min<size_t>(std::max(1u, threads), std::max<size_t>(1, n_tasks)));
    thread_cpu_ms.assign(nt, 0);
    run_threads(nt, [&](unsigned worker) {
      const double cpu0 = thread_cpu_ms_now();
      std::unique_ptr<Scratch> sc = st->acquire();
      IdBuf tmp;
      try {
        for (size_t t; (t = next_task.fetch_add(1)) < n_tasks;) {
          IdBuf& out = count_only ? tmp : task_ids[t];
          for (size_t u = task_start[t]; u < task_start[t + 1]; u++) {
            const Unit& un = units[u];
            if (count_only) out.clear();
            size_t before = out.size();
            if (bos >= 0 && un.first) out.room(1), out.push(uint32_t(bos));
            enc.encode(text + un.begin, size_t(un.end - un.begin), out, *sc, un.first);
            if (eos >= 0 && un.last) out.room(1), out.push(uint32_t(eos));
            unit_count[u] = out.size() - before;
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> g(err_mu);
        if (error.empty()) error = e.what();
        next_task.store(n_tasks);
      }
      st->release(std::move(sc));
      thread_cpu_ms[worker] = thread_cpu_ms_now() - cpu0;
    });
    if (!error.empty()) return;

    token_offsets.assign(n + 1, 0);
    uint64_t acc = 0;
    size_t u = 0;
    for (size_t d = 0; d < n; d++) {
      while (u < units.size() && units[u].doc == d) acc += unit_count[u++];
      token_offsets[d + 1] = double(acc);
    }
    total = acc;
    if (count_only) return;
    ids_len = size_t(total) * size_t(id_bytes);
    ids = static_cast<uint8_t*>(std::malloc(ids_len ? ids_len : 1));
    if (!ids) {
      error = "out of memory for " + std::to_string(total) + " token ids";
      return;
    }
    has_ids = true;
    // Copy the task buffers into place, in parallel (each task's position is known now).
    std::vector<size_t> task_pos(n_tasks + 1, 0);
    for (size_t t = 0; t < n_tasks; t++) task_pos[t + 1] = task_pos[t] + task_ids[t].size();
    std::atomic<size_t> next_copy{0};
    uint8_t* dst = ids;
    run_threads(nt, [&](unsigned) {
      for (size_t t; (t = next_copy.fetch_add(1)) < n_tasks;) {
        IdBuf& v = task_ids[t];
        if (id_bytes == 4) {
          if (v.size()) std::memcpy(dst + task_pos[t] * 4, v.data(), v.size() * 4);
        } else {
          uint16_t* d16 = reinterpret_cast<uint16_t*>(dst) + task_pos[t];
          const uint32_t* s32 = v.data();
          for (size_t k = 0; k < v.size(); k++) d16[k] = uint16_t(s32[k]);
        }
        v.release();
      }
    });
  }

  Napi::Value result(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    const size_t n1 = token_offsets.size();
    auto offs = Napi::Float64Array::New(env, n1);
    if (n1) std::memcpy(offs.Data(), token_offsets.data(), n1 * 8);
    o.Set("tokenOffsets", offs);
    o.Set("total", double(total));
    o.Set("parts", double(parts));
    auto cpu = Napi::Float64Array::New(env, thread_cpu_ms.size());
    for (size_t k = 0; k < thread_cpu_ms.size(); k++) cpu[k] = thread_cpu_ms[k];
    o.Set("threadCpuMs", cpu);
    if (has_ids) {
      uint8_t* data = ids;
      ids = nullptr;
      size_t len = ids_len;
      Napi::ArrayBuffer ab = len == 0 ? Napi::ArrayBuffer::New(env, 0) : Napi::ArrayBuffer::New(env, data, len, [](Napi::Env, void* p) { std::free(p); });
      if (len == 0) std::free(data);
      if (id_bytes == 4) o.Set("ids", Napi::Uint32Array::New(env, len / 4, ab, 0));
      else o.Set("ids", Napi::Uint16Array::New(env, len / 2, ab, 0));
    }
    return o;
  }
};

Handle* get_handle(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(info.Env(), "tokenizer handle expected").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<Handle>>().Data();
}

uint32_t opt_u32(const Napi::Object& o, const char* k, uint32_t d) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : d;
}
int64_t opt_i64(const Napi::Object& o, const char* k, int64_t d) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : d;
}

// Fills a job from (handle, text, offsets, opts); returns false after throwing a JS error.
bool prepare(const Napi::CallbackInfo& info, BatchJob& job) {
  Napi::Env env = info.Env();
  Handle* h = get_handle(info);
  if (!h) return false;
  if (info.Length() < 3 || !info[1].IsTypedArray() || !info[2].IsTypedArray()) {
    Napi::TypeError::New(env, "encodeBatch(handle, text: Uint8Array, offsets: Uint32Array|Float64Array, opts)").ThrowAsJavaScriptException();
    return false;
  }
  auto text = info[1].As<Napi::TypedArray>();
  if (text.TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "text must be a Uint8Array / Buffer").ThrowAsJavaScriptException();
    return false;
  }
  auto u8 = info[1].As<Napi::Uint8Array>();
  job.st = h->st;
  job.text = u8.Data();
  job.text_len = u8.ByteLength();
  auto offs = info[2].As<Napi::TypedArray>();
  size_t n1 = offs.ElementLength();
  if (n1 < 1) {
    Napi::RangeError::New(env, "offsets must hold n+1 values").ThrowAsJavaScriptException();
    return false;
  }
  job.offsets.resize(n1);
  if (offs.TypedArrayType() == napi_uint32_array) {
    auto a = info[2].As<Napi::Uint32Array>();
    for (size_t i = 0; i < n1; i++) job.offsets[i] = a[i];
  } else if (offs.TypedArrayType() == napi_float64_array) {
    auto a = info[2].As<Napi::Float64Array>();
    for (size_t i = 0; i < n1; i++) job.offsets[i] = uint64_t(a[i]);
  } else {
    Napi::TypeError::New(env, "offsets must be a Uint32Array or Float64Array").ThrowAsJavaScriptException();
    return false;
  }
  for (size_t i = 0; i + 1 < n1; i++) {
    if (job.offsets[i] > job.offsets[i + 1] || job.offsets[i + 1] > job.text_len) {
      Napi::RangeError::New(env, "offsets must be non-decreasing and within the text (document " + std::to_string(i) + ")")
          .ThrowAsJavaScriptException();
      return false;
    }
  }
  Napi::Object opts = info.Length() > 3 && info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
  job.bos = opt_i64(opts, "bosId", -1);
  job.eos = opt_i64(opts, "eosId", -1);
  job.threads = std::max(1u, opt_u32(opts, "threads", 1));
  Napi::Value co = opts.Get("countOnly");
  job.count_only = co.IsBoolean() && co.As<Napi::Boolean>().Value();
  job.id_bytes = int(opt_u32(opts, "idBytes", 4));
  job.part_bytes = std::max<size_t>(1, opt_u32(opts, "partBytes", uint32_t(kPartBytes)));
  if (job.id_bytes != 2 && job.id_bytes != 4) {
    Napi::RangeError::New(env, "idBytes must be 2 or 4").ThrowAsJavaScriptException();
    return false;
  }
  if (job.id_bytes == 2 && h->st->enc->vocab_size() > 65536) {
    Napi::RangeError::New(env, "idBytes 2 needs a vocabulary of at most 65536 ids").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, std::unique_ptr<BatchJob> job, Napi::Value text)
      : Napi::AsyncWorker(env, "corpusmill.encodeBatch"), job_(std::move(job)), deferred_(Napi::Promise::Deferred::New(env)) {
    text_ref_ = Napi::Persistent(text);  // keep the input alive while threads read it
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    job_->run();
    if (!job_->error.empty()) SetError(job_->error);
  }
  void OnOK() override { deferred_.Resolve(job_->result(Env())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::unique_ptr<BatchJob> job_;
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Value> text_ref_;
};

RegisterExports exports([](Napi::Env env, Napi::Object target) {
  target.Set("createTokenizer", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "createTokenizer(spec): spec object expected").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object spec = info[0].As<Napi::Object>();
    Napi::Value kind = spec.Get("kind");
    std::string k = kind.IsString() ? kind.As<Napi::String>().Utf8Value() : "";
    auto it = encoder_factories().find(k);
    if (it == encoder_factories().end()) {
      std::string known;
      for (auto& kv : encoder_factories()) known += (known.empty() ? "" : ", ") + kv.first;
      Napi::Error::New(env, "unknown tokenizer kind '" + k + "' (built in: " + known + ")").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    try {
      auto st = std::make_shared<TokenizerState>();
      st->enc = it->second(spec);
      if (env.IsExceptionPending()) return env.Undefined();
      if (!st->enc) {
        Napi::Error::New(env, "tokenizer factory '" + k + "' returned nothing").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      return Napi::External<Handle>::New(env, new Handle{st}, [](Napi::Env, Handle* h) { delete h; });
    } catch (const std::exception& e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }));

  target.Set("encodeBatch", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    auto job = std::make_unique<BatchJob>();
    if (!prepare(info, *job)) return info.Env().Undefined();
    auto* w = new BatchWorker(info.Env(), std::move(job), info[1]);
    Napi::Promise p = w->promise();
    w->Queue();
    return p;
  }));

  target.Set("encodeBatchSync", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    BatchJob job;
    if (!prepare(info, job)) return info.Env().Undefined();
    job.run();
    if (!job.error.empty()) {
      Napi::Error::New(info.Env(), job.error).ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return job.result(info.Env());
  }));

  target.Set("decodeIds", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Handle* h = get_handle(info);
    if (!h) return info.Env().Undefined();
    if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
      Napi::TypeError::New(info.Env(), "decodeIds(handle, ids: Uint32Array)").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    auto ids = info[1].As<Napi::Uint32Array>();
    std::string out;
    try {
      h->st->enc->decode(ids.Data(), ids.ElementLength(), out);
    } catch (const std::exception& e) {
      Napi::RangeError::New(info.Env(), e.what()).ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return Napi::Buffer<char>::Copy(info.Env(), out.data(), out.size());
  }));

  target.Set("tokenizerVocabSize", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Handle* h = get_handle(info);
    if (!h) return info.Env().Undefined();
    return Napi::Number::New(info.Env(), double(h->st->enc->vocab_size()));
  }));
});

}  // namespace
}  // namespace corpusmill

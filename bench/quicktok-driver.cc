// Peer driver for bench/tokenize.ts: times quicktok (github.com/dmatth1/quicktok, a published exact C++
// cl100k encoder) on the benchmark's documents through its public C++ API, so corpusmill is compared
// with it on the same bytes in the same run. Built by the bench only when QUICKTOK_DIR points to a
// built quicktok clone (`make` there); nothing of quicktok is part of this repository.
//
//   quicktok-driver <data dir> <docs file> <reps>
// docs file: u32 count, then per document u32 length + bytes. Prints one JSON line:
// {"tokens": N, "cpu_s": best thread CPU seconds of one pass over all documents}.
#include <quicktok.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

static double thread_cpu() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: quicktok-driver <data dir> <docs file> <reps>\n");
    return 2;
  }
  auto tok = quicktok::Tokenizer::load_dir(argv[1], "cl100k_base");
  std::ifstream f(argv[2], std::ios::binary);
  std::string buf((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::pair<size_t, size_t>> docs;
  size_t pos = 4;
  uint32_t n = 0;
  std::memcpy(&n, buf.data(), 4);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len;
    std::memcpy(&len, buf.data() + pos, 4);
    docs.emplace_back(pos + 4, len);
    pos += 4 + len;
  }
  const int reps = std::atoi(argv[3]);
  double best = 1e30;
  size_t tokens = 0;
  std::vector<uint32_t> out;
  for (int r = 0; r < reps; r++) {
    double t0 = thread_cpu();
    tokens = 0;
    for (auto& d : docs) {
      out.clear();
      tok.encode(reinterpret_cast<const uint8_t*>(buf.data()) + d.first, d.second, out);
      tokens += out.size();
    }
    double t = thread_cpu() - t0;
    if (t < best) best = t;
  }
  std::printf("{\"tokens\": %zu, \"cpu_s\": %.6f}\n", tokens, best);
  return 0;
}

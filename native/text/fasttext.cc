// fastText supervised-model inference (language id with lid.176.{ftz,bin}, the Wikipedia-reference
// classifier, and models written by `corpusmill classifier train`), reading fastText's own binary
// format, quantized (.ftz) or dense (.bin).
//
// Why native: fasttext.wasm.js identifies ~6 MB/s of text on this machine; the CCNet stage needs
// WET parse + line dedup + language id at >= 20 MB/s per core. The work per word is hashing every
// character n-gram (FNV-1a) and looking each one up in the prune map, so this file
//   - caches, per distinct token, the list of input-matrix rows it contributes (bounded cache);
//   - decodes a product-quantized input matrix once into dense floats (lid.176.ftz: 50k rows x 16
//     dims = 3.2 MB), so adding a row is 16 float adds instead of a codebook walk.
// Both keep fastText's arithmetic bit for bit: rows are added to the hidden vector one at a time in
// fastText's order, with the same float/double types (fasttext 0.9.2: model.cc computeHidden,
// loss.cc HierarchicalSoftmaxLoss::dfs / SoftmaxLoss::computeOutput, quantmatrix.cc,
// productquantizer.cc addcode/mulcode), so probabilities equal `fasttext predict-prob`.
//
// Binary layout (little endian; fastText fasttext.cc loadModel, args.cc, dictionary.cc):
//   int32 magic 793712314, int32 version 12
//   args: int32 dim, ws, epoch, minCount, neg, wordNgrams, loss(1 hs,2 ns,3 softmax,4 ova),
//         model(1 cbow,2 sg,3 sup), bucket, minn, maxn, lrUpdateRate; float64 t
//   dict: int32 size, nwords, nlabels; int64 ntokens, pruneidx_size;
//         size x { NUL-terminated word, int64 count, int8 type(0 word, 1 label) };
//         pruneidx_size x { int32 hash bucket, int32 row }
//   bool quant_input; input matrix; bool qout; output matrix
//   dense matrix: int64 m, int64 n, m*n float32
//   quantized matrix: bool qnorm, int64 m, int64 n, int32 codesize, codesize x uint8 codes, PQ,
//                     [qnorm: m x uint8 norm codes, PQ]
//   PQ: int32 dim, nsubq, dsub, lastdsub; dim*256 float32 centroids
#include "registry.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

constexpr int32_t kMagic = 793712314;
constexpr int32_t kVersion = 12;
constexpr const char* kEos = "</s>";
constexpr int64_t kSigmoidTable = 512;
constexpr int64_t kMaxSigmoid = 8;
// Distinct tokens whose row lists are cached; the cache is emptied when it reaches this size, so
// memory stays bounded (~100 bytes per entry plus the ids).
constexpr size_t kMaxCachedTokens = 1 << 19;

enum Loss : int32_t { kHs = 1, kNs = 2, kSoftmax = 3, kOva = 4 };

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size), begin_(data) {}
  template <typename T>
  T Get(const char* what) {
    Need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  void Bytes(void* out, size_t n, const char* what) {
    Need(n, what);
    std::memcpy(out, p_, n);
    p_ += n;
  }
  std::string CString(const char* what) {
    const uint8_t* z = static_cast<const uint8_t*>(std::memchr(p_, 0, end_ - p_));
    if (!z) Fail(what);
    std::string s(reinterpret_cast<const char*>(p_), z - p_);
    p_ = z + 1;
    return s;
  }
  size_t Offset() const { return p_ - begin_; }

 private:
  void Need(size_t n, const char* what) {
    if (static_cast<size_t>(end_ - p_) < n) Fail(what);
  }
  [[noreturn]] void Fail(const char* what) {
    throw std::runtime_error(std::string("truncated fastText model: cannot read ") + what + " at byte " +
                             std::to_string(Offset()));
  }
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
};

// fastText productquantizer.cc, 8-bit codes (256 centroids per sub-quantizer).
struct ProductQuantizer {
  int32_t dim = 0, nsubq = 0, dsub = 0, lastdsub = 0;
  std::vector<float> centroids;
  void Load(Reader& r) {
    dim = r.Get<int32_t>("PQ dim");
    nsubq = r.Get<int32_t>("PQ nsubq");
    dsub = r.Get<int32_t>("PQ dsub");
    lastdsub = r.Get<int32_t>("PQ lastdsub");
    if (dim <= 0 || nsubq <= 0 || dsub <= 0 || lastdsub <= 0 || dim > (1 << 16))
      throw std::runtime_error("bad product quantizer header in fastText model");
    centroids.resize(static_cast<size_t>(dim) * 256);
    r.Bytes(centroids.data(), centroids.size() * sizeof(float), "PQ centroids");
  }
  const float* Centroid(int32_t m, uint8_t i) const {
    if (m == nsubq - 1) return &centroids[static_cast<size_t>(m) * 256 * dsub + static_cast<size_t>(i) * lastdsub];
    return &centroids[(static_cast<size_t>(m) * 256 + i) * dsub];
  }
};

// A matrix as fastText stores it: dense floats, or product-quantized codes with optional norms.
struct Matrix {
  int64_t m = 0, n = 0;
  bool quant = false;
  std::vector<float> dense;  // m*n, also holds the decoded rows of a quantized input matrix
  bool qnorm = false;
  std::vector<uint8_t> codes, normCodes;
  ProductQuantizer pq, npq;

  void Load(Reader& r, bool quantized) {
    quant = quantized;
    if (!quantized) {
      m = r.Get<int64_t>("matrix rows");
      n = r.Get<int64_t>("matrix cols");
      CheckShape();
      dense.resize(static_cast<size_t>(m * n));
      r.Bytes(dense.data(), dense.size() * sizeof(float), "matrix data");
      return;
    }
    qnorm = r.Get<uint8_t>("qnorm") != 0;
    m = r.Get<int64_t>("matrix rows");
    n = r.Get<int64_t>("matrix cols");
    CheckShape();
    int32_t codesize = r.Get<int32_t>("codesize");
    if (codesize < 0) throw std::runtime_error("bad codesize in fastText model");
    codes.resize(codesize);
    r.Bytes(codes.data(), codes.size(), "codes");
    pq.Load(r);
    if (qnorm) {
      normCodes.resize(static_cast<size_t>(m));
      r.Bytes(normCodes.data(), normCodes.size(), "norm codes");
      npq.Load(r);
    }
    if (pq.dim != n || static_cast<int64_t>(codes.size()) < m * pq.nsubq)
      throw std::runtime_error("quantized matrix shape does not match its codes");
  }
  void CheckShape() const {
    if (m < 0 || n <= 0 || n > (1 << 16) || m > (int64_t(1) << 34) / n)
      throw std::runtime_error("bad matrix shape in fastText model");
  }
  float Norm(int64_t i) const { return qnorm ? npq.Centroid(0, normCodes[i])[0] : 1.0f; }

  // Decodes every row once (QuantMatrix::addRowToVector computes alpha * c[n] per element as a float;
  // storing that product and adding it later is the same arithmetic).
  void DecodeToDense() {
    dense.assign(static_cast<size_t>(m * n), 0.0f);
    for (int64_t i = 0; i < m; i++) {
      float alpha = Norm(i);
      const uint8_t* code = &codes[static_cast<size_t>(i) * pq.nsubq];
      float* row = &dense[static_cast<size_t>(i * n)];
      int32_t d = pq.dsub;
      for (int32_t s = 0; s < pq.nsubq; s++) {
        const float* c = pq.Centroid(s, code[s]);
        if (s == pq.nsubq - 1) d = pq.lastdsub;
        for (int32_t k = 0; k < d; k++) row[s * pq.dsub + k] += alpha * c[k];
      }
    }
  }

  // DenseMatrix::dotRow / QuantMatrix::dotRow (PQ mulcode), float accumulation as fastText does.
  float DotRow(const std::vector<float>& vec, int64_t i) const {
    if (!quant) {
      float d = 0.0f;
      const float* row = &dense[static_cast<size_t>(i * n)];
      for (int64_t j = 0; j < n; j++) d += row[j] * vec[j];
      return d;
    }
    float res = 0.0f;
    const uint8_t* code = &codes[static_cast<size_t>(i) * pq.nsubq];
    int32_t d = pq.dsub;
    for (int32_t s = 0; s < pq.nsubq; s++) {
      const float* c = pq.Centroid(s, code[s]);
      if (s == pq.nsubq - 1) d = pq.lastdsub;
      for (int32_t k = 0; k < d; k++) res += vec[s * pq.dsub + k] * c[k];
    }
    return res * Norm(i);
  }
};

struct HsNode {
  int32_t parent = -1, left = -1, right = -1;
  int64_t count = 0;
};

float StdLog(float x) { return std::log(x + 1e-5); }

bool ComparePairs(const std::pair<float, int32_t>& l, const std::pair<float, int32_t>& r) {
  return l.first > r.first;
}

class Model {
 public:
  explicit Model(const uint8_t* data, size_t size) {
    Reader r(data, size);
    int32_t magic = r.Get<int32_t>("magic");
    int32_t version = r.Get<int32_t>("version");
    if (magic != kMagic) throw std::runtime_error("not a fastText model (bad magic number)");
    if (version != kVersion && version != 11)
      throw std::runtime_error("unsupported fastText model version " + std::to_string(version));
    dim_ = r.Get<int32_t>("dim");
    r.Get<int32_t>("ws");
    r.Get<int32_t>("epoch");
    r.Get<int32_t>("minCount");
    r.Get<int32_t>("neg");
    wordNgrams_ = r.Get<int32_t>("wordNgrams");
    loss_ = r.Get<int32_t>("loss");
    int32_t model = r.Get<int32_t>("model");
    bucket_ = r.Get<int32_t>("bucket");
    minn_ = r.Get<int32_t>("minn");
    maxn_ = r.Get<int32_t>("maxn");
    r.Get<int32_t>("lrUpdateRate");
    r.Get<double>("t");
    if (model != 3) throw std::runtime_error("only supervised fastText models can predict labels");
    // fasttext.cc: version 11 supervised models did not use character n-grams.
    if (version == 11) maxn_ = 0;

    int32_t dictSize = r.Get<int32_t>("dictionary size");
    nwords_ = r.Get<int32_t>("nwords");
    nlabels_ = r.Get<int32_t>("nlabels");
    r.Get<int64_t>("ntokens");
    pruneSize_ = r.Get<int64_t>("pruneidx size");
    if (dictSize < 0 || nwords_ < 0 || nlabels_ <= 0 || nwords_ + nlabels_ != dictSize)
      throw std::runtime_error("bad dictionary header in fastText model");
    words_.reserve(nwords_);
    for (int32_t i = 0; i < dictSize; i++) {
      std::string w = r.CString("dictionary word");
      int64_t count = r.Get<int64_t>("word count");
      int8_t type = r.Get<int8_t>("word type");
      if (i < nwords_) {
        if (type != 0) throw std::runtime_error("fastText dictionary: labels must follow words");
        wordIds_.emplace(w, i);
        words_.push_back(std::move(w));
      } else {
        if (type != 1) throw std::runtime_error("fastText dictionary: expected a label");
        labelCounts_.push_back(count);
        labels_.push_back(std::move(w));
      }
    }
    // The pruned-bucket map as a flat array over all buckets (8 MB for lid.176's 2M buckets): a
    // load instead of a hash lookup for each of the ~10 character n-grams of every new token.
    if (pruneSize_ > 0) pruneRows_.assign(static_cast<size_t>(std::max(bucket_, 0)), -1);
    for (int64_t i = 0; i < pruneSize_; i++) {
      int32_t from = r.Get<int32_t>("pruneidx key");
      int32_t to = r.Get<int32_t>("pruneidx value");
      if (from >= 0 && from < bucket_) pruneRows_[from] = to;
    }
    bool quantInput = r.Get<uint8_t>("quant_input flag") != 0;
    input_.Load(r, quantInput);
    bool qout = r.Get<uint8_t>("qout flag") != 0;
    output_.Load(r, qout);
    if (input_.n != dim_ || output_.n != dim_) throw std::runtime_error("matrix width differs from model dim");
    // One output row per label (hierarchical softmax uses the first nlabels-1 for its inner nodes).
    if (output_.m != nlabels_) throw std::runtime_error("output matrix rows differ from label count");
    if (loss_ < kHs || loss_ > kOva) throw std::runtime_error("unknown fastText loss " + std::to_string(loss_));
    // Dense copy of a quantized input matrix when it is small enough (lid.176.ftz: 3.2 MB).
    decoded_ = quantInput && input_.m * input_.n <= (int64_t(1) << 27);
    if (decoded_) input_.DecodeToDense();
    if (loss_ == kHs) BuildTree();
    for (int i = 0; i <= kSigmoidTable; i++) {
      float x = float(i * 2 * kMaxSigmoid) / kSigmoidTable - kMaxSigmoid;
      sigmoid_.push_back(1.0 / (1.0 + std::exp(-x)));
    }
  }

  const std::vector<std::string>& labels() const { return labels_; }
  int32_t dim() const { return dim_; }
  int32_t loss() const { return loss_; }
  int32_t wordNgrams() const { return wordNgrams_; }
  int32_t nwords() const { return nwords_; }

  // Top-k (label index, probability) for one line of UTF-8 text, as `fasttext predict-prob` prints them.
  // fastText reads one line and appends the end-of-sentence token; a '\n' inside `text` ends the line.
  void Predict(const char* text, size_t len, int32_t k, float threshold,
               std::vector<std::pair<float, int32_t>>& out) {
    out.clear();
    Features(text, len, ids_);
    if (ids_.empty()) return;
    hidden_.assign(dim_, 0.0f);
    for (int32_t id : ids_) AddInputRow(id);
    float inv = static_cast<float>(1.0 / ids_.size());
    for (float& h : hidden_) h *= inv;
    std::vector<std::pair<float, int32_t>>& heap = out;
    if (loss_ == kHs) {
      Dfs(k, threshold, 2 * nlabels_ - 2, 0.0f, heap);
    } else {
      ComputeOutput();
      for (int32_t i = 0; i < static_cast<int32_t>(output_vals_.size()); i++) {
        float o = output_vals_[i];
        if (o < threshold) continue;
        if (static_cast<int32_t>(heap.size()) == k && StdLog(o) < heap.front().first) continue;
        heap.push_back({StdLog(o), i});
        std::push_heap(heap.begin(), heap.end(), ComparePairs);
        if (static_cast<int32_t>(heap.size()) > k) {
          std::pop_heap(heap.begin(), heap.end(), ComparePairs);
          heap.pop_back();
        }
      }
    }
    std::sort_heap(heap.begin(), heap.end(), ComparePairs);
    for (auto& p : heap) p.first = std::exp(p.first);
  }

  // The input-matrix rows of one line (Dictionary::getLine for supervised models).
  void Features(const char* text, size_t len, std::vector<int32_t>& ids) {
    ids.clear();
    wordHashes_.clear();
    size_t i = 0;
    std::string token;
    while (true) {
      // readWord: separators are ' ', '\n', '\r', '\t', '\v', '\f', '\0'; a '\n' (or the end of the
      // text, where fastText's line reader sees the newline) yields the EOS token.
      while (i < len && IsSpace(text[i]) && text[i] != '\n') i++;
      bool eos = i >= len || text[i] == '\n';
      size_t start = i;
      while (i < len && !IsSpace(text[i])) i++;
      if (eos) token.assign(kEos);
      else token.assign(text + start, i - start);
      AddToken(token, ids);
      if (eos) break;
    }
    AddWordNgrams(ids);
  }

 private:
  static bool IsSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
  }

  // Dictionary::hash: FNV-1a 32 over the bytes taken as signed chars (the sign-extension quirk
  // changes the hash of every non-ASCII byte; kept, since the models were trained with it).
  static uint32_t Hash(const char* s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
      h = h ^ static_cast<uint32_t>(static_cast<int8_t>(s[i]));
      h = h * 16777619u;
    }
    return h;
  }

  void PushHash(std::vector<int32_t>& out, int32_t id) const {
    if (pruneSize_ == 0 || id < 0) return;
    if (pruneSize_ > 0) {
      if (id >= static_cast<int32_t>(pruneRows_.size()) || pruneRows_[id] < 0) return;
      id = pruneRows_[id];
    }
    out.push_back(nwords_ + id);
  }

  // Dictionary::computeSubwords over "<" + word + ">", n-grams of minn..maxn UTF-8 characters,
  // skipping the lone "<" and ">". FNV-1a is extended byte by byte as the n-gram grows, which gives
  // the same hash as fastText's hash of each n-gram from scratch at a quarter of the work.
  void ComputeSubwords(const std::string& word, std::vector<int32_t>& out) const {
    const size_t len = word.size();
    for (size_t i = 0; i < len; i++) {
      if ((word[i] & 0xC0) == 0x80) continue;
      size_t j = i;
      uint32_t h = 2166136261u;
      for (int32_t n = 1; j < len && n <= maxn_; n++) {
        do {
          h = (h ^ static_cast<uint32_t>(static_cast<int8_t>(word[j]))) * 16777619u;
          j++;
        } while (j < len && (word[j] & 0xC0) == 0x80);
        if (n >= minn_ && !(n == 1 && (i == 0 || j == len))) {
          PushHash(out, static_cast<int32_t>(h % static_cast<uint32_t>(bucket_)));
        }
      }
    }
  }

  void AddToken(const std::string& token, std::vector<int32_t>& ids) {
    uint32_t h = Hash(token.data(), token.size());
    // Labels in the text ("__label__x") are not features; fastText skips them the same way.
    if (token.compare(0, 9, "__label__") == 0) return;
    wordHashes_.push_back(static_cast<int32_t>(h));
    auto cached = cache_.find(token);
    if (cached != cache_.end()) {
      ids.insert(ids.end(), cached->second.begin(), cached->second.end());
      return;
    }
    std::vector<int32_t> rows;
    auto it = wordIds_.find(token);
    if (it == wordIds_.end()) {
      if (token != kEos && maxn_ > 0) ComputeSubwords("<" + token + ">", rows);
    } else {
      rows.push_back(it->second);
      if (maxn_ > 0 && token != kEos) ComputeSubwords("<" + token + ">", rows);
    }
    ids.insert(ids.end(), rows.begin(), rows.end());
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
    if (token.size() <= 64) cache_.emplace(token, std::move(rows));
  }

  // Dictionary::addWordNgrams: word hashes (as int32, sign-extended into uint64) mixed with 116049371.
  void AddWordNgrams(std::vector<int32_t>& ids) const {
    int32_t n = wordNgrams_;
    for (int32_t i = 0; i < static_cast<int32_t>(wordHashes_.size()); i++) {
      uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(wordHashes_[i]));
      for (int32_t j = i + 1; j < static_cast<int32_t>(wordHashes_.size()) && j < i + n; j++) {
        h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(wordHashes_[j]));
        PushHash(ids, static_cast<int32_t>(h % static_cast<uint64_t>(bucket_)));
      }
    }
  }

  void AddInputRow(int32_t id) {
    if (id < 0 || id >= input_.m) return;
    if (!input_.quant || decoded_) {
      const float* row = &input_.dense[static_cast<size_t>(id) * dim_];
      for (int32_t j = 0; j < dim_; j++) hidden_[j] += row[j];
      return;
    }
    float alpha = input_.Norm(id);
    const ProductQuantizer& pq = input_.pq;
    const uint8_t* code = &input_.codes[static_cast<size_t>(id) * pq.nsubq];
    int32_t d = pq.dsub;
    for (int32_t s = 0; s < pq.nsubq; s++) {
      const float* c = pq.Centroid(s, code[s]);
      if (s == pq.nsubq - 1) d = pq.lastdsub;
      for (int32_t j = 0; j < d; j++) hidden_[s * pq.dsub + j] += alpha * c[j];
    }
  }

  float Sigmoid(float x) const {
    if (x < -kMaxSigmoid) return 0.0f;
    if (x > kMaxSigmoid) return 1.0f;
    int64_t i = int64_t((x + kMaxSigmoid) * kSigmoidTable / kMaxSigmoid / 2);
    return sigmoid_[i];
  }

  void ComputeOutput() {
    int32_t osz = static_cast<int32_t>(output_.m);
    output_vals_.resize(osz);
    for (int32_t i = 0; i < osz; i++) output_vals_[i] = output_.DotRow(hidden_, i);
    if (loss_ == kSoftmax) {
      float max = output_vals_[0], z = 0.0f;
      for (float o : output_vals_) max = std::max(o, max);
      for (float& o : output_vals_) {
        o = std::exp(o - max);
        z += o;
      }
      for (float& o : output_vals_) o /= z;
    } else {
      for (float& o : output_vals_) o = Sigmoid(o);
    }
  }

  // HierarchicalSoftmaxLoss::buildTree: Huffman tree over label counts (labels sorted by count).
  void BuildTree() {
    int32_t osz = nlabels_;
    tree_.assign(2 * osz - 1, HsNode{});
    for (auto& t : tree_) t.count = static_cast<int64_t>(1e15);
    for (int32_t i = 0; i < osz; i++) tree_[i].count = labelCounts_[i];
    int32_t leaf = osz - 1, node = osz;
    for (int32_t i = osz; i < 2 * osz - 1; i++) {
      int32_t mini[2] = {0, 0};
      for (int32_t j = 0; j < 2; j++) {
        if (leaf >= 0 && tree_[leaf].count < tree_[node].count) mini[j] = leaf--;
        else mini[j] = node++;
      }
      tree_[i].left = mini[0];
      tree_[i].right = mini[1];
      tree_[i].count = tree_[mini[0]].count + tree_[mini[1]].count;
      tree_[mini[0]].parent = i;
      tree_[mini[1]].parent = i;
    }
  }

  void Dfs(int32_t k, float threshold, int32_t node, float score, std::vector<std::pair<float, int32_t>>& heap) {
    if (score < StdLog(threshold)) return;
    if (static_cast<int32_t>(heap.size()) == k && score < heap.front().first) return;
    if (tree_[node].left == -1 && tree_[node].right == -1) {
      heap.push_back({score, node});
      std::push_heap(heap.begin(), heap.end(), ComparePairs);
      if (static_cast<int32_t>(heap.size()) > k) {
        std::pop_heap(heap.begin(), heap.end(), ComparePairs);
        heap.pop_back();
      }
      return;
    }
    float f = output_.DotRow(hidden_, node - nlabels_);
    f = 1. / (1 + std::exp(-f));
    Dfs(k, threshold, tree_[node].left, score + StdLog(1.0 - f), heap);
    Dfs(k, threshold, tree_[node].right, score + StdLog(f), heap);
  }

  int32_t dim_ = 0, wordNgrams_ = 1, loss_ = 0, bucket_ = 0, minn_ = 0, maxn_ = 0;
  int32_t nwords_ = 0, nlabels_ = 0;
  int64_t pruneSize_ = -1;
  std::vector<std::string> words_, labels_;
  std::vector<int64_t> labelCounts_;
  std::unordered_map<std::string, int32_t> wordIds_;
  std::vector<int32_t> pruneRows_;
  Matrix input_, output_;
  bool decoded_ = false;
  std::vector<HsNode> tree_;
  std::vector<float> sigmoid_;
  // Scratch, reused across calls (a model is used by one thread: each worker loads its own).
  std::vector<int32_t> ids_, wordHashes_;
  std::vector<float> hidden_, output_vals_;
  std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

class FastTextModel : public Napi::ObjectWrap<FastTextModel> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FastTextModel",
                       {InstanceMethod("labels", &FastTextModel::Labels), InstanceMethod("info", &FastTextModel::Info),
                        InstanceMethod("predict", &FastTextModel::Predict),
                        InstanceMethod("features", &FastTextModel::Features)});
  }

  explicit FastTextModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FastTextModel>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "FastTextModel(buffer) expects the model file's bytes").ThrowAsJavaScriptException();
      return;
    }
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    try {
      model_ = std::make_unique<Model>(buf.Data(), buf.Length());
    } catch (const std::exception& e) {
      Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
    }
  }

 private:
  Napi::Value Labels(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const auto& labels = model_->labels();
    Napi::Array out = Napi::Array::New(env, labels.size());
    for (size_t i = 0; i < labels.size(); i++) out.Set(i, Napi::String::New(env, labels[i]));
    return out;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("dim", model_->dim());
    o.Set("loss", model_->loss());
    o.Set("wordNgrams", model_->wordNgrams());
    o.Set("nwords", model_->nwords());
    return o;
  }

  // predict(texts: string[], k: number, threshold: number) -> Float64Array of texts.length*k*2:
  // (label index, probability) pairs, best first; missing predictions are (-1, 0).
  Napi::Value Predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsArray() || !info[1].IsNumber() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "predict(texts: string[], k: number, threshold: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Array texts = info[0].As<Napi::Array>();
    int32_t k = info[1].As<Napi::Number>().Int32Value();
    float threshold = info[2].As<Napi::Number>().FloatValue();
    if (k <= 0) {
      Napi::RangeError::New(env, "k must be positive").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t n = texts.Length();
    Napi::Float64Array out = Napi::Float64Array::New(env, static_cast<size_t>(n) * k * 2);
    std::vector<std::pair<float, int32_t>> preds;
    std::string text;
    for (uint32_t t = 0; t < n; t++) {
      Napi::Value v = texts.Get(t);
      if (!v.IsString()) {
        Napi::TypeError::New(env, "predict: texts[" + std::to_string(t) + "] is not a string").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      text = v.As<Napi::String>().Utf8Value();
      model_->Predict(text.data(), text.size(), k, threshold, preds);
      double* slot = out.Data() + static_cast<size_t>(t) * k * 2;
      for (int32_t j = 0; j < k; j++) {
        bool has = j < static_cast<int32_t>(preds.size());
        slot[2 * j] = has ? preds[j].second : -1;
        slot[2 * j + 1] = has ? preds[j].first : 0;
      }
    }
    return out;
  }

  // features(text) -> Int32Array: the input rows fastText averages for this line (for tests and tools).
  Napi::Value Features(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(env, "features(text: string)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::string text = info[0].As<Napi::String>().Utf8Value();
    std::vector<int32_t> ids;
    model_->Features(text.data(), text.size(), ids);
    Napi::Int32Array out = Napi::Int32Array::New(env, ids.size());
    std::copy(ids.begin(), ids.end(), out.Data());
    return out;
  }

  std::unique_ptr<Model> model_;
};

corpusmill::RegisterExports reg([](Napi::Env env, Napi::Object exports) {
  exports.Set("FastTextModel", FastTextModel::Define(env));
});

}  // namespace

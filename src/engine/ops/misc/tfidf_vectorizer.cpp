// TfIdfVectorizer (opset 9): counts the n-grams of `pool_int64s`/`pool_strings` (grouped by
// length through ngram_counts) in each row of an int or string [C] / [B, C] input, allowing up
// to max_skip_count skipped items between n-gram elements, and weights the counts (TF, IDF,
// TFIDF). The n-gram lookup is a trie; matching follows the ONNX reference order exactly.
#include <map>
#include <variant>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

template <typename K>
struct TrieNode {
  int64_t id = 0;  // 1-based n-gram id; 0 when no n-gram ends here
  std::map<K, TrieNode> next;
};

enum class Weighting { kTF, kIDF, kTFIDF };

struct TfIdfConfig {
  int64_t min_gram = 1, max_gram = 1, max_skip = 0;
  Weighting mode = Weighting::kTF;
  std::vector<int64_t> ngram_indexes;
  std::vector<float> weights;
  int64_t output_size = 0;
};

// Adds the pool's n-grams of each length to the trie; ids count every pooled n-gram, also the
// ones outside [min_gram, max_gram] that are not added.
template <typename K>
Status build_trie(const std::vector<K>& pool, const std::vector<int64_t>& counts, const TfIdfConfig& cfg,
                  TrieNode<K>& root) {
  int64_t id = 1;
  const auto total = static_cast<int64_t>(pool.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    const int64_t size = static_cast<int64_t>(i) + 1;
    const int64_t start = counts[i];
    const int64_t end = i + 1 < counts.size() ? counts[i + 1] : total;
    if (start < 0 || end > total || end < start) {
      return invalid_argument("TfIdfVectorizer ngram_counts " + std::to_string(start) + ".." +
                              std::to_string(end) + " do not fit the pool of " + std::to_string(total));
    }
    const int64_t grams = (end - start) / size;
    if (size < cfg.min_gram || size > cfg.max_gram) {
      id += grams;
      continue;
    }
    for (int64_t g = 0; g < grams; ++g) {
      TrieNode<K>* node = &root;
      for (int64_t k = 0; k < size; ++k) node = &node->next[pool[static_cast<size_t>(start + g * size + k)]];
      node->id = id++;
    }
  }
  if (id - 1 > static_cast<int64_t>(cfg.ngram_indexes.size())) {
    return invalid_argument("TfIdfVectorizer has " + std::to_string(id - 1) + " n-grams but " +
                            std::to_string(cfg.ngram_indexes.size()) + " ngram_indexes");
  }
  return Status::ok();
}

template <typename K>
class TfIdfKernel : public Kernel {
 public:
  TfIdfKernel(TfIdfConfig cfg, TrieNode<K> root) : cfg_(std::move(cfg)), root_(std::move(root)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x) return invalid_argument("TfIdfVectorizer needs input X");
    const bool want_string = std::is_same_v<K, std::string>;
    if ((x->dtype() == DataType::kString) != want_string ||
        (!want_string && x->dtype() != DataType::kInt32 && x->dtype() != DataType::kInt64)) {
      return invalid_argument(std::string("TfIdfVectorizer input type ") + dtype_name(x->dtype()) +
                              " does not match its pool (" + (want_string ? "strings" : "int64s") + ")");
    }
    if (x->rank() > 2) {
      return invalid_argument("TfIdfVectorizer input must be [C] or [B, C], got " + shape_to_string(x->shape()));
    }
    const int64_t rows = x->rank() == 2 ? x->dim(0) : 1;
    const int64_t cols = x->rank() == 2 ? x->dim(1) : x->numel();
    const int64_t out_n = cfg_.output_size;
    Shape shape = x->rank() == 2 ? Shape{rows, out_n} : Shape{out_n};
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, shape));
    std::vector<int64_t> freq(static_cast<size_t>(rows * out_n), 0);
    for (int64_t r = 0; r < rows; ++r) count_row(*x, r, cols, freq.data() + r * out_n);
    float* out = y->data<float>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < out_n; ++i) {
        const int64_t f = freq[static_cast<size_t>(r * out_n + i)];
        const float w = cfg_.weights.empty() ? 1.0f : cfg_.weights[static_cast<size_t>(i)];
        float v = static_cast<float>(f);
        if (cfg_.mode == Weighting::kIDF) v = f > 0 ? w : 0.0f;
        if (cfg_.mode == Weighting::kTFIDF) v = w * static_cast<float>(f);
        out[r * out_n + i] = v;
      }
    }
    return Status::ok();
  }

 private:
  K item(const Tensor& x, int64_t i) const {
    if constexpr (std::is_same_v<K, std::string>) {
      return x.data<std::string>()[i];
    } else {
      return x.value_as_int(i);
    }
  }

  void count_row(const Tensor& x, int64_t row, int64_t cols, int64_t* freq) const {
    const int64_t base = row * cols;
    int64_t start_size = cfg_.min_gram;
    for (int64_t skip = 1; skip <= cfg_.max_skip + 1; ++skip) {
      for (int64_t s = 0; s < cols; ++s) {
        if (s + skip * (start_size - 1) >= cols) break;
        const TrieNode<K>* node = &root_;
        int64_t at = s;
        for (int64_t size = 1; !node->next.empty() && size <= cfg_.max_gram && at < cols; ++size, at += skip) {
          auto it = node->next.find(item(x, base + at));
          if (it == node->next.end()) break;
          node = &it->second;
          if (size >= start_size && node->id != 0) {
            freq[cfg_.ngram_indexes[static_cast<size_t>(node->id - 1)]]++;
          }
        }
      }
      // Unigrams do not depend on the skip distance, so they are counted in the first pass only.
      if (start_size == 1) {
        start_size = 2;
        if (start_size > cfg_.max_gram) break;
      }
    }
  }

  TfIdfConfig cfg_;
  TrieNode<K> root_;
};

Result<std::unique_ptr<Kernel>> make_tfidf(const KernelBuildInfo& info) {
  const Attributes& a = info.attrs();
  TfIdfConfig cfg;
  cfg.min_gram = a.get_int("min_gram_length", 0);
  cfg.max_gram = a.get_int("max_gram_length", 0);
  cfg.max_skip = a.get_int("max_skip_count", 0);
  if (cfg.min_gram < 1 || cfg.max_gram < cfg.min_gram || cfg.max_skip < 0) {
    return invalid_argument("TfIdfVectorizer needs 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");
  }
  const std::string mode = a.get_string("mode", "");
  if (mode == "TF") {
    cfg.mode = Weighting::kTF;
  } else if (mode == "IDF") {
    cfg.mode = Weighting::kIDF;
  } else if (mode == "TFIDF") {
    cfg.mode = Weighting::kTFIDF;
  } else {
    return invalid_argument("TfIdfVectorizer mode must be TF, IDF or TFIDF, got '" + mode + "'");
  }
  cfg.ngram_indexes = a.get_ints("ngram_indexes");
  if (cfg.ngram_indexes.empty()) return invalid_argument("TfIdfVectorizer needs ngram_indexes");
  for (int64_t i : cfg.ngram_indexes) {
    if (i < 0) return invalid_argument("TfIdfVectorizer ngram_indexes must be >= 0, got " + std::to_string(i));
    cfg.output_size = std::max(cfg.output_size, i + 1);
  }
  cfg.weights = a.get_floats("weights");
  if (!cfg.weights.empty() && static_cast<int64_t>(cfg.weights.size()) < cfg.output_size) {
    return invalid_argument("TfIdfVectorizer has " + std::to_string(cfg.weights.size()) + " weights for " +
                            std::to_string(cfg.output_size) + " outputs");
  }
  const std::vector<int64_t> counts = a.get_ints("ngram_counts");
  if (a.has("pool_strings")) {
    TrieNode<std::string> root;
    FOGLINE_TRY(build_trie(a.get_strings("pool_strings"), counts, cfg, root));
    return std::unique_ptr<Kernel>(new TfIdfKernel<std::string>(std::move(cfg), std::move(root)));
  }
  TrieNode<int64_t> root;
  FOGLINE_TRY(build_trie(a.get_ints("pool_int64s"), counts, cfg, root));
  return std::unique_ptr<Kernel>(new TfIdfKernel<int64_t>(std::move(cfg), std::move(root)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "TfIdfVectorizer", 9, 1000, Backend::kReference, make_tfidf);

}  // namespace fogline::engine::ops

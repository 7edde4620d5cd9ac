#include "engine/ops/activation/softmax_common.h"

namespace fogline::engine::ops {
namespace {

// Subtracting the row max keeps exp in range.
template <typename C>
struct SoftmaxRow {
  void operator()(C* v, int64_t n) const {
    C m = v[0];
    for (int64_t k = 1; k < n; ++k) m = std::max(m, v[k]);
    C sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      v[k] = std::exp(v[k] - m);
      sum += v[k];
    }
    for (int64_t k = 0; k < n; ++k) v[k] /= sum;
  }
};

Result<std::unique_ptr<Kernel>> make_softmax(const KernelBuildInfo& info) {
  return make_softmax_family<SoftmaxRow>(info, "Softmax");
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Softmax", 1, 1000, Backend::kReference, make_softmax);

}  // namespace fogline::engine::ops

#include "engine/ops/activation/softmax_common.h"

namespace fogline::engine::ops {
namespace {

// x - max - log(sum(exp(x - max))): stable for large inputs.
template <typename C>
struct LogSoftmaxRow {
  void operator()(C* v, int64_t n) const {
    C m = v[0];
    for (int64_t k = 1; k < n; ++k) m = std::max(m, v[k]);
    C sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += std::exp(v[k] - m);
    const C lse = m + std::log(sum);
    for (int64_t k = 0; k < n; ++k) v[k] -= lse;
  }
};

Result<std::unique_ptr<Kernel>> make_log_softmax(const KernelBuildInfo& info) {
  return make_softmax_family<LogSoftmaxRow>(info, "LogSoftmax");
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LogSoftmax", 1, 1000, Backend::kReference, make_log_softmax);

}  // namespace fogline::engine::ops

#include "engine/ops/activation/softmax_common.h"

namespace fogline::engine::ops {
namespace {

// 1 at the first maximum of each row, 0 elsewhere.
template <typename C>
struct HardmaxRow {
  void operator()(C* v, int64_t n) const {
    int64_t best = 0;
    for (int64_t k = 1; k < n; ++k) {
      if (v[k] > v[best]) best = k;
    }
    for (int64_t k = 0; k < n; ++k) v[k] = k == best ? C(1) : C(0);
  }
};

Result<std::unique_ptr<Kernel>> make_hardmax(const KernelBuildInfo& info) {
  return make_softmax_family<HardmaxRow>(info, "Hardmax");
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Hardmax", 1, 1000, Backend::kReference, make_hardmax);

}  // namespace fogline::engine::ops

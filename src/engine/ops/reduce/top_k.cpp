// TopK: the k largest (or, with largest=0, smallest) values along `axis` and their int64
// indices, sorted; equal values keep the lower index first. k is an attribute in opset 1 and
// a one-element input from opset 10.
#include <algorithm>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class TopKKernel : public Kernel {
 public:
  TopKKernel(int64_t axis, bool largest, int64_t attr_k, bool k_from_input)
      : axis_(axis), largest_(largest), attr_k_(attr_k), k_from_input_(k_from_input) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (x.rank() == 0) return invalid_argument("TopK input must have rank >= 1, got a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x.rank(), ctx));
    int64_t k = attr_k_;
    if (k_from_input_) {
      if (!ctx.input(1)) return invalid_argument("TopK needs a 'K' input");
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> kv, read_int64s(*ctx.input(1), "TopK K"));
      if (kv.size() != 1) return invalid_argument("TopK K must have one element, got " + std::to_string(kv.size()));
      k = kv[0];
    }
    const int64_t n = x.dim(axis);
    if (k < 0 || k > n) {
      return invalid_argument("TopK k=" + std::to_string(k) + " is out of range for axis " +
                              std::to_string(axis) + " of size " + std::to_string(n));
    }
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = k;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * values, ctx.allocate_output(0, x.dtype(), out_shape));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * indices, ctx.allocate_output(1, DataType::kInt64, out_shape));
    if (values->numel() == 0) return Status::ok();
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(x.dtype(), "TopK", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* vout = values->data<T>();
      int64_t* iout = indices->data<int64_t>();
      const int64_t total = outer * inner;
#pragma omp parallel for if (total * n > 16384 && total > 1) num_threads(ctx.threads())
      for (int64_t t = 0; t < total; ++t) {
        const int64_t o = t / inner, i = t % inner;
        const T* p = in + o * n * inner + i;
        std::vector<std::pair<C, int64_t>> items(static_cast<size_t>(n));
        for (int64_t j = 0; j < n; ++j) items[static_cast<size_t>(j)] = {static_cast<C>(p[j * inner]), j};
        // NaN ranks above every number (as in numpy) so the order stays strict and weak.
        auto before = [&](const std::pair<C, int64_t>& a, const std::pair<C, int64_t>& b) {
          const bool na = a.first != a.first, nb = b.first != b.first;
          if (na != nb) return largest_ ? na : nb;
          if (!na && a.first != b.first) return largest_ ? a.first > b.first : a.first < b.first;
          return a.second < b.second;
        };
        std::partial_sort(items.begin(), items.begin() + k, items.end(), before);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t dst = o * k * inner + j * inner + i;
          vout[dst] = p[items[static_cast<size_t>(j)].second * inner];
          iout[dst] = items[static_cast<size_t>(j)].second;
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  bool largest_;
  int64_t attr_k_;
  bool k_from_input_;
};

Result<std::unique_ptr<Kernel>> make_top_k(const KernelBuildInfo& info) {
  const bool from_input = info.opset() >= 10;
  if (!from_input && !info.attrs().has("k")) return invalid_argument("TopK (opset 1) needs a 'k' attribute");
  return std::unique_ptr<Kernel>(new TopKKernel(info.attrs().get_int("axis", -1),
                                                info.attrs().get_int("largest", 1) != 0,
                                                info.attrs().get_int("k", 0), from_input));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "TopK", 1, 1000, Backend::kReference, make_top_k);

}  // namespace fogline::engine::ops

// NonZero: the coordinates of non-zero elements as int64 [rank, count], in row-major order.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class NonZeroKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    std::vector<int64_t> hits;
    FOGLINE_TRY(dispatch_types<FOGLINE_ALL_TYPES>(x.dtype(), "NonZero", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        if (static_cast<C>(in[i]) != C(0)) hits.push_back(i);
      }
      return Status::ok();
    }));
    const int rank = x.rank();
    const int64_t count = static_cast<int64_t>(hits.size());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, {rank, count}));
    int64_t* out = y->data<int64_t>();
    for (int64_t j = 0; j < count; ++j) {
      int64_t rem = hits[static_cast<size_t>(j)];
      for (int d = rank - 1; d >= 0; --d) {
        out[d * count + j] = rem % x.dim(d);
        rem /= x.dim(d);
      }
    }
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "NonZero", 9, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(NonZeroKernel));

}  // namespace fogline::engine::ops

// Transpose: output dim i is input dim perm[i]; perm defaults to reversing the dims.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int rank = x.rank();
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
    }
    if (static_cast<int>(perm.size()) != rank) {
      return invalid_argument("Transpose perm has " + std::to_string(perm.size()) +
                              " entries but the input has rank " + std::to_string(rank));
    }
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int> p, normalize_axes(perm, rank, "Transpose perm"));
    const std::vector<int64_t> in_strides = contiguous_strides(x.shape());
    Shape out_shape(static_cast<size_t>(rank));
    std::vector<int64_t> strides(static_cast<size_t>(rank));
    for (int i = 0; i < rank; ++i) {
      out_shape[static_cast<size_t>(i)] = x.dim(p[static_cast<size_t>(i)]);
      strides[static_cast<size_t>(i)] = in_strides[static_cast<size_t>(p[static_cast<size_t>(i)])];
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    return dispatch_by_width(x.dtype(), "Transpose", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, out_shape, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  std::vector<int64_t> perm_;
};

Result<std::unique_ptr<Kernel>> make_transpose(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new TransposeKernel(info.attrs().get_ints("perm")));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Transpose", 1, 1000, Backend::kReference, make_transpose);

}  // namespace fogline::engine::ops

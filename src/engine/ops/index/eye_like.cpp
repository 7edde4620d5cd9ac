// EyeLike: a 2-D tensor shaped like the input with ones on diagonal k and zeros elsewhere;
// the type is the 'dtype' attribute, else the input's.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class EyeLikeKernel : public Kernel {
 public:
  EyeLikeKernel(int64_t dtype, int64_t k) : dtype_(dtype), k_(k) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (x.rank() != 2) return invalid_argument("EyeLike input must be 2-D, got " + shape_to_string(x.shape()));
    const DataType dt = dtype_ >= 0 ? static_cast<DataType>(dtype_) : x.dtype();
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, dt, x.shape()));
    const int64_t rows = x.dim(0), cols = x.dim(1);
    return dispatch_types<FOGLINE_ALL_TYPES>(dt, "EyeLike", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = j - i == k_ ? T(1) : T(0);
      }
      return Status::ok();
    });
  }

 private:
  int64_t dtype_;
  int64_t k_;
};

Result<std::unique_ptr<Kernel>> make_eye_like(const KernelBuildInfo& info) {
  const int64_t dtype = info.attrs().get_int("dtype", -1);
  if (dtype >= 0 && !dtype_is_known(static_cast<int32_t>(dtype))) {
    return invalid_argument("EyeLike dtype " + std::to_string(dtype) + " is not a known element type");
  }
  return std::unique_ptr<Kernel>(new EyeLikeKernel(dtype, info.attrs().get_int("k", 0)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "EyeLike", 9, 1000, Backend::kReference, make_eye_like);

}  // namespace fogline::engine::ops

// ReverseSequence: for each batch entry b, reverses the first sequence_lens[b] steps along the
// time axis and copies the rest. time_axis/batch_axis are 0 and 1 in either order.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ReverseSequenceKernel : public Kernel {
 public:
  ReverseSequenceKernel(int64_t time_axis, int64_t batch_axis) : time_axis_(time_axis), batch_axis_(batch_axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (!ctx.input(1)) return invalid_argument("ReverseSequence needs a 'sequence_lens' input");
    if (x.rank() < 2) return invalid_argument("ReverseSequence input must have rank >= 2, got " + shape_to_string(x.shape()));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> lens, read_int64s(*ctx.input(1), "ReverseSequence sequence_lens"));
    const int t_axis = static_cast<int>(time_axis_), b_axis = static_cast<int>(batch_axis_);
    const int64_t steps = x.dim(t_axis), batch = x.dim(b_axis);
    if (static_cast<int64_t>(lens.size()) != batch) {
      return invalid_argument("ReverseSequence sequence_lens has " + std::to_string(lens.size()) +
                              " entries, expected the batch size " + std::to_string(batch));
    }
    for (int64_t len : lens) {
      if (len < 0 || len > steps) {
        return invalid_argument("ReverseSequence length " + std::to_string(len) + " is outside [0, " +
                                std::to_string(steps) + "]");
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    int64_t inner = 1;
    for (int d = 2; d < x.rank(); ++d) inner *= x.dim(d);
    const int64_t t_stride = t_axis == 0 ? batch * inner : inner;
    const int64_t b_stride = b_axis == 0 ? steps * inner : inner;
    return dispatch_by_width(x.dtype(), "ReverseSequence", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t len = lens[static_cast<size_t>(b)];
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t src = t < len ? len - 1 - t : t;
          copy_elements(in + b * b_stride + src * t_stride, out + b * b_stride + t * t_stride, inner);
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t time_axis_;
  int64_t batch_axis_;
};

Result<std::unique_ptr<Kernel>> make_reverse_sequence(const KernelBuildInfo& info) {
  const int64_t t = info.attrs().get_int("time_axis", 0), b = info.attrs().get_int("batch_axis", 1);
  if (!((t == 0 && b == 1) || (t == 1 && b == 0))) {
    return invalid_argument("ReverseSequence time_axis/batch_axis must be 0 and 1, got " + std::to_string(t) +
                            " and " + std::to_string(b));
  }
  return std::unique_ptr<Kernel>(new ReverseSequenceKernel(t, b));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ReverseSequence", 10, 1000, Backend::kReference, make_reverse_sequence);

}  // namespace fogline::engine::ops

// SplitToSequence: cuts `input` along `axis` into a sequence. Without `split`, pieces of
// length 1 (squeezed away when keepdims=0); a scalar `split` gives pieces of that length (the
// last may be shorter); a 1-D `split` gives the lengths, which must add up to the axis.
#include "engine/ops/op_util.h"
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SplitToSequenceKernel : public Kernel {
 public:
  SplitToSequenceKernel(int64_t axis, bool keepdims) : axis_(axis), keepdims_(keepdims) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const Tensor* x, sequence::tensor_input(ctx, 0, "input"));
    if (x->rank() == 0) return invalid_argument("cannot split a scalar");
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, x->rank(), ctx));
    const int64_t len = x->dim(axis);
    std::vector<int64_t> sizes;
    bool squeeze = false;
    if (!ctx.has_input(1)) {
      sizes.assign(static_cast<size_t>(len), 1);
      squeeze = !keepdims_;
    } else {
      const Tensor& split = *ctx.input(1);
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> v, read_int64s(split, "split"));
      if (split.rank() == 0) {
        if (v[0] <= 0) return invalid_argument("split must be positive, got " + std::to_string(v[0]));
        for (int64_t start = 0; start < len; start += v[0]) sizes.push_back(std::min(v[0], len - start));
      } else {
        int64_t total = 0;
        for (int64_t s : v) {
          if (s < 0) return invalid_argument("split lengths must not be negative, got " + std::to_string(s));
          total += s;
        }
        if (total != len) {
          return invalid_argument("split lengths add up to " + std::to_string(total) + ", but axis " +
                                  std::to_string(axis) + " of " + shape_to_string(x->shape()) + " has " +
                                  std::to_string(len));
        }
        sizes = std::move(v);
      }
    }
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x->dim(d);
    for (int d = axis + 1; d < x->rank(); ++d) inner *= x->dim(d);
    TensorSequence seq;
    seq.elem_type = x->dtype();
    int64_t start = 0;
    for (int64_t size : sizes) {
      Shape shape = x->shape();
      shape[static_cast<size_t>(axis)] = size;
      FOGLINE_ASSIGN_OR_RETURN(Tensor piece, Tensor::allocate(x->dtype(), shape));
      for (int64_t o = 0; o < outer; ++o) {
        sequence::copy_elements(x->dtype(), piece.raw(), o * size * inner, x->raw(), (o * len + start) * inner,
                                size * inner);
      }
      if (squeeze) {
        shape.erase(shape.begin() + axis);
        piece = piece.reshaped(shape);
      }
      seq.tensors.push_back(std::move(piece));
      start += size;
    }
    return ctx.set_output(0, box_sequence(std::move(seq)));
  }

 private:
  int64_t axis_;
  bool keepdims_;
};

Result<std::unique_ptr<Kernel>> make_split_to_sequence(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new SplitToSequenceKernel(info.attrs().get_int("axis", 0),
                                                           info.attrs().get_int("keepdims", 1) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SplitToSequence", 11, 1000, Backend::kReference, make_split_to_sequence);

}  // namespace fogline::engine::ops

// ConcatFromSequence: concatenates the elements along `axis`, or with new_axis=1 stacks them
// along a new axis (then axis may be rank, i.e. -rank-1..rank). Every element must have the
// same type and rank, and equal dims except along a concatenated axis.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class ConcatFromSequenceKernel : public Kernel {
 public:
  ConcatFromSequenceKernel(int64_t axis, bool new_axis) : axis_(axis), new_axis_(new_axis) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* in, sequence::sequence_input(ctx, 0, "input_sequence"));
    if (in->tensors.empty()) return invalid_argument("cannot concatenate an empty sequence");
    const Tensor& first = in->tensors[0];
    const int rank = first.rank() + (new_axis_ ? 1 : 0);
    if (axis_ < -rank || axis_ >= rank) {
      return invalid_argument("axis " + std::to_string(axis_) + " is out of range for rank " +
                              std::to_string(rank) + (new_axis_ ? " (with new_axis)" : ""));
    }
    const auto axis = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
    // With new_axis each element counts as having a 1 inserted at `axis`.
    std::vector<Shape> shapes;
    for (size_t k = 0; k < in->tensors.size(); ++k) {
      const Tensor& t = in->tensors[k];
      Shape s = t.shape();
      if (new_axis_) s.insert(s.begin() + static_cast<std::ptrdiff_t>(std::min(axis, s.size())), 1);
      if (t.dtype() != first.dtype() || static_cast<int>(s.size()) != rank) {
        return invalid_argument("element " + std::to_string(k) + " is " + dtype_name(t.dtype()) +
                                shape_to_string(t.shape()) + ", element 0 is " + dtype_name(first.dtype()) +
                                shape_to_string(first.shape()));
      }
      for (size_t d = 0; k > 0 && d < s.size(); ++d) {
        if (d != axis && s[d] != shapes[0][d]) {
          return invalid_argument("element " + std::to_string(k) + " has shape " + shape_to_string(t.shape()) +
                                  ", which does not fit element 0's " + shape_to_string(first.shape()) +
                                  " outside axis " + std::to_string(axis));
        }
      }
      shapes.push_back(std::move(s));
    }
    Shape out_shape = shapes[0];
    out_shape[axis] = 0;
    for (const Shape& s : shapes) out_shape[axis] += s[axis];
    FOGLINE_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, first.dtype(), out_shape));
    int64_t outer = 1;
    for (size_t d = 0; d < axis; ++d) outer *= out_shape[d];
    int64_t inner = 1;
    for (size_t d = axis + 1; d < out_shape.size(); ++d) inner *= out_shape[d];
    const int64_t out_row = out_shape[axis] * inner;
    int64_t col = 0;  // where this element's block starts within an output row
    for (size_t k = 0; k < shapes.size(); ++k) {
      const int64_t block = shapes[k][axis] * inner;
      for (int64_t o = 0; o < outer; ++o) {
        sequence::copy_elements(first.dtype(), out->raw(), o * out_row + col, in->tensors[k].raw(), o * block, block);
      }
      col += block;
    }
    return Status::ok();
  }

 private:
  int64_t axis_;
  bool new_axis_;
};

Result<std::unique_ptr<Kernel>> make_concat_from_sequence(const KernelBuildInfo& info) {
  if (!info.attrs().has("axis")) return invalid_argument("ConcatFromSequence needs attribute 'axis'");
  const int64_t new_axis = info.attrs().get_int("new_axis", 0);
  if (new_axis != 0 && new_axis != 1) {
    return invalid_argument("ConcatFromSequence's new_axis must be 0 or 1, got " + std::to_string(new_axis));
  }
  return std::unique_ptr<Kernel>(new ConcatFromSequenceKernel(info.attrs().get_int("axis", 0), new_axis == 1));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ConcatFromSequence", 11, 1000, Backend::kReference, make_concat_from_sequence);

}  // namespace fogline::engine::ops

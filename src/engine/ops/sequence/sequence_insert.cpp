// SequenceInsert: a new sequence with `tensor` inserted at `position` (default: the back).
// The input sequence is left as it is; elements are shared, not copied.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceInsertKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* in, sequence::sequence_input(ctx, 0, "input_sequence"));
    FOGLINE_ASSIGN_OR_RETURN(const Tensor* t, sequence::tensor_input(ctx, 1, "tensor"));
    if (in->elem_type != DataType::kUndefined && t->dtype() != in->elem_type) {
      return invalid_argument("cannot insert a " + std::string(dtype_name(t->dtype())) +
                              " tensor into a sequence of " + dtype_name(in->elem_type));
    }
    const auto n = static_cast<int64_t>(in->tensors.size());
    int64_t pos = n;
    if (ctx.has_input(2)) {
      FOGLINE_ASSIGN_OR_RETURN(pos, sequence::read_position(*ctx.input(2), n, true, "position"));
    }
    TensorSequence out;
    out.elem_type = t->dtype();
    out.tensors.reserve(static_cast<size_t>(n + 1));
    out.tensors.assign(in->tensors.begin(), in->tensors.begin() + pos);
    FOGLINE_ASSIGN_OR_RETURN(Tensor kept, sequence::keep_element(*t));
    out.tensors.push_back(std::move(kept));
    out.tensors.insert(out.tensors.end(), in->tensors.begin() + pos, in->tensors.end());
    return ctx.set_output(0, box_sequence(std::move(out)));
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceInsert", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(SequenceInsertKernel));

}  // namespace fogline::engine::ops

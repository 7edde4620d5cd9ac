// SequenceErase: a new sequence without the element at `position` (default: the last).
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceEraseKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* in, sequence::sequence_input(ctx, 0, "input_sequence"));
    const auto n = static_cast<int64_t>(in->tensors.size());
    if (n == 0) return invalid_argument("cannot erase from an empty sequence");
    int64_t pos = n - 1;
    if (ctx.has_input(1)) {
      FOGLINE_ASSIGN_OR_RETURN(pos, sequence::read_position(*ctx.input(1), n, false, "position"));
    }
    TensorSequence out;
    out.elem_type = in->elem_type;
    out.tensors = in->tensors;
    out.tensors.erase(out.tensors.begin() + pos);
    return ctx.set_output(0, box_sequence(std::move(out)));
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceErase", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(SequenceEraseKernel));

}  // namespace fogline::engine::ops

// SequenceAt: the element at `position` (negative counts from the back), shared, not copied.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceAtKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* in, sequence::sequence_input(ctx, 0, "input_sequence"));
    if (!ctx.has_input(1)) return invalid_argument("position is missing");
    const auto n = static_cast<int64_t>(in->tensors.size());
    FOGLINE_ASSIGN_OR_RETURN(int64_t pos, sequence::read_position(*ctx.input(1), n, false, "position"));
    return ctx.set_output(0, in->tensors[static_cast<size_t>(pos)]);
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceAt", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(SequenceAtKernel));

}  // namespace fogline::engine::ops

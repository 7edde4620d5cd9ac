// SequenceLength: the number of elements, as an int64 scalar.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceLengthKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(const TensorSequence* in, sequence::sequence_input(ctx, 0, "input_sequence"));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DataType::kInt64, {}));
    out->data<int64_t>()[0] = static_cast<int64_t>(in->tensors.size());
    return Status::ok();
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceLength", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(SequenceLengthKernel));

}  // namespace fogline::engine::ops

// SequenceConstruct: a sequence of its inputs, which must share one element type.
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceConstructKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    TensorSequence seq;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      FOGLINE_ASSIGN_OR_RETURN(const Tensor* t, sequence::tensor_input(ctx, i, "input " + std::to_string(i)));
      if (seq.elem_type != DataType::kUndefined && t->dtype() != seq.elem_type) {
        return invalid_argument("inputs must share one element type: input 0 is " +
                                std::string(dtype_name(seq.elem_type)) + ", input " + std::to_string(i) +
                                " is " + dtype_name(t->dtype()));
      }
      seq.elem_type = t->dtype();
      FOGLINE_ASSIGN_OR_RETURN(Tensor kept, sequence::keep_element(*t));
      seq.tensors.push_back(std::move(kept));
    }
    return ctx.set_output(0, box_sequence(std::move(seq)));
  }
};

Result<std::unique_ptr<Kernel>> make_sequence_construct(const KernelBuildInfo& info) {
  if (info.num_inputs() < 1) return invalid_argument("SequenceConstruct needs at least one input");
  return std::unique_ptr<Kernel>(new SequenceConstructKernel());
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceConstruct", 11, 1000, Backend::kReference, make_sequence_construct);

}  // namespace fogline::engine::ops

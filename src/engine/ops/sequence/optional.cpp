// Optional: wraps its input (a tensor or a sequence) as a present optional, or, without an
// input, makes an empty optional of the type attribute `type` (imported as {kind, elem type}).
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class OptionalKernel : public Kernel {
 public:
  OptionalKernel(bool holds_sequence, DataType elem_type) : holds_sequence_(holds_sequence), elem_type_(elem_type) {}

  Status run(KernelContext& ctx) const override {
    OptionalValue o;
    o.holds_sequence = holds_sequence_;
    o.elem_type = elem_type_;
    if (const Tensor* t = ctx.input(0)) {
      o.present = true;
      if (as_optional(*t)) return invalid_argument("input must be a tensor or a sequence, got an optional");
      if (const TensorSequence* s = as_sequence(*t)) {
        o.holds_sequence = true;
        o.elem_type = s->elem_type;
        o.sequence = *s;
      } else {
        o.holds_sequence = false;
        o.elem_type = t->dtype();
        FOGLINE_ASSIGN_OR_RETURN(o.tensor, sequence::keep_element(*t));
      }
    }
    return ctx.set_output(0, box_optional(std::move(o)));
  }

 private:
  bool holds_sequence_;
  DataType elem_type_;
};

Result<std::unique_ptr<Kernel>> make_optional(const KernelBuildInfo& info) {
  bool holds_sequence = false;
  DataType elem = DataType::kUndefined;
  const std::vector<int64_t> type = info.attrs().get_ints("type");
  if (type.size() == 2) {
    holds_sequence = type[0] == static_cast<int64_t>(kSequenceDType);
    if (dtype_is_known(static_cast<int32_t>(type[1]))) elem = static_cast<DataType>(type[1]);
  } else if (!info.has_input(0)) {
    return invalid_argument("Optional without an input needs the attribute 'type'");
  }
  return std::unique_ptr<Kernel>(new OptionalKernel(holds_sequence, elem));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Optional", 15, 1000, Backend::kReference, make_optional);

}  // namespace fogline::engine::ops

// SequenceEmpty: an empty sequence of the element type attribute `dtype` (default float).
#include "engine/ops/sequence/sequence_util.h"

namespace fogline::engine::ops {
namespace {

class SequenceEmptyKernel : public Kernel {
 public:
  explicit SequenceEmptyKernel(DataType dtype) : dtype_(dtype) {}
  Status run(KernelContext& ctx) const override {
    return ctx.set_output(0, box_sequence(TensorSequence{dtype_, {}}));
  }

 private:
  DataType dtype_;
};

Result<std::unique_ptr<Kernel>> make_sequence_empty(const KernelBuildInfo& info) {
  const int64_t dtype = info.attrs().get_int("dtype", static_cast<int64_t>(DataType::kFloat));
  if (!dtype_is_known(static_cast<int32_t>(dtype))) {
    return invalid_argument("SequenceEmpty's dtype " + std::to_string(dtype) + " is not a supported element type");
  }
  return std::unique_ptr<Kernel>(new SequenceEmptyKernel(static_cast<DataType>(dtype)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "SequenceEmpty", 11, 1000, Backend::kReference, make_sequence_empty);

}  // namespace fogline::engine::ops

// BitShift: unsigned shifts; `direction` is "LEFT" or "RIGHT". Shifting by the type's width
// or more is undefined in C++, so it yields 0 (all bits shifted out).
#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

struct ShiftLeft {
  template <typename C>
  C operator()(C a, C b) const {
    return b >= C(sizeof(C) * 8) ? C(0) : static_cast<C>(a << b);
  }
};
struct ShiftRight {
  template <typename C>
  C operator()(C a, C b) const {
    return b >= C(sizeof(C) * 8) ? C(0) : static_cast<C>(a >> b);
  }
};

Result<std::unique_ptr<Kernel>> make_bit_shift(const KernelBuildInfo& info) {
  const std::string dir = info.attrs().get_string("direction", "");
  if (dir == "LEFT") {
    return std::unique_ptr<Kernel>(
        new BinaryKernel<ShiftLeft, void, uint8_t, uint16_t, uint32_t, uint64_t>("BitShift"));
  }
  if (dir == "RIGHT") {
    return std::unique_ptr<Kernel>(
        new BinaryKernel<ShiftRight, void, uint8_t, uint16_t, uint32_t, uint64_t>("BitShift"));
  }
  return invalid_argument("BitShift direction must be \"LEFT\" or \"RIGHT\", got \"" + dir + "\"");
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "BitShift", 11, 1000, Backend::kReference, make_bit_shift);

}  // namespace fogline::engine::ops

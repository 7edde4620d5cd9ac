// Cast: converts to the `to` attribute's element type (opset 1-5 spelled it as a name string).
#include "engine/ops/math/cast_util.h"

namespace fogline::engine::ops {
namespace {

class CastKernel : public Kernel {
 public:
  explicit CastKernel(DataType to) : to_(to) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, to_, x.shape()));
    return cast_tensor(x, *y, "Cast", ctx.threads());
  }

 private:
  DataType to_;
};

int64_t type_from_name(const std::string& s) {
  static const std::pair<const char*, DataType> kNames[] = {
      {"FLOAT", DataType::kFloat},   {"UINT8", DataType::kUInt8},     {"INT8", DataType::kInt8},
      {"UINT16", DataType::kUInt16}, {"INT16", DataType::kInt16},     {"INT32", DataType::kInt32},
      {"INT64", DataType::kInt64},   {"STRING", DataType::kString},   {"BOOL", DataType::kBool},
      {"FLOAT16", DataType::kFloat16}, {"DOUBLE", DataType::kDouble}, {"UINT32", DataType::kUInt32},
      {"UINT64", DataType::kUInt64}, {"BFLOAT16", DataType::kBFloat16}};
  for (const auto& [name, t] : kNames) {
    if (s == name) return static_cast<int64_t>(t);
  }
  return 0;
}

Result<std::unique_ptr<Kernel>> make_cast(const KernelBuildInfo& info) {
  const Attribute* a = info.attrs().find("to");
  if (!a) return invalid_argument("Cast needs a 'to' attribute");
  int64_t to = a->kind == Attribute::Kind::kString ? type_from_name(a->s) : a->i;
  if (!cast_target_known(to)) {
    return unsupported("Cast to element type " + std::to_string(to) + " is not supported");
  }
  return std::unique_ptr<Kernel>(new CastKernel(static_cast<DataType>(to)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Cast", 1, 1000, Backend::kReference, make_cast);

}  // namespace fogline::engine::ops

// Pad: modes constant / reflect / edge (and wrap, opset 19). Pads and the constant are
// attributes before opset 11 ('paddings' in opset 1) and inputs from 11 on; opset 18 adds an
// optional 'axes' input. Negative pads crop.
#include <cstdint>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

// Index of the input element that output position `o` of a dim reads, or -1 for the constant.
int64_t source_index(int64_t o, int64_t begin, int64_t dim, PadMode mode) {
  int64_t i = o - begin;
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return i < 0 ? 0 : dim - 1;
    case PadMode::kWrap: return ((i % dim) + dim) % dim;
    case PadMode::kReflect: {
      if (dim == 1) return 0;
      const int64_t period = 2 * (dim - 1);
      i = ((i % period) + period) % period;
      return i < dim ? i : period - i;
    }
  }
  return -1;
}

class PadKernel : public Kernel {
 public:
  PadKernel(PadMode mode, bool from_inputs, std::vector<int64_t> attr_pads, float attr_value)
      : mode_(mode), from_inputs_(from_inputs), attr_pads_(std::move(attr_pads)), attr_value_(attr_value) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int rank = x.rank();
    std::vector<int64_t> pads = attr_pads_;
    std::vector<int> axes;
    for (int d = 0; d < rank; ++d) axes.push_back(d);
    if (from_inputs_) {
      if (!ctx.input(1)) return invalid_argument("Pad needs a 'pads' input");
      FOGLINE_ASSIGN_OR_RETURN(pads, read_int64s(*ctx.input(1), "Pad pads"));
      if (const Tensor* a = ctx.input(3)) {
        FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> raw, read_int64s(*a, "Pad axes"));
        FOGLINE_ASSIGN_OR_RETURN(axes, normalize_axes(raw, rank, "Pad"));
      }
    }
    if (pads.size() != 2 * axes.size()) {
      return invalid_argument("Pad pads has " + std::to_string(pads.size()) + " entries, expected " +
                              std::to_string(2 * axes.size()) + " for input shape " + shape_to_string(x.shape()));
    }
    std::vector<int64_t> begin(static_cast<size_t>(rank), 0);
    Shape out_shape = x.shape();
    for (size_t k = 0; k < axes.size(); ++k) {
      const size_t a = static_cast<size_t>(axes[k]);
      begin[a] = pads[k];
      if (__builtin_add_overflow(out_shape[a], pads[k], &out_shape[a]) ||
          __builtin_add_overflow(out_shape[a], pads[k + axes.size()], &out_shape[a]) || out_shape[a] < 0) {
        return invalid_argument("Pad pads " + shape_to_string(pads) + " crop more than input shape " +
                                shape_to_string(x.shape()) + " has");
      }
      if (mode_ != PadMode::kConstant && x.shape()[a] == 0 && out_shape[a] > 0) {
        return invalid_argument("Pad cannot use reflect/edge/wrap on an empty axis " + std::to_string(a));
      }
    }
    // The fill value, converted to the input's type.
    FOGLINE_ASSIGN_OR_RETURN(Tensor fill, Tensor::allocate(x.dtype(), {}));
    if (const Tensor* v = ctx.input(2); from_inputs_ && v && v->numel() > 0) {
      if (v->dtype() != x.dtype()) {
        return invalid_argument(std::string("Pad constant_value has type ") + dtype_name(v->dtype()) +
                                ", expected " + dtype_name(x.dtype()));
      }
      copy_tensor_data(v->reshaped({}), &fill);
    } else if (x.dtype() != DataType::kString) {
      FOGLINE_TRY(dispatch_types<FOGLINE_ALL_TYPES>(x.dtype(), "Pad", [&]<typename T>() -> Status {
        fill.data<T>()[0] = static_cast<T>(attr_value_);
        return Status::ok();
      }));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();
    // Per-dim maps from output position to input position (-1: constant).
    std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) {
      auto& m = maps[static_cast<size_t>(d)];
      m.resize(static_cast<size_t>(out_shape[static_cast<size_t>(d)]));
      for (int64_t o = 0; o < out_shape[static_cast<size_t>(d)]; ++o) {
        m[static_cast<size_t>(o)] = source_index(o, begin[static_cast<size_t>(d)], x.dim(d), mode_);
      }
    }
    const std::vector<int64_t> in_strides = contiguous_strides(x.shape());
    return dispatch_by_width(x.dtype(), "Pad", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const T value = fill.data<T>()[0];
      if (rank == 0) {
        out[0] = in[0];
        return Status::ok();
      }
      const int64_t inner = out_shape.back();
      const int64_t rows = y->numel() / inner;
      const auto& last = maps.back();
#pragma omp parallel for if (y->numel() > 65536 && rows > 1) num_threads(ctx.threads())
      for (int64_t r = 0; r < rows; ++r) {
        int64_t off = 0;
        bool constant_row = false;
        int64_t rem = r;
        for (int d = rank - 2; d >= 0; --d) {
          const int64_t n = out_shape[static_cast<size_t>(d)];
          const int64_t src = maps[static_cast<size_t>(d)][static_cast<size_t>(rem % n)];
          rem /= n;
          if (src < 0) constant_row = true;
          else off += src * in_strides[static_cast<size_t>(d)];
        }
        T* row = out + r * inner;
        for (int64_t j = 0; j < inner; ++j) {
          const int64_t src = constant_row ? -1 : last[static_cast<size_t>(j)];
          row[j] = src < 0 ? value : in[off + src];
        }
      }
      return Status::ok();
    });
  }

 private:
  PadMode mode_;
  bool from_inputs_;
  std::vector<int64_t> attr_pads_;
  float attr_value_;
};

Result<std::unique_ptr<Kernel>> make_pad(const KernelBuildInfo& info) {
  const std::string mode_name = info.attrs().get_string("mode", "constant");
  PadMode mode;
  if (mode_name == "constant") mode = PadMode::kConstant;
  else if (mode_name == "reflect") mode = PadMode::kReflect;
  else if (mode_name == "edge") mode = PadMode::kEdge;
  else if (mode_name == "wrap") mode = PadMode::kWrap;
  else return invalid_argument("Pad mode '" + mode_name + "' is not constant, reflect, edge or wrap");
  const bool from_inputs = info.opset() >= 11;
  std::vector<int64_t> pads = info.attrs().get_ints(info.opset() < 2 ? "paddings" : "pads");
  if (!from_inputs && !info.attrs().has(info.opset() < 2 ? "paddings" : "pads")) {
    return invalid_argument("Pad (opset < 11) needs a 'pads' attribute");
  }
  return std::unique_ptr<Kernel>(new PadKernel(mode, from_inputs, std::move(pads),
                                               info.attrs().get_float("value", 0.0f)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Pad", 1, 1000, Backend::kReference, make_pad);

}  // namespace fogline::engine::ops

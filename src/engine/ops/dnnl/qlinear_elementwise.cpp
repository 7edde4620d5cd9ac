// The com.microsoft element-wise 8-bit ops for operands the onednn-layout pass keeps in NHWC
// (residual adds between int8 convolutions, the Sigmoid and Mul of SiLU): QLinearAdd and
// QLinearMul with A, B and C of one shape, and QLinearSigmoid. Element-wise ops do not care
// about the layout, so they run on the NHWC bytes directly with exactly the reference's
// arithmetic (ops/quant/qlinear_binary.h, qlinear_unary.h); a plain operand is first
// reordered to NHWC by oneDNN, and a plain output is reordered back. Untagged nodes decline
// here and run on the reference kernels.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

enum class BinaryOp { kAdd, kMul };

// out = requantised combine(a_scale * (a - a_zp), b_scale * (b - b_zp)) / c_scale. The
// reference's tables hold a_scale * float(q - a_zp); computing that per element gives the same
// floats, and with restrict pointers and by-value parameters (8-bit stores may alias anything)
// the loop vectorises.
template <BinaryOp Op, typename T>
void binary_run(const T* __restrict a, const T* __restrict b, T* __restrict out, int64_t n, float a_scale,
                int32_t a_zp, float b_scale, int32_t b_zp, float c_scale, int32_t c_zp) {
  const float lo = static_cast<float>(std::numeric_limits<T>::min()) - static_cast<float>(c_zp);
  const float hi = static_cast<float>(std::numeric_limits<T>::max()) - static_cast<float>(c_zp);
  constexpr float kMagic = 12582912.0f;  // as quant::Requantizer: round half to even
  for (int64_t i = 0; i < n; ++i) {
    const float ra = a_scale * static_cast<float>(static_cast<int32_t>(a[i]) - a_zp);
    const float rb = b_scale * static_cast<float>(static_cast<int32_t>(b[i]) - b_zp);
    float v = (Op == BinaryOp::kAdd ? ra + rb : ra * rb) / c_scale;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    const float r = (v + kMagic) - kMagic;
    out[i] = static_cast<T>(static_cast<int32_t>(r) + c_zp);
  }
}

// Operands in NHWC and the output written in its own layout, around an element-wise body.
class LayoutElementwise : public Kernel {
 protected:
  // `inputs`: the node's activation input slots.
  Status init(const KernelBuildInfo& info, std::vector<int> inputs) {
    if (!has_layout_tags(info)) return unsupported("untagged " + info.node().op_type + " runs on the reference kernel");
    slots_ = std::move(inputs);
    for (int s : slots_) layouts_.push_back(input_layout(info, s));
    out_layout_ = output_layout(info, 0);
    return Status::ok();
  }

  // Runs `body(ptrs, out)` on NHWC copies of the slot inputs (all of `shape` and `type`).
  template <typename Body>
  Status run_nhwc(KernelContext& ctx, const Shape& shape, DataType type, Body&& body) const {
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, type, shape));
    return guarded(ctx.node().describe(), [&]() -> Status {
      const dt t = type == DataType::kUInt8 ? dt::u8 : dt::s8;
      const auto nhwc = layout_md(shape, "nhwc", t);
      auto& s = thread_stream();
      const size_t bytes = static_cast<size_t>(numel(shape));
      std::vector<const void*> ptrs;
      const BufferSlot slots[] = {kSrcTmp, kAuxTmp};
      for (size_t i = 0; i < slots_.size(); ++i) {
        const Tensor& v = *ctx.input(slots_[i]);
        if (!layouts_[i].empty()) {
          ptrs.push_back(v.raw());
          continue;
        }
        void* buf = thread_buffer(slots[i], bytes);
        dnnl::memory from(layout_md(shape, "", t), cpu_engine(), const_cast<void*>(v.raw()));
        dnnl::memory to(nhwc, cpu_engine(), buf);
        dnnl::reorder(from, to).execute(s, from, to);
        ptrs.push_back(buf);
      }
      void* out = out_layout_.empty() ? thread_buffer(kDstTmp, bytes) : y->raw();
      FOGLINE_TRY(body(ptrs, out));
      if (out_layout_.empty()) {
        dnnl::memory from(nhwc, cpu_engine(), out);
        dnnl::memory to(layout_md(shape, "", t), cpu_engine(), y->raw());
        dnnl::reorder(from, to).execute(s, from, to);
      }
      return Status::ok();
    });
  }

  std::vector<int> slots_;
  std::vector<std::string> layouts_;
  std::string out_layout_;
};

template <BinaryOp Op>
class LayoutQLinearBinary : public LayoutElementwise {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<LayoutQLinearBinary>(new LayoutQLinearBinary());
    FOGLINE_TRY(k->init(info, {0, 3}));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status run(KernelContext& ctx) const override {
    const std::string op = Op == BinaryOp::kAdd ? "QLinearAdd" : "QLinearMul";
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(3);
    if (!a || !b || !quant::is_q8(a->dtype()) || a->dtype() != b->dtype() || a->shape() != b->shape() ||
        a->rank() != 4) {
      return internal_error(ctx.node().describe() + ": layout-tagged " + op +
                            " needs two int8/uint8 operands of one rank-4 shape; disable the onednn-layout pass");
    }
    using quant::read_scalar_scale, quant::read_scalar_zero_point;
    FOGLINE_ASSIGN_OR_RETURN(float a_scale, read_scalar_scale(ctx.input(1), op + " A_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t a_zp, read_scalar_zero_point(ctx.input(2), a->dtype(), op + " A_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float b_scale, read_scalar_scale(ctx.input(4), op + " B_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t b_zp, read_scalar_zero_point(ctx.input(5), a->dtype(), op + " B_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float c_scale, read_scalar_scale(ctx.input(6), op + " C_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t c_zp, read_scalar_zero_point(ctx.input(7), a->dtype(), op + " C_zero_point"));
    FOGLINE_TRY(quant::check_positive_scales({a_scale, b_scale, c_scale}, op + " scales"));
    const int64_t n = a->numel();
    return run_nhwc(ctx, a->shape(), a->dtype(), [&](const std::vector<const void*>& in, void* out) -> Status {
      return dispatch_types<uint8_t, int8_t>(a->dtype(), op.c_str(), [&]<typename T>() -> Status {
        const T* xa = static_cast<const T*>(in[0]);
        const T* xb = static_cast<const T*>(in[1]);
        T* y = static_cast<T*>(out);
        constexpr int64_t kChunk = 16384;
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t c = 0; c < n; c += kChunk) {
          binary_run<Op, T>(xa + c, xb + c, y + c, std::min(kChunk, n - c), a_scale, a_zp, b_scale, b_zp, c_scale, c_zp);
        }
        return Status::ok();
      });
    });
  }

 private:
  LayoutQLinearBinary() = default;
};

// QLinearSigmoid: the reference's 256-entry table (quant::build_lut) applied in any layout.
class LayoutQLinearSigmoid : public LayoutElementwise {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    auto k = std::unique_ptr<LayoutQLinearSigmoid>(new LayoutQLinearSigmoid());
    FOGLINE_TRY(k->init(info, {0}));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status run(KernelContext& ctx) const override {
    const std::string op = "QLinearSigmoid";
    const Tensor* x = ctx.input(0);
    if (!x || !quant::is_q8(x->dtype()) || x->rank() != 4)
      return internal_error(ctx.node().describe() + ": layout-tagged " + op + " needs a rank-4 8-bit input");
    FOGLINE_ASSIGN_OR_RETURN(float x_scale, quant::read_scalar_scale(ctx.input(1), op + " X_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t x_zp, quant::read_scalar_zero_point(ctx.input(2), x->dtype(), op + " X_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, quant::read_scalar_scale(ctx.input(3), op + " Y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, quant::read_scalar_zero_point(ctx.input(4), x->dtype(), op + " Y_zero_point"));
    FOGLINE_TRY(quant::check_positive_scales({x_scale, y_scale}, op + " scales"));
    const int64_t n = x->numel();
    return run_nhwc(ctx, x->shape(), x->dtype(), [&](const std::vector<const void*>& in, void* out) -> Status {
      return dispatch_types<uint8_t, int8_t>(x->dtype(), op.c_str(), [&]<typename T>() -> Status {
        // The same function object as ops/quant/qlinear_sigmoid.cpp, so the table is identical.
        const std::vector<T> lut = quant::build_lut<T>(x_scale, x_zp, y_scale, y_zp,
                                                       [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
        const T* src = static_cast<const T*>(in[0]);
        T* dst = static_cast<T*>(out);
#pragma omp parallel for if (n > 262144) num_threads(ctx.threads())
        for (int64_t i = 0; i < n; ++i) dst[i] = lut[quant::lut_index(src[i])];
        return Status::ok();
      });
    });
  }

 private:
  LayoutQLinearSigmoid() = default;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearAdd", 1, 1000, Backend::kDnnl, LayoutQLinearBinary<BinaryOp::kAdd>::make);
FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearMul", 1, 1000, Backend::kDnnl, LayoutQLinearBinary<BinaryOp::kMul>::make);
FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearSigmoid", 1, 1000, Backend::kDnnl, LayoutQLinearSigmoid::make);

}  // namespace fogline::engine::ops::dnnl_ops

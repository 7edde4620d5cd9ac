// com.microsoft QLinearAdd for operands the onednn-layout pass keeps in NHWC (the residual
// adds between int8 convolutions). With A, B and C of one shape the op is element-wise, so
// it runs on the NHWC bytes directly, with exactly the reference's arithmetic
// (ops/quant/qlinear_binary.h): a plain operand is first reordered to NHWC by oneDNN, and a
// plain output is reordered back. Untagged nodes decline here and run on the reference.
#include <algorithm>
#include <limits>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

// out = requantised (a_scale * (a - a_zp) + b_scale * (b - b_zp)) / c_scale. The reference's
// tables hold a_scale * float(q - a_zp); computing that per element gives the same floats,
// and with restrict pointers and by-value parameters (8-bit stores may alias anything) the
// loop vectorises.
template <typename T>
void add_run(const T* __restrict a, const T* __restrict b, T* __restrict out, int64_t n, float a_scale,
             int32_t a_zp, float b_scale, int32_t b_zp, float c_scale, int32_t c_zp) {
  const float lo = static_cast<float>(std::numeric_limits<T>::min()) - static_cast<float>(c_zp);
  const float hi = static_cast<float>(std::numeric_limits<T>::max()) - static_cast<float>(c_zp);
  constexpr float kMagic = 12582912.0f;  // as quant::Requantizer: round half to even
  for (int64_t i = 0; i < n; ++i) {
    const float ra = a_scale * static_cast<float>(static_cast<int32_t>(a[i]) - a_zp);
    const float rb = b_scale * static_cast<float>(static_cast<int32_t>(b[i]) - b_zp);
    float v = (ra + rb) / c_scale;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    const float r = (v + kMagic) - kMagic;
    out[i] = static_cast<T>(static_cast<int32_t>(r) + c_zp);
  }
}

class LayoutQLinearAdd : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (!has_layout_tags(info)) return unsupported("untagged QLinearAdd runs on the reference kernel");
    auto k = std::unique_ptr<LayoutQLinearAdd>(new LayoutQLinearAdd());
    k->a_layout_ = input_layout(info, 0);
    k->b_layout_ = input_layout(info, 3);
    k->c_layout_ = output_layout(info, 0);
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status run(KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(3);
    if (!a || !b || !quant::is_q8(a->dtype()) || a->dtype() != b->dtype() || a->shape() != b->shape() ||
        a->rank() != 4) {
      return internal_error(ctx.node().describe() + ": layout-tagged QLinearAdd needs two int8/uint8 operands of one "
                            "rank-4 shape; disable the onednn-layout pass");
    }
    const std::string op = "QLinearAdd";
    using quant::read_scalar_scale, quant::read_scalar_zero_point;
    FOGLINE_ASSIGN_OR_RETURN(float a_scale, read_scalar_scale(ctx.input(1), op + " A_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t a_zp, read_scalar_zero_point(ctx.input(2), a->dtype(), op + " A_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float b_scale, read_scalar_scale(ctx.input(4), op + " B_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t b_zp, read_scalar_zero_point(ctx.input(5), a->dtype(), op + " B_zero_point"));
    FOGLINE_ASSIGN_OR_RETURN(float c_scale, read_scalar_scale(ctx.input(6), op + " C_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t c_zp, read_scalar_zero_point(ctx.input(7), a->dtype(), op + " C_zero_point"));
    FOGLINE_TRY(quant::check_positive_scales({a_scale, b_scale, c_scale}, op + " scales"));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a->dtype(), a->shape()));

    return guarded(ctx.node().describe(), [&]() -> Status {
      const dt t = a->dtype() == DataType::kUInt8 ? dt::u8 : dt::s8;
      const auto nhwc = layout_md(a->shape(), "nhwc", t);
      auto& s = thread_stream();
      // Operands in NHWC: as they are, or reordered into a per-thread buffer.
      auto as_nhwc = [&](const Tensor& v, const std::string& layout, BufferSlot slot) -> const void* {
        if (!layout.empty()) return v.raw();
        void* buf = thread_buffer(slot, static_cast<size_t>(v.numel()));
        dnnl::memory from(layout_md(v.shape(), "", t), cpu_engine(), const_cast<void*>(v.raw()));
        dnnl::memory to(nhwc, cpu_engine(), buf);
        dnnl::reorder(from, to).execute(s, from, to);
        return buf;
      };
      const void* pa = as_nhwc(*a, a_layout_, kSrcTmp);
      const void* pb = as_nhwc(*b, b_layout_, kAuxTmp);
      void* pc = c_layout_.empty() ? thread_buffer(kDstTmp, static_cast<size_t>(a->numel())) : y->raw();
      const int64_t n = a->numel();
      Status st = dispatch_types<uint8_t, int8_t>(a->dtype(), "QLinearAdd", [&]<typename T>() -> Status {
        const T* xa = static_cast<const T*>(pa);
        const T* xb = static_cast<const T*>(pb);
        T* out = static_cast<T*>(pc);
        constexpr int64_t kChunk = 16384;
#pragma omp parallel for if (n > 65536) num_threads(ctx.threads())
        for (int64_t c = 0; c < n; c += kChunk) {
          add_run<T>(xa + c, xb + c, out + c, std::min(kChunk, n - c), a_scale, a_zp, b_scale, b_zp, c_scale, c_zp);
        }
        return Status::ok();
      });
      FOGLINE_TRY(st);
      if (c_layout_.empty()) {
        dnnl::memory from(nhwc, cpu_engine(), pc);
        dnnl::memory to(layout_md(a->shape(), "", t), cpu_engine(), y->raw());
        dnnl::reorder(from, to).execute(s, from, to);
      }
      return Status::ok();
    });
  }

 private:
  LayoutQLinearAdd() = default;
  std::string a_layout_, b_layout_, c_layout_;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearAdd", 1, 1000, Backend::kDnnl, LayoutQLinearAdd::make);

}  // namespace fogline::engine::ops::dnnl_ops

// Mul of a 4-D activation by a per-channel scale [N|1, C, 1, 1] (squeeze-and-excitation
// blocks) when onednn-layout keeps the activation, the product, or both in NHWC: it lets
// the layout region run through the SE block instead of reordering around it. Untagged Muls
// decline here and run on the reference kernel. The scale's bytes are the same in NCHW and
// NHWC (its spatial size is 1), so only the big operand's layout matters.
#include "engine/ops/dnnl/dnnl_util.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

class ChannelScale : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info) {
    if (!has_layout_tags(info)) return unsupported("plain-layout Mul runs on the reference kernel");
    auto k = std::unique_ptr<ChannelScale>(new ChannelScale());
    auto a = info.input_static_shape(0), b = info.input_static_shape(1);
    if (!a || !b || info.num_inputs() != 2) return internal_error("onednn-layout tagged a Mul without static shapes");
    k->big_ = (a->size() == 4 && (*a)[2] * (*a)[3] > 1) || b->size() != 4 ? 0 : 1;
    const int big_value = info.node().inputs[static_cast<size_t>(k->big_)];
    k->in_nhwc_ = !info.graph().values[static_cast<size_t>(big_value)].layout.empty();
    k->out_nhwc_ = !output_layout(info, 0).empty();
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(big_);
    const Tensor* s = ctx.input(1 - big_);
    if (!x || !s || x->dtype() != DataType::kFloat || s->dtype() != DataType::kFloat || x->rank() != 4 ||
        s->rank() != 4) {
      return internal_error(ctx.node().describe() + ": layout-tagged Mul expects float32 4-D operands");
    }
    const int64_t n = x->dim(0), c = x->dim(1), h = x->dim(2), w = x->dim(3);
    if ((s->dim(0) != n && s->dim(0) != 1) || s->dim(1) != c || s->dim(2) != 1 || s->dim(3) != 1) {
      return internal_error(ctx.node().describe() + ": layout-tagged Mul expects a [N,C,1,1] scale, got " +
                            shape_to_string(s->shape()) + " for " + shape_to_string(x->shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kFloat, x->shape()));
    const float* xp = x->data<float>();
    const float* sp = s->data<float>();
    float* yp = y->data<float>();
    // Element (n, c, p) with p the spatial index: NHWC puts it at (n*HW + p)*C + c, NCHW at
    // (n*C + c)*HW + p.
    const int64_t hw = h * w;
    const bool in_nhwc = in_nhwc_, out_nhwc = out_nhwc_;
#pragma omp parallel for collapse(2) num_threads(ctx.threads()) if (n * hw * c > 32768)
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t p = 0; p < hw; ++p) {
        const float* scale = sp + (s->dim(0) == 1 ? 0 : b * c);
        if (in_nhwc && out_nhwc) {
          const float* xr = xp + (b * hw + p) * c;
          float* yr = yp + (b * hw + p) * c;
          for (int64_t k = 0; k < c; ++k) yr[k] = xr[k] * scale[k];
        } else {
          for (int64_t k = 0; k < c; ++k) {
            const int64_t nhwc = (b * hw + p) * c + k, nchw = (b * c + k) * hw + p;
            yp[out_nhwc ? nhwc : nchw] = xp[in_nhwc ? nhwc : nchw] * scale[k];
          }
        }
      }
    }
    return Status::ok();
  }

 private:
  ChannelScale() = default;
  int big_ = 0;  // which input is the activation (the other is the scale)
  bool in_nhwc_ = false, out_nhwc_ = false;
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Mul", 7, 1000, Backend::kDnnl, ChannelScale::make);

}  // namespace fogline::engine::ops::dnnl_ops

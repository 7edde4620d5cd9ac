// com.microsoft QLinearConcat (ONNX Runtime contrib op): inputs Y_scale, Y_zero_point, then
// (X_i, X_i_scale, X_i_zero_point) triples; concatenates along `axis`, requantising each
// input to the output's parameters: y = saturate(round(X_scale * (x - X_zp) / Y_scale) + Y_zp).
// Inputs already in the output's quantisation are copied as they are.
#include <cstring>

#include "engine/ops/quant/quant_util.h"

namespace fogline::engine::ops::quant {
namespace {

class QLinearConcatKernel : public Kernel {
 public:
  explicit QLinearConcatKernel(int64_t axis) : axis_(axis) {}

  Status run(KernelContext& ctx) const override {
    const int n_in = ctx.num_inputs();
    if (n_in < 5 || (n_in - 2) % 3 != 0) {
      return invalid_argument("QLinearConcat needs Y_scale, Y_zero_point and (tensor, scale, zero point) triples, got " +
                              std::to_string(n_in) + " inputs");
    }
    const int count = (n_in - 2) / 3;
    const Tensor* first = ctx.input(2);
    if (!first) return invalid_argument("QLinearConcat input 0 is missing");
    const DataType type = ctx.input(1) ? ctx.input(1)->dtype() : first->dtype();
    if (!is_q8(type)) return invalid_argument(std::string("QLinearConcat tensors must be int8 or uint8, got ") + dtype_name(type));
    FOGLINE_ASSIGN_OR_RETURN(float y_scale, read_scalar_scale(ctx.input(0), "QLinearConcat Y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int32_t y_zp, read_scalar_zero_point(ctx.input(1), type, "QLinearConcat Y_zero_point"));
    FOGLINE_TRY(check_positive_scales({y_scale}, "QLinearConcat Y_scale"));
    FOGLINE_ASSIGN_OR_RETURN(int axis, normalize_axis(axis_, first->rank(), ctx));
    if (first->rank() == 0) return invalid_argument("QLinearConcat cannot concatenate scalars");

    Shape out_shape = first->shape();
    out_shape[static_cast<size_t>(axis)] = 0;
    std::vector<float> scales(static_cast<size_t>(count));
    std::vector<int32_t> zps(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      const Tensor* t = ctx.input(2 + 3 * i);
      const std::string what = "QLinearConcat input " + std::to_string(i);
      if (!t) return invalid_argument(what + " is missing");
      if (t->dtype() != type) {
        return invalid_argument(what + " has type " + dtype_name(t->dtype()) + ", expected " + dtype_name(type));
      }
      if (t->rank() != first->rank()) {
        return invalid_argument(what + " has shape " + shape_to_string(t->shape()) + ", rank differs from " +
                                shape_to_string(first->shape()));
      }
      for (int d = 0; d < t->rank(); ++d) {
        if (d != axis && t->dim(d) != first->dim(d)) {
          return invalid_argument(what + " has shape " + shape_to_string(t->shape()) + ", which differs from " +
                                  shape_to_string(first->shape()) + " off axis " + std::to_string(axis));
        }
      }
      out_shape[static_cast<size_t>(axis)] += t->dim(axis);
      FOGLINE_ASSIGN_OR_RETURN(scales[static_cast<size_t>(i)], read_scalar_scale(ctx.input(3 + 3 * i), what + " scale"));
      FOGLINE_ASSIGN_OR_RETURN(zps[static_cast<size_t>(i)], read_scalar_zero_point(ctx.input(4 + 3 * i), type, what + " zero point"));
      FOGLINE_TRY(check_positive_scales({scales[static_cast<size_t>(i)]}, what + " scale"));
    }
    int64_t outer = 1, after = 1;
    for (int d = 0; d < axis; ++d) outer *= out_shape[static_cast<size_t>(d)];
    for (int d = axis + 1; d < first->rank(); ++d) after *= out_shape[static_cast<size_t>(d)];
    const int64_t out_row = out_shape[static_cast<size_t>(axis)] * after;

    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, type, out_shape));
    return dispatch_types<uint8_t, int8_t>(type, "QLinearConcat", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      int64_t col = 0;
      for (int i = 0; i < count; ++i) {
        const Tensor& t = *ctx.input(2 + 3 * i);
        const int64_t row = t.dim(axis) * after;
        const T* in = t.data<T>();
        const float s = scales[static_cast<size_t>(i)];
        const int32_t z = zps[static_cast<size_t>(i)];
        const bool same = s == y_scale && z == y_zp;
        const std::vector<T> lut = build_lut<T>(s, z, y_scale, y_zp, [](float v) { return v; });
#pragma omp parallel for if (outer * row > 65536) num_threads(ctx.threads())
        for (int64_t o = 0; o < outer; ++o) {
          const T* src = in + o * row;
          T* dst = out + o * out_row + col;
          if (same) {
            std::memcpy(dst, src, static_cast<size_t>(row) * sizeof(T));
          } else {
            for (int64_t j = 0; j < row; ++j) dst[j] = lut[lut_index(src[j])];
          }
        }
        col += row;
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
};

Result<std::unique_ptr<Kernel>> make_qlinear_concat(const KernelBuildInfo& info) {
  if (!info.attrs().has("axis")) return invalid_argument("QLinearConcat needs an 'axis' attribute");
  return std::unique_ptr<Kernel>(new QLinearConcatKernel(info.attrs().get_int("axis", 0)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("com.microsoft", "QLinearConcat", 1, 1000, Backend::kReference, make_qlinear_concat);

}  // namespace fogline::engine::ops::quant

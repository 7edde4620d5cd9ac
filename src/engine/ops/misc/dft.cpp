// DFT (opset 17): input [batch, n_1, ..., n_k, 1 (real) or 2 (complex)]; transforms along
// `axis` (zero-padded or truncated to dft_length), `inverse` scales by 1/N, `onesided` keeps
// the first N/2+1 bins. Output has a trailing complex dimension of 2.
#include "engine/ops/misc/spectral.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

class DftKernel : public Kernel {
 public:
  DftKernel(int64_t axis, bool inverse, bool onesided) : axis_(axis), inverse_(inverse), onesided_(onesided) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const int r = x.rank();
    if (r < 2 || (x.dim(r - 1) != 1 && x.dim(r - 1) != 2)) {
      return invalid_argument("DFT input must have rank >= 2 and a last dimension of 1 or 2, got " +
                              shape_to_string(x.shape()));
    }
    int64_t axis = axis_ < 0 ? axis_ + r : axis_;
    if (axis < 0 || axis > r - 2) {
      return invalid_argument("DFT axis " + std::to_string(axis_) + " is out of range for input " +
                              shape_to_string(x.shape()) + " (the last dimension is the complex one)");
    }
    const int64_t n_in = x.dim(static_cast<int>(axis));
    int64_t n = n_in;
    if (ctx.has_input(1)) {
      const Tensor& l = *ctx.input(1);
      if (l.numel() != 1 || (l.dtype() != DataType::kInt64 && l.dtype() != DataType::kInt32)) {
        return invalid_argument("DFT dft_length must be one integer, got " + std::string(dtype_name(l.dtype())) +
                                shape_to_string(l.shape()));
      }
      n = l.value_as_int(0);
    }
    if (n < 1) return invalid_argument("DFT length must be >= 1, got " + std::to_string(n));
    if (n > spectral::kMaxLength) {
      return invalid_argument("DFT length " + std::to_string(n) + " exceeds the supported " +
                              std::to_string(spectral::kMaxLength));
    }
    const int64_t bins = onesided_ ? n / 2 + 1 : n;
    Shape out_shape = x.shape();
    out_shape[static_cast<size_t>(axis)] = bins;
    out_shape.back() = 2;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    const int64_t comps = x.dim(r - 1);
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(static_cast<int>(d));
    for (int64_t d = axis + 1; d < r - 1; ++d) inner *= x.dim(static_cast<int>(d));
    const spectral::Plan plan = spectral::make_plan(n, inverse_);
    const double scale = inverse_ ? 1.0 / static_cast<double>(n) : 1.0;
    const int64_t lines = outer * inner;
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "DFT", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* dst = y->data<T>();
#pragma omp parallel for num_threads(ctx.threads()) if (lines * n > 4096)
      for (int64_t line = 0; line < lines; ++line) {
        const int64_t o = line / inner, i = line % inner;
        std::vector<double> re(static_cast<size_t>(n), 0.0), im(static_cast<size_t>(n), 0.0);
        std::vector<double> ore(static_cast<size_t>(bins)), oim(static_cast<size_t>(bins)), scratch;
        for (int64_t j = 0; j < std::min(n, n_in); ++j) {
          const int64_t at = ((o * n_in + j) * inner + i) * comps;
          re[static_cast<size_t>(j)] = static_cast<double>(static_cast<compute_t<T>>(src[at]));
          if (comps == 2) im[static_cast<size_t>(j)] = static_cast<double>(static_cast<compute_t<T>>(src[at + 1]));
        }
        spectral::transform(plan, re.data(), im.data(), bins, ore.data(), oim.data(), scratch);
        for (int64_t k = 0; k < bins; ++k) {
          const int64_t at = ((o * bins + k) * inner + i) * 2;
          dst[at] = static_cast<T>(static_cast<compute_t<T>>(ore[static_cast<size_t>(k)] * scale));
          dst[at + 1] = static_cast<T>(static_cast<compute_t<T>>(oim[static_cast<size_t>(k)] * scale));
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  bool inverse_, onesided_;
};

Result<std::unique_ptr<Kernel>> make_dft(const KernelBuildInfo& info) {
  bool inverse = info.attrs().get_int("inverse", 0) != 0;
  bool onesided = info.attrs().get_int("onesided", 0) != 0;
  if (inverse && onesided) return unsupported("DFT with both inverse and onesided is not supported");
  return std::unique_ptr<Kernel>(new DftKernel(info.attrs().get_int("axis", 1), inverse, onesided));
}

}  // namespace

// Opset 20 moved `axis` to an input; only 17-19 here.
FOGLINE_REGISTER_KERNEL("", "DFT", 17, 19, Backend::kReference, make_dft);

}  // namespace fogline::engine::ops

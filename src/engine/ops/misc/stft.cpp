// STFT (opset 17): signal [batch, length, 1 or 2]; frames of frame_length samples every
// frame_step, each multiplied by `window` (rectangular when absent) and transformed.
// Output [batch, frames, bins, 2] with bins = frame_length/2+1 when onesided.
#include "engine/ops/misc/spectral.h"
#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

Result<int64_t> read_scalar_int(const Tensor& t, const std::string& what) {
  if (t.numel() != 1 || (t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32)) {
    return invalid_argument(what + " must be one integer, got " + std::string(dtype_name(t.dtype())) +
                            shape_to_string(t.shape()));
  }
  return t.value_as_int(0);
}

class StftKernel : public Kernel {
 public:
  explicit StftKernel(bool onesided) : onesided_(onesided) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.rank() != 3 || (x.dim(2) != 1 && x.dim(2) != 2)) {
      return invalid_argument("STFT signal must be [batch, length, 1 or 2], got " + shape_to_string(x.shape()));
    }
    if (!ctx.has_input(1)) return invalid_argument("STFT needs its frame_step input");
    FOGLINE_ASSIGN_OR_RETURN(int64_t step, read_scalar_int(*ctx.input(1), "STFT frame_step"));
    const Tensor* window = ctx.input(2);
    int64_t frame = -1;
    if (window) {
      if (window->rank() != 1 || !dtype_is_float(window->dtype())) {
        return invalid_argument("STFT window must be a 1-D float tensor, got " +
                                std::string(dtype_name(window->dtype())) + shape_to_string(window->shape()));
      }
      frame = window->dim(0);
    }
    if (ctx.has_input(3)) {
      FOGLINE_ASSIGN_OR_RETURN(int64_t fl, read_scalar_int(*ctx.input(3), "STFT frame_length"));
      if (window && fl != frame) {
        return invalid_argument("STFT frame_length " + std::to_string(fl) + " differs from the window length " +
                                std::to_string(frame));
      }
      frame = fl;
    }
    if (frame < 1) return invalid_argument("STFT needs a window or a frame_length >= 1");
    if (step < 1) return invalid_argument("STFT frame_step must be >= 1, got " + std::to_string(step));
    if (frame > spectral::kMaxLength) {
      return invalid_argument("STFT frame length " + std::to_string(frame) + " exceeds the supported " +
                              std::to_string(spectral::kMaxLength));
    }
    const int64_t batch = x.dim(0), length = x.dim(1), comps = x.dim(2);
    if (length < frame) {
      return invalid_argument("STFT signal length " + std::to_string(length) + " is shorter than the frame length " +
                              std::to_string(frame));
    }
    if (onesided_ && comps == 2) return invalid_argument("STFT onesided needs a real signal");
    const int64_t frames = (length - frame) / step + 1;
    const int64_t bins = onesided_ ? frame / 2 + 1 : frame;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), {batch, frames, bins, 2}));
    std::vector<double> w(static_cast<size_t>(frame), 1.0);
    if (window) {
      for (int64_t i = 0; i < frame; ++i) w[static_cast<size_t>(i)] = window->value_as_double(i);
    }
    const spectral::Plan plan = spectral::make_plan(frame, false);
    const int64_t jobs = batch * frames;
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "STFT", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* dst = y->data<T>();
#pragma omp parallel for num_threads(ctx.threads()) if (jobs * frame > 4096)
      for (int64_t job = 0; job < jobs; ++job) {
        const int64_t b = job / frames, f = job % frames;
        std::vector<double> re(static_cast<size_t>(frame)), im(static_cast<size_t>(frame), 0.0);
        std::vector<double> ore(static_cast<size_t>(bins)), oim(static_cast<size_t>(bins)), scratch;
        for (int64_t j = 0; j < frame; ++j) {
          const int64_t at = (b * length + f * step + j) * comps;
          const double wj = w[static_cast<size_t>(j)];
          re[static_cast<size_t>(j)] = wj * static_cast<double>(static_cast<compute_t<T>>(src[at]));
          if (comps == 2) im[static_cast<size_t>(j)] = wj * static_cast<double>(static_cast<compute_t<T>>(src[at + 1]));
        }
        spectral::transform(plan, re.data(), im.data(), bins, ore.data(), oim.data(), scratch);
        T* out = dst + (b * frames + f) * bins * 2;
        for (int64_t k = 0; k < bins; ++k) {
          out[2 * k] = static_cast<T>(static_cast<compute_t<T>>(ore[static_cast<size_t>(k)]));
          out[2 * k + 1] = static_cast<T>(static_cast<compute_t<T>>(oim[static_cast<size_t>(k)]));
        }
      }
      return Status::ok();
    });
  }

 private:
  bool onesided_;
};

Result<std::unique_ptr<Kernel>> make_stft(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new StftKernel(info.attrs().get_int("onesided", 1) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "STFT", 17, 1000, Backend::kReference, make_stft);

}  // namespace fogline::engine::ops

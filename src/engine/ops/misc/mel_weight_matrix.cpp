// MelWeightMatrix (opset 17): [dft_length/2+1, num_mel_bins] triangular filters evenly
// spaced on the mel scale between lower_edge_hertz and upper_edge_hertz. Follows the ONNX
// reference exactly, including its choice of num_mel_bins + 2 steps over the mel range.
#include <cmath>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

Result<const Tensor*> scalar_input(const KernelContext& ctx, int i, const char* what, bool integer) {
  const Tensor* t = ctx.input(i);
  if (!t) return invalid_argument(std::string("MelWeightMatrix needs input ") + what);
  if (t->numel() != 1 || t->dtype() == DataType::kString || t->dtype() == DataType::kBool ||
      (integer && dtype_is_float(t->dtype()))) {
    return invalid_argument(std::string("MelWeightMatrix ") + what + " must be one " +
                            (integer ? "integer" : "number") + ", got " + dtype_name(t->dtype()) +
                            shape_to_string(t->shape()));
  }
  return t;
}

Result<int64_t> read_int(const KernelContext& ctx, int i, const char* what) {
  FOGLINE_ASSIGN_OR_RETURN(const Tensor* t, scalar_input(ctx, i, what, true));
  return t->value_as_int(0);
}

Result<double> read_number(const KernelContext& ctx, int i, const char* what) {
  FOGLINE_ASSIGN_OR_RETURN(const Tensor* t, scalar_input(ctx, i, what, false));
  return t->value_as_double(0);
}

class MelWeightMatrixKernel : public Kernel {
 public:
  explicit MelWeightMatrixKernel(DataType out) : out_(out) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_ASSIGN_OR_RETURN(int64_t mel_bins, read_int(ctx, 0, "num_mel_bins"));
    FOGLINE_ASSIGN_OR_RETURN(int64_t dft_length, read_int(ctx, 1, "dft_length"));
    FOGLINE_ASSIGN_OR_RETURN(int64_t sample_rate, read_int(ctx, 2, "sample_rate"));
    FOGLINE_ASSIGN_OR_RETURN(double lower, read_number(ctx, 3, "lower_edge_hertz"));
    FOGLINE_ASSIGN_OR_RETURN(double upper, read_number(ctx, 4, "upper_edge_hertz"));
    if (mel_bins < 1 || dft_length < 1 || sample_rate < 1) {
      return invalid_argument("MelWeightMatrix needs num_mel_bins, dft_length and sample_rate >= 1");
    }
    if (!(lower >= 0 && upper > lower && std::isfinite(upper))) {
      return invalid_argument("MelWeightMatrix needs 0 <= lower_edge_hertz < upper_edge_hertz");
    }
    const int64_t spectrogram_bins = dft_length / 2 + 1;
    // Allocating first checks the size before any table is built.
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, out_, {spectrogram_bins, mel_bins}));
    std::vector<int64_t> edges(static_cast<size_t>(mel_bins + 2));
    const double low_mel = 2595.0 * std::log10(1.0 + lower / 700.0);
    const double high_mel = 2595.0 * std::log10(1.0 + upper / 700.0);
    const double step = (high_mel - low_mel) / static_cast<double>(mel_bins + 2);
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      double hz = 700.0 * (std::pow(10.0, (static_cast<double>(i) * step + low_mel) / 2595.0) - 1.0);
      edges[static_cast<size_t>(i)] =
          static_cast<int64_t>(std::floor(static_cast<double>(dft_length + 1) * hz / static_cast<double>(sample_rate)));
      if (edges[static_cast<size_t>(i)] >= spectrogram_bins) {
        return invalid_argument("MelWeightMatrix upper_edge_hertz " + std::to_string(upper) +
                                " maps past the last spectrogram bin (is it above sample_rate / 2?)");
      }
    }
    std::vector<double> w(static_cast<size_t>(spectrogram_bins * mel_bins), 0.0);
    auto at = [&](int64_t bin, int64_t mel) -> double& { return w[static_cast<size_t>(bin * mel_bins + mel)]; };
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t lo = edges[static_cast<size_t>(i)], c = edges[static_cast<size_t>(i + 1)],
                    hi = edges[static_cast<size_t>(i + 2)];
      if (c == lo) {
        at(c, i) = 1.0;
      } else {
        for (int64_t j = lo; j <= c; ++j) at(j, i) = static_cast<double>(j - lo) / static_cast<double>(c - lo);
      }
      for (int64_t j = c; j < hi; ++j) at(j, i) = static_cast<double>(hi - j) / static_cast<double>(hi - c);
    }
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(out_, "MelWeightMatrix", [&]<typename T>() -> Status {
      for (size_t i = 0; i < w.size(); ++i) y->data<T>()[i] = static_cast<T>(static_cast<compute_t<T>>(w[i]));
      return Status::ok();
    });
  }

 private:
  DataType out_;
};

Result<std::unique_ptr<Kernel>> make_mel(const KernelBuildInfo& info) {
  int64_t dt = info.attrs().get_int("output_datatype", 1);
  if (!dtype_is_known(static_cast<int32_t>(dt)) || dt == static_cast<int64_t>(DataType::kString) ||
      dt == static_cast<int64_t>(DataType::kBool)) {
    return invalid_argument("MelWeightMatrix output_datatype " + std::to_string(dt) + " is not a numeric type");
  }
  return std::unique_ptr<Kernel>(new MelWeightMatrixKernel(static_cast<DataType>(dt)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MelWeightMatrix", 17, 1000, Backend::kReference, make_mel);

}  // namespace fogline::engine::ops

#include "engine/ops/nn/resize_util.h"

#include <cmath>
#include <algorithm>
#include <limits>

namespace fogline::engine::ops::nn {

Result<ResizeOptions::Mode> parse_resize_mode(const std::string& mode) {
  if (mode == "nearest") return ResizeOptions::Mode::kNearest;
  if (mode == "linear" || mode == "bilinear" || mode == "trilinear") return ResizeOptions::Mode::kLinear;
  if (mode == "cubic" || mode == "bicubic") return ResizeOptions::Mode::kCubic;
  return invalid_argument("Resize mode must be nearest, linear or cubic, got '" + mode + "'");
}

namespace {

// `out` is the resized length as ONNX defines it, in * scale, which need not be whole when the
// model gives scales (align_corners and tf_crop_and_resize divide by it).
Result<double> original_coordinate(const std::string& m, double x, int64_t in, double out, double scale,
                                   double roi_start, double roi_end) {
  if (m == "half_pixel") return (x + 0.5) / scale - 0.5;
  if (m == "pytorch_half_pixel") return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  if (m == "align_corners") return out > 1 ? x * static_cast<double>(in - 1) / (out - 1) : 0.0;
  if (m == "asymmetric") return x / scale;
  if (m == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (m == "half_pixel_symmetric") {
    const double adjustment = std::floor(out) / (scale * static_cast<double>(in));
    const double center = static_cast<double>(in) / 2;
    return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
  }
  if (m == "tf_crop_and_resize") {
    const double span = static_cast<double>(in - 1);
    return out > 1 ? roi_start * span + x * (roi_end - roi_start) * span / (out - 1)
                   : 0.5 * (roi_start + roi_end) * span;
  }
  return invalid_argument("Resize coordinate_transformation_mode '" + m + "' is not known");
}

Result<int64_t> nearest_index(const std::string& m, double x) {
  const double f = std::floor(x);
  if (m == "round_prefer_floor") return static_cast<int64_t>(x == f + 0.5 ? f : std::round(x));
  if (m == "round_prefer_ceil") return static_cast<int64_t>(x == f + 0.5 ? f + 1 : std::round(x));
  if (m == "floor") return static_cast<int64_t>(f);
  if (m == "ceil") return static_cast<int64_t>(std::ceil(x));
  return invalid_argument("Resize nearest_mode '" + m + "' is not known");
}

void cubic_coeffs(double t, double A, double c[4]) {
  const double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((A * x0 - 5 * A) * x0 + 8 * A) * x0 - 4 * A;
  c[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;
  c[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
  c[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

}  // namespace

Result<AxisTaps> make_axis_taps(const ResizeOptions& o, int64_t in, int64_t out, double scale, double roi_start,
                                double roi_end) {
  AxisTaps a;
  a.ntaps = o.mode == ResizeOptions::Mode::kNearest ? 1 : o.mode == ResizeOptions::Mode::kLinear ? 2 : 4;
  a.idx.resize(static_cast<size_t>(out * a.ntaps));
  a.w.resize(static_cast<size_t>(out * a.ntaps));
  a.outside.assign(static_cast<size_t>(out), 0);
  const bool crop = o.coordinate_mode == "tf_crop_and_resize";
  a.identity = in == out && !crop;
  for (int64_t j = 0; j < out; ++j) {
    FOGLINE_ASSIGN_OR_RETURN(double x, original_coordinate(o.coordinate_mode, static_cast<double>(j), in, static_cast<double>(in) * scale, scale,
                                                           roi_start, roi_end));
    if (!(std::abs(x) < 1e15)) {
      return invalid_argument("Resize maps output index " + std::to_string(j) + " to the unusable input coordinate " +
                              std::to_string(x) + " (check roi and scales)");
    }
    int64_t* idx = &a.idx[static_cast<size_t>(j * a.ntaps)];
    double* w = &a.w[static_cast<size_t>(j * a.ntaps)];
    if (crop && (x < 0 || x > static_cast<double>(in - 1))) {
      a.outside[static_cast<size_t>(j)] = 1;
      for (int t = 0; t < a.ntaps; ++t) idx[t] = 0, w[t] = 0;
      a.identity = false;
      continue;
    }
    auto clamp = [&](int64_t i) { return std::min<int64_t>(std::max<int64_t>(i, 0), in - 1); };
    if (o.mode == ResizeOptions::Mode::kNearest) {
      // "simple" (Resize-10, Upsample): floor when enlarging, ceil when shrinking, as onnxruntime.
      const std::string nm = o.nearest_mode != "simple" ? o.nearest_mode : scale < 1 ? "ceil" : "floor";
      FOGLINE_ASSIGN_OR_RETURN(int64_t i, nearest_index(nm, x));
      idx[0] = clamp(i);
      w[0] = 1;
    } else if (o.mode == ResizeOptions::Mode::kLinear) {
      const double xc = std::min(std::max(x, 0.0), static_cast<double>(in - 1));
      const int64_t i0 = static_cast<int64_t>(std::floor(xc));
      const double t = xc - static_cast<double>(i0);
      idx[0] = i0;
      idx[1] = clamp(i0 + 1);
      w[0] = 1 - t;
      w[1] = t;
    } else {
      const int64_t i0 = static_cast<int64_t>(std::floor(x));
      double c[4];
      cubic_coeffs(x - static_cast<double>(i0), o.cubic_a, c);
      double sum = 0;
      for (int t = 0; t < 4; ++t) {
        const int64_t i = i0 - 1 + t;
        if (o.exclude_outside && (i < 0 || i >= in)) c[t] = 0;
        sum += c[t];
        idx[t] = clamp(i);
      }
      for (int t = 0; t < 4; ++t) w[t] = o.exclude_outside && sum != 0 ? c[t] / sum : c[t];
    }
    // Identity only if every output index reads exactly its own input index.
    double self = 0, other = 0;
    for (int t = 0; t < a.ntaps; ++t) (idx[t] == j ? self : other) += std::abs(w[t]);
    if (std::abs(self - 1) > 1e-12 || other > 1e-12) a.identity = false;
  }
  return a;
}

namespace {

// Runs the passes on a buffer of element type B. Nearest passes only copy, so B may be the
// tensor's own type (exact for int64, no float round trip); interpolating passes use float/double.
template <typename B>
void run_passes(const std::vector<AxisTaps>& taps, const ResizeOptions& o, Shape shape, const Shape& out,
                std::vector<B>& cur, int threads) {
  const size_t rank = out.size();
  std::vector<B> next;
  const B extra = static_cast<B>(static_cast<compute_t<B>>(o.extrapolation_value));
  // Shrinking axes first, so no intermediate is larger than the input or the output.
  std::vector<size_t> order(rank);
  for (size_t d = 0; d < rank; ++d) order[d] = d;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return static_cast<double>(out[a]) / static_cast<double>(std::max<int64_t>(shape[a], 1)) <
           static_cast<double>(out[b]) / static_cast<double>(std::max<int64_t>(shape[b], 1));
  });
  for (size_t d : order) {
    const AxisTaps& a = taps[d];
    if (a.identity) continue;
    int64_t outer = 1, inner = 1;
    for (size_t k = 0; k < d; ++k) outer *= shape[k];
    for (size_t k = d + 1; k < rank; ++k) inner *= shape[k];
    const int64_t in_len = shape[d], out_len = out[d];
    next.resize(static_cast<size_t>(outer * out_len * inner));
#pragma omp parallel for collapse(2) if (outer * out_len * inner > 65536) num_threads(threads)
    for (int64_t ob = 0; ob < outer; ++ob) {
      for (int64_t j = 0; j < out_len; ++j) {
        B* dst = next.data() + (ob * out_len + j) * inner;
        const int64_t* idx = &a.idx[static_cast<size_t>(j * a.ntaps)];
        const double* w = &a.w[static_cast<size_t>(j * a.ntaps)];
        if (a.outside[static_cast<size_t>(j)]) {
          for (int64_t i = 0; i < inner; ++i) dst[i] = extra;
        } else if (a.ntaps == 1) {
          const B* src = cur.data() + (ob * in_len + idx[0]) * inner;
          for (int64_t i = 0; i < inner; ++i) dst[i] = src[i];
        } else {
          if constexpr (std::is_floating_point_v<B>) {
            for (int64_t i = 0; i < inner; ++i) dst[i] = 0;
            for (int t = 0; t < a.ntaps; ++t) {
              const B wt = static_cast<B>(w[t]);
              if (wt == B(0)) continue;
              const B* src = cur.data() + (ob * in_len + idx[t]) * inner;
              for (int64_t i = 0; i < inner; ++i) dst[i] += wt * src[i];
            }
          }
        }
      }
    }
    shape[d] = out_len;
    cur.swap(next);
  }
}

}  // namespace

Status resize_tensor(const ResizeOptions& o, const Tensor& x, const Shape& out, const std::vector<double>& scales,
                     const std::vector<double>& roi, Tensor& y, int threads) {
  const size_t rank = out.size();
  std::vector<AxisTaps> taps(rank);
  for (size_t d = 0; d < rank; ++d) {
    const double rs = roi.size() == 2 * rank ? roi[d] : 0.0, re = roi.size() == 2 * rank ? roi[d + rank] : 1.0;
    FOGLINE_ASSIGN_OR_RETURN(taps[d], make_axis_taps(o, x.dim(static_cast<int>(d)), out[d], scales[d], rs, re));
  }
  auto run = [&]<typename T>() -> Status {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    if (o.mode == ResizeOptions::Mode::kNearest) {
      std::vector<T> cur(px, px + x.numel());
      run_passes<T>(taps, o, x.shape(), out, cur, threads);
      std::copy(cur.begin(), cur.end(), py);
      return Status::ok();
    }
    // Interpolation runs in double for double tensors and float otherwise.
    using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
    std::vector<C> cur(static_cast<size_t>(x.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) cur[static_cast<size_t>(i)] = static_cast<C>(static_cast<compute_t<T>>(px[i]));
    run_passes<C>(taps, o, x.shape(), out, cur, threads);
    for (int64_t i = 0; i < y.numel(); ++i) {
      if constexpr (std::is_integral_v<T>) {
        // Integer images round to nearest and saturate.
        const double v = std::nearbyint(static_cast<double>(cur[static_cast<size_t>(i)]));
        py[i] = static_cast<T>(std::min<double>(std::max<double>(v, static_cast<double>(std::numeric_limits<T>::lowest())),
                                                static_cast<double>(std::numeric_limits<T>::max())));
      } else {
        py[i] = T(static_cast<compute_t<T>>(cur[static_cast<size_t>(i)]));
      }
    }
    return Status::ok();
  };
  return dispatch_types<FOGLINE_NUMERIC_TYPES>(x.dtype(), "Resize", run);
}

}  // namespace fogline::engine::ops::nn

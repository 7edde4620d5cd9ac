// The negative log-likelihood reduction shared by NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (which runs it on LogSoftmax(scores, axis=1)).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {

enum class LossReduction { kNone, kSum, kMean };

inline Result<LossReduction> parse_reduction(const std::string& s, const char* op) {
  if (s == "none") return LossReduction::kNone;
  if (s == "sum") return LossReduction::kSum;
  if (s == "mean") return LossReduction::kMean;
  return invalid_argument(std::string(op) + " reduction must be none, sum or mean, got \"" + s + "\"");
}

struct NllConfig {
  LossReduction reduction = LossReduction::kMean;
  std::optional<int64_t> ignore_index;
};

// Checks input [N, C, d...], target [N, d...] and weight [C]; returns C.
inline Result<int64_t> check_nll_shapes(const Shape& input, const Tensor& target, const Tensor* weight,
                                        const char* op) {
  if (input.size() < 2) {
    return invalid_argument(std::string(op) + " input must have rank >= 2 ([N, C, ...]), got " + shape_to_string(input));
  }
  Shape want = input;
  want.erase(want.begin() + 1);
  if (target.shape() != want) {
    return invalid_argument(std::string(op) + " target shape must be " + shape_to_string(want) + ", got " +
                            shape_to_string(target.shape()));
  }
  if (target.dtype() != DataType::kInt32 && target.dtype() != DataType::kInt64) {
    return invalid_argument(std::string(op) + " target must be int32 or int64, got " + dtype_name(target.dtype()));
  }
  if (weight && weight->shape() != Shape{input[1]}) {
    return invalid_argument(std::string(op) + " weight shape must be [" + std::to_string(input[1]) + "], got " +
                            shape_to_string(weight->shape()));
  }
  return input[1];
}

// `logp` holds the log-probabilities laid out as [N, C, D] (D = product of the trailing dims).
// Writes output 0 of the context (type `dtype`).
template <typename T>
Status nll_reduce(KernelContext& ctx, const double* logp, const Shape& input_shape, const Tensor& target,
                  const Tensor* weight, const NllConfig& cfg, const char* op) {
  const int64_t n = input_shape[0], c = input_shape[1];
  int64_t d = 1;
  for (size_t i = 2; i < input_shape.size(); ++i) d *= input_shape[i];
  std::vector<double> loss(static_cast<size_t>(n * d));
  double weight_sum = 0, loss_sum = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t k = 0; k < d; ++k) {
      const int64_t idx = b * d + k;
      const int64_t t = target.value_as_int(idx);
      double l = 0;
      if (cfg.ignore_index && t == *cfg.ignore_index) {
        l = 0;
      } else {
        if (t < 0 || t >= c) {
          return invalid_argument(std::string(op) + " target value " + std::to_string(t) + " at " +
                                  std::to_string(idx) + " is out of range [0, " + std::to_string(c) + ")");
        }
        const double w = weight ? weight->value_as_double(t) : 1.0;
        l = -logp[(b * c + t) * d + k] * w;
        weight_sum += w;
      }
      loss[static_cast<size_t>(idx)] = l;
      loss_sum += l;
    }
  }
  if (cfg.reduction == LossReduction::kNone) {
    Shape out_shape = target.shape();
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataTypeOf<T>::value, out_shape));
    for (int64_t i = 0; i < n * d; ++i) y->data<T>()[i] = T(static_cast<compute_t<T>>(loss[static_cast<size_t>(i)]));
    return Status::ok();
  }
  FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataTypeOf<T>::value, Shape{}));
  // A mean over no counted elements is 0/0 (NaN), as in the ONNX function definition.
  const double v = cfg.reduction == LossReduction::kSum ? loss_sum : loss_sum / weight_sum;
  y->data<T>()[0] = T(static_cast<compute_t<T>>(v));
  return Status::ok();
}

inline Result<NllConfig> read_nll_config(const KernelBuildInfo& info, const char* op) {
  NllConfig cfg;
  FOGLINE_ASSIGN_OR_RETURN(cfg.reduction, parse_reduction(info.attrs().get_string("reduction", "mean"), op));
  if (info.attrs().has("ignore_index")) cfg.ignore_index = info.attrs().get_int("ignore_index", 0);
  return cfg;
}

}  // namespace fogline::engine::ops

// Calibration: the activation ranges static quantisation needs, from statistics collected by
// running the fp32 model over sample inputs. The model is copied with every tensor to be
// quantised added as a graph output, so the engine runs unchanged and reports them all.
//
// Methods (each gives a range [lo, hi] per tensor, always widened to include 0):
//   minmax      the observed min and max.
//   percentile  clips |x| at the p-th percentile of its histogram (default 99.999).
//   entropy     TensorRT's KL-divergence method: the threshold T on the |x| histogram
//               (2048 bins) whose quantised distribution (128 levels) loses least
//               information against the clipped reference distribution.
// For percentile and entropy the range is [max(min, -T), min(max, T)]: a non-negative tensor
// (after ReLU) keeps lo = 0 and gets all 256 u8 levels on [0, T].
#pragma once

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/session.h"
#include "engine/tensor.h"

namespace fogline::optimize {

enum class CalibrationMethod { kMinMax, kPercentile, kEntropy };
Result<CalibrationMethod> parse_calibration_method(const std::string& text);
const char* calibration_method_name(CalibrationMethod method);

// A histogram of |x| over [0, max_abs] with a fixed number of bins; exact zeros are left out.
struct AbsHistogram {
  double max_abs = 0;
  std::vector<double> counts;
  double bin_width() const { return counts.empty() ? 0 : max_abs / counts.size(); }
  void add(const float* x, int64_t n);
};

// The threshold below which `percentile` % of the histogram's mass lies (upper bin edge).
double percentile_threshold(const AbsHistogram& h, double percentile);
// TensorRT's entropy calibration threshold (bin-centred: (i + 0.5) * width for the best i).
double entropy_threshold(const AbsHistogram& h, int quantized_bins = 128);

struct TensorRange {
  float min = 0, max = 0;        // observed
  float lo = 0, hi = 0;          // chosen for quantisation
  double threshold = 0;          // |x| threshold (percentile/entropy)
};

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::kMinMax;
  double percentile = 99.999;
  int histogram_bins = 2048;
  int quantized_bins = 128;
  engine::SessionOptions session;  // how the engine runs the statistics model
};

// Supplies sample i (0 <= i < count) as the model's inputs, in graph-input order.
using SampleSource = std::function<Result<std::vector<engine::Tensor>>(int64_t i)>;

// Runs `model` (fp32) over `count` samples and returns the range of each of `tensors`
// (names of float tensors in the graph: graph inputs or node outputs).
Result<std::map<std::string, TensorRange>> calibrate(const onnx::ModelProto& model,
                                                     const std::vector<std::string>& tensors,
                                                     const SampleSource& samples, int64_t count,
                                                     const CalibrationOptions& options);

// The range of a tensor from its statistics (what calibrate() does per tensor).
TensorRange choose_range(float min, float max, const AbsHistogram* histogram, const CalibrationOptions& options);

}  // namespace fogline::optimize

// Accuracy control for a lower precision (the way OpenVINO NNCF's accuracy-aware quantisation
// works): convert everything; when the metric breaks the tolerance, rank the converted
// layers by sensitivity and put the worst back to fp32, a few at a time, re-evaluating after
// each step, until the tolerance holds or the budget of kept layers runs out. `control_accuracy`
// does this for any precision given a builder of "the model with these layers in fp32" (bf16:
// the engine's metadata hint); `quantize_with_accuracy_control` is static int8
// (QuantizeOptions::keep_fp32).
//
// Sensitivity proxy (not the metric itself): for each weighted layer (Conv/MatMul/Gemm), the
// int8 model is rebuilt with only that layer kept in fp32 and run over the ranking samples;
// its score is how much the output error against the fp32 model (relative squared error of
// every output, averaged over samples) falls. One evaluation of the metric costs a pass over
// the whole validation split; the proxy needs a few dozen inputs per layer, so ranking the
// 53 layers of MobileNetV2 costs about what two or three metric evaluations do, and it sees
// the effect of the layer inside the int8 network (its own weights and its input
// quantisation), which "only this layer in int8" would not. Calibration runs once: every
// candidate reuses its ranges (QuantizeOptions::known_ranges).
//
// The metric is a callback so this module does not depend on eval/registry (DESIGN order).
#pragma once

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "optimize/qdq_quantizer.h"
#include "optimize/tolerance.h"

namespace fogline::optimize {

// The metric (a fraction in [0, 1], as Tolerance expects) of a candidate model.
using MetricFn = std::function<Result<double>(const onnx::ModelProto& model)>;
// The lower-precision model with the layers named in `keep_fp32` left in fp32.
using VariantBuilder = std::function<Result<onnx::ModelProto>(const std::set<std::string>& keep_fp32)>;

struct AccuracyControlOptions {
  Tolerance tolerance;
  double baseline = 0;           // the fp32 model's metric
  int ranking_samples = 32;      // calibration samples the sensitivity proxy runs
  int max_kept = 12;             // give up after this many layers are back in fp32
  int group = 1;                 // layers put back per step
  std::set<std::string> layer_ops = {"Conv", "MatMul", "Gemm"};
  std::set<std::string> always_fp32;  // layers never ranked (fp32 in every variant)
  std::string precision = "int8";     // for the log lines
  // Once the tolerance holds, try each kept layer back in int8 (least sensitive first) and
  // leave it there when the tolerance still holds: the proxy's order is not the metric's, and
  // every fp32 layer costs latency (an fp32 island also costs int8<->fp32 reorders).
  bool prune = true;
  // Rank by sensitivity per unit of fp32 cost (score / MACs of the layer) instead of by
  // sensitivity alone: an early 112x112 convolution in fp32 costs tens of times what a 7x7 one
  // or the classifier does, and every layer put back is paid for in latency, so the cheap
  // layers that buy the most error reduction go back first. Layers whose proxy score is not
  // positive never go first either way.
  bool cost_aware = true;
  engine::SessionOptions session;  // how the proxy runs the models
  // Called with a line of progress ("ranking 12/53", "keep 3: top1 0.832").
  std::function<void(const std::string&)> log;
};

struct LayerSensitivity {
  std::string node, op_type;
  double error = 0;  // output error with only this layer in fp32
  double score = 0;  // error of the all-int8 model minus `error` (higher: more sensitive)
  double macs = 0;   // multiply-adds per inference (batch 1), 0 when shapes are unknown
  double priority = 0;  // the ranking key: score, or score per MMAC with cost_aware
};

struct ControlStep {
  std::vector<std::string> kept;  // all layers in fp32 at this step
  double metric = 0;
  bool holds = false;
};

struct AccuracyControlResult {
  onnx::ModelProto model;          // the one that holds, else the best step's
  QuantizeReport report;           // int8 only
  double variant_error = 0;        // output error of the all-lower-precision model (proxy)
  std::vector<LayerSensitivity> ranking;  // most sensitive first (empty when all-int8 holds)
  std::vector<ControlStep> steps;  // steps[0]: all int8; then growing; then pruning tries
  std::vector<std::string> final_kept;
  bool holds = false;
  double final_metric = 0;
  std::vector<std::string> kept() const { return final_kept; }
  double metric() const { return final_metric; }
};

// Multiply-adds per inference (symbolic dims taken as 1) of each Conv/MatMul/Gemm by node
// name, from the weights' shapes and the inferred output shapes; missing where unknown.
std::map<std::string, double> layer_macs(const onnx::ModelProto& model);

// Sorts most urgent first: positive scores before the rest; among them by score, or by score
// per MMAC (with a floor of 0.05 MMAC) when cost_aware. Fills `priority`.
void rank_layers(std::vector<LayerSensitivity>* ranking, bool cost_aware);

// Mean over samples of sum((y - ref)^2) / sum(ref^2) over every float output.
double relative_output_error(const std::vector<std::vector<engine::Tensor>>& reference,
                             const std::vector<std::vector<engine::Tensor>>& outputs);

Result<AccuracyControlResult> control_accuracy(const onnx::ModelProto& fp32, const VariantBuilder& build,
                                               const SampleSource& samples, int64_t count,
                                               const AccuracyControlOptions& options, const MetricFn& metric);

Result<AccuracyControlResult> quantize_with_accuracy_control(const onnx::ModelProto& fp32, const SampleSource& samples,
                                                             int64_t count, const QuantizeOptions& quantize,
                                                             const AccuracyControlOptions& options, const MetricFn& metric);

}  // namespace fogline::optimize

// Classification metrics: accuracy, top-k, per-class precision/recall/F1, macro and micro
// averages, confusion matrix. Samples are added one at a time (label + scores or a ranked list)
// so a run over a large dataset never holds all scores.
//
// Averages follow scikit-learn's conventions: macro averages over the classes that occur in
// the labels or the predictions; a precision with no predictions (or a recall with no
// samples) counts as 0; micro averages pool the counts (for single-label data all three equal
// accuracy).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::eval {

struct ClassStats {
  int64_t support = 0;    // samples whose label is this class
  int64_t predicted = 0;  // samples predicted as this class (top-1)
  int64_t true_positives = 0;
  double precision = 0, recall = 0, f1 = 0;
};

struct ClassificationMetrics {
  int num_classes = 0;
  int top_k = 5;
  int64_t count = 0;
  double accuracy = 0;        // top-1
  double top_k_accuracy = 0;  // label among the k highest scores
  std::vector<ClassStats> per_class;  // indexed by class
  int classes_seen = 0;  // in labels or predictions (what macro averages over)
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double micro_precision = 0, micro_recall = 0, micro_f1 = 0;
  std::vector<int64_t> confusion;  // [label * num_classes + predicted]

  int64_t confusion_at(int label, int predicted) const {
    return confusion[static_cast<size_t>(label) * static_cast<size_t>(num_classes) + static_cast<size_t>(predicted)];
  }
  // Overall numbers, per-class stats of the classes seen (with names when given) and the
  // confusion matrix as [label, predicted, count] triples of its non-zero cells.
  nlohmann::json to_json(const std::vector<std::string>& class_names = {}) const;
};

class ClassificationAccumulator {
 public:
  explicit ClassificationAccumulator(int num_classes, int top_k = 5);

  // `scores` has one value per class (higher = more likely); ties go to the lower index.
  Status add_scores(int label, const float* scores, size_t count);
  Status add_scores(int label, const std::vector<float>& scores) { return add_scores(label, scores.data(), scores.size()); }
  // `ranked` holds class indices, best first (at least one).
  Status add_ranked(int label, const std::vector<int>& ranked);

  int64_t count() const { return count_; }
  ClassificationMetrics finish() const;
  // Adds another accumulator's counts (per-slice accumulators merged into an overall one).
  Status merge(const ClassificationAccumulator& other);

 private:
  int num_classes_;
  int top_k_;
  int64_t count_ = 0, top1_ = 0, topk_ = 0;
  std::vector<int64_t> confusion_;
};

// The k indices of the highest scores, best first (ties: lower index first).
std::vector<int> top_k_indices(const float* scores, size_t count, int k);

struct RegressionMetrics {
  int64_t count = 0;
  double mae = 0, rmse = 0, mean_error = 0 /* bias: mean of prediction - target */, max_abs_error = 0;
  nlohmann::json to_json() const;
};

class RegressionAccumulator {
 public:
  Status add(double target, double prediction);
  void merge(const RegressionAccumulator& other);
  RegressionMetrics finish() const;

 private:
  int64_t count_ = 0;
  double sum_abs_ = 0, sum_sq_ = 0, sum_err_ = 0, max_abs_ = 0;
};

}  // namespace fogline::eval

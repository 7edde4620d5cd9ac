#include "eval/classification_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fogline::eval {

namespace {
double ratio(int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }
double f1_of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }
}  // namespace

std::vector<int> top_k_indices(const float* scores, size_t count, int k) {
  std::vector<int> idx(count);
  std::iota(idx.begin(), idx.end(), 0);
  size_t n = std::min(count, static_cast<size_t>(std::max(k, 0)));
  std::partial_sort(idx.begin(), idx.begin() + static_cast<long>(n), idx.end(), [&](int a, int b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return a < b;
  });
  idx.resize(n);
  return idx;
}

ClassificationAccumulator::ClassificationAccumulator(int num_classes, int top_k)
    : num_classes_(std::max(num_classes, 0)), top_k_(std::max(top_k, 1)),
      confusion_(static_cast<size_t>(num_classes_) * static_cast<size_t>(num_classes_), 0) {}

Status ClassificationAccumulator::add_scores(int label, const float* scores, size_t count) {
  if (count != static_cast<size_t>(num_classes_)) {
    return invalid_argument("classification: got " + std::to_string(count) + " scores, expected one per class (" +
                            std::to_string(num_classes_) + ")");
  }
  for (size_t i = 0; i < count; ++i) {
    if (std::isnan(scores[i])) return invalid_argument("classification: score " + std::to_string(i) + " is NaN");
  }
  return add_ranked(label, top_k_indices(scores, count, top_k_));
}

Status ClassificationAccumulator::add_ranked(int label, const std::vector<int>& ranked) {
  if (label < 0 || label >= num_classes_) {
    return invalid_argument("classification: label " + std::to_string(label) + " is outside 0.." +
                            std::to_string(num_classes_ - 1));
  }
  if (ranked.empty()) return invalid_argument("classification: no prediction");
  for (int c : ranked) {
    if (c < 0 || c >= num_classes_) return invalid_argument("classification: predicted class " + std::to_string(c) + " is out of range");
  }
  ++count_;
  if (ranked[0] == label) ++top1_;
  size_t k = std::min(ranked.size(), static_cast<size_t>(top_k_));
  if (std::find(ranked.begin(), ranked.begin() + static_cast<long>(k), label) != ranked.begin() + static_cast<long>(k)) ++topk_;
  ++confusion_[static_cast<size_t>(label) * static_cast<size_t>(num_classes_) + static_cast<size_t>(ranked[0])];
  return Status::ok();
}

Status ClassificationAccumulator::merge(const ClassificationAccumulator& other) {
  if (other.num_classes_ != num_classes_ || other.top_k_ != top_k_) {
    return invalid_argument("classification: cannot merge accumulators of different class counts or k");
  }
  count_ += other.count_;
  top1_ += other.top1_;
  topk_ += other.topk_;
  for (size_t i = 0; i < confusion_.size(); ++i) confusion_[i] += other.confusion_[i];
  return Status::ok();
}

ClassificationMetrics ClassificationAccumulator::finish() const {
  ClassificationMetrics m;
  m.num_classes = num_classes_;
  m.top_k = top_k_;
  m.count = count_;
  m.accuracy = ratio(top1_, count_);
  m.top_k_accuracy = ratio(topk_, count_);
  m.confusion = confusion_;
  m.per_class.resize(static_cast<size_t>(num_classes_));
  const size_t n = static_cast<size_t>(num_classes_);
  for (size_t t = 0; t < n; ++t) {
    for (size_t p = 0; p < n; ++p) {
      int64_t v = confusion_[t * n + p];
      if (!v) continue;
      m.per_class[t].support += v;
      m.per_class[p].predicted += v;
      if (t == p) m.per_class[t].true_positives += v;
    }
  }
  int64_t tp = 0, predicted = 0, support = 0;
  double sp = 0, sr = 0, sf = 0;
  for (auto& c : m.per_class) {
    c.precision = ratio(c.true_positives, c.predicted);
    c.recall = ratio(c.true_positives, c.support);
    c.f1 = f1_of(c.precision, c.recall);
    tp += c.true_positives;
    predicted += c.predicted;
    support += c.support;
    if (c.support == 0 && c.predicted == 0) continue;
    ++m.classes_seen;
    sp += c.precision, sr += c.recall, sf += c.f1;
  }
  if (m.classes_seen) {
    m.macro_precision = sp / m.classes_seen;
    m.macro_recall = sr / m.classes_seen;
    m.macro_f1 = sf / m.classes_seen;
  }
  m.micro_precision = ratio(tp, predicted);
  m.micro_recall = ratio(tp, support);
  m.micro_f1 = f1_of(m.micro_precision, m.micro_recall);
  return m;
}

nlohmann::json ClassificationMetrics::to_json(const std::vector<std::string>& class_names) const {
  nlohmann::json j;
  j["count"] = count;
  j["accuracy"] = accuracy;
  j["top_k"] = top_k;
  j["top_k_accuracy"] = top_k_accuracy;
  j["macro"] = {{"precision", macro_precision}, {"recall", macro_recall}, {"f1", macro_f1}};
  j["micro"] = {{"precision", micro_precision}, {"recall", micro_recall}, {"f1", micro_f1}};
  j["classes_seen"] = classes_seen;
  nlohmann::json pc = nlohmann::json::array();
  for (size_t c = 0; c < per_class.size(); ++c) {
    const auto& s = per_class[c];
    if (s.support == 0 && s.predicted == 0) continue;
    nlohmann::json e{{"class", c}, {"support", s.support}, {"predicted", s.predicted}, {"precision", s.precision},
                     {"recall", s.recall}, {"f1", s.f1}};
    if (c < class_names.size()) e["name"] = class_names[c];
    pc.push_back(e);
  }
  j["per_class"] = pc;
  nlohmann::json cm = nlohmann::json::array();
  const size_t n = static_cast<size_t>(num_classes);
  for (size_t t = 0; t < n; ++t) {
    for (size_t p = 0; p < n; ++p) {
      if (int64_t v = confusion[t * n + p]) cm.push_back({t, p, v});
    }
  }
  j["confusion"] = cm;
  return j;
}

Status RegressionAccumulator::add(double target, double prediction) {
  if (!std::isfinite(target) || !std::isfinite(prediction)) {
    return invalid_argument("regression: target and prediction must be finite");
  }
  double e = prediction - target;
  ++count_;
  sum_abs_ += std::fabs(e);
  sum_sq_ += e * e;
  sum_err_ += e;
  max_abs_ = std::max(max_abs_, std::fabs(e));
  return Status::ok();
}

void RegressionAccumulator::merge(const RegressionAccumulator& o) {
  count_ += o.count_;
  sum_abs_ += o.sum_abs_;
  sum_sq_ += o.sum_sq_;
  sum_err_ += o.sum_err_;
  max_abs_ = std::max(max_abs_, o.max_abs_);
}

RegressionMetrics RegressionAccumulator::finish() const {
  RegressionMetrics m;
  m.count = count_;
  if (!count_) return m;
  double n = static_cast<double>(count_);
  m.mae = sum_abs_ / n;
  m.rmse = std::sqrt(sum_sq_ / n);
  m.mean_error = sum_err_ / n;
  m.max_abs_error = max_abs_;
  return m;
}

nlohmann::json RegressionMetrics::to_json() const {
  return {{"count", count}, {"mae", mae}, {"rmse", rmse}, {"mean_error", mean_error}, {"max_abs_error", max_abs_error}};
}

}  // namespace fogline::eval

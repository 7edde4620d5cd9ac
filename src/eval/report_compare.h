// Compares two evaluation reports (EvaluationReport::to_json, as the registry stores them) slice
// by slice: the headline metric's delta per slice value, and a flag on every slice that got
// worse by more than a tolerance — even when the overall number improved, because one camera
// getting worse while the average goes up is the normal failure. `fogline model compare`
// prints this.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::eval {

struct MetricDelta {
  std::string key, value;  // slice key and value; both empty for the overall row
  double before = 0, after = 0, delta = 0;  // after - before
  bool worse = false;       // worse by more than the tolerance
  bool missing = false;     // the slice is in only one of the reports
};

struct ReportComparison {
  std::string metric;          // accuracy, AP, mae, ...
  bool higher_is_better = true;
  MetricDelta overall;
  std::vector<MetricDelta> slices;
  int worse_slices = 0;
};

// `metric` empty: the reports' primary metric (they must agree). Lower is better for mae,
// rmse and other error metrics; higher for the rest.
Result<ReportComparison> compare_reports(const nlohmann::json& before, const nlohmann::json& after, double tolerance,
                                         const std::string& metric = "");

// A table: one row per slice, "WORSE" on flagged rows.
std::string format_comparison(const ReportComparison& comparison, double tolerance);

}  // namespace fogline::eval

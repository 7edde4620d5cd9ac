#include "eval/report_compare.h"

#include <cstdio>
#include <set>

namespace fogline::eval {

namespace {

bool lower_is_better(const std::string& metric) {
  return metric == "mae" || metric == "rmse" || metric == "max_abs_error" || metric == "loss";
}

Result<double> metric_of(const nlohmann::json& metrics, const std::string& metric, const std::string& where) {
  if (!metrics.is_object() || !metrics.contains(metric) || !metrics[metric].is_number()) {
    return invalid_argument(where + ": no numeric \"" + metric + "\"");
  }
  return metrics[metric].get<double>();
}

void judge(MetricDelta* d, bool higher_is_better, double tolerance) {
  d->delta = d->after - d->before;
  d->worse = higher_is_better ? d->delta < -tolerance : d->delta > tolerance;
}

}  // namespace

Result<ReportComparison> compare_reports(const nlohmann::json& before, const nlohmann::json& after, double tolerance,
                                         const std::string& metric_in) {
  if (tolerance < 0) return invalid_argument("compare: the tolerance must not be negative");
  ReportComparison c;
  c.metric = metric_in;
  if (c.metric.empty()) {
    std::string a = before.value("primary_metric", ""), b = after.value("primary_metric", "");
    if (a.empty() || a != b) {
      return invalid_argument("compare: the reports measure different things (" + a + " vs " + b + "); name the metric");
    }
    c.metric = a;
  }
  c.higher_is_better = !lower_is_better(c.metric);
  FOGLINE_ASSIGN_OR_RETURN(c.overall.before, metric_of(before.value("overall", nlohmann::json()), c.metric, "first report overall"));
  FOGLINE_ASSIGN_OR_RETURN(c.overall.after, metric_of(after.value("overall", nlohmann::json()), c.metric, "second report overall"));
  judge(&c.overall, c.higher_is_better, tolerance);
  const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json& sa = before.contains("slices") ? before["slices"] : empty;
  const nlohmann::json& sb = after.contains("slices") ? after["slices"] : empty;
  std::set<std::pair<std::string, std::string>> ids;
  for (const auto* s : {&sa, &sb}) {
    for (auto k = s->begin(); k != s->end(); ++k) {
      for (auto v = k->begin(); v != k->end(); ++v) ids.insert({k.key(), v.key()});
    }
  }
  for (const auto& [key, value] : ids) {
    MetricDelta d;
    d.key = key, d.value = value;
    bool in_a = sa.contains(key) && sa[key].contains(value), in_b = sb.contains(key) && sb[key].contains(value);
    if (!in_a || !in_b) {
      d.missing = true;
      c.slices.push_back(d);
      continue;
    }
    std::string where = "slice " + key + "=" + value;
    FOGLINE_ASSIGN_OR_RETURN(d.before, metric_of(sa[key][value], c.metric, "first report " + where));
    FOGLINE_ASSIGN_OR_RETURN(d.after, metric_of(sb[key][value], c.metric, "second report " + where));
    judge(&d, c.higher_is_better, tolerance);
    c.worse_slices += d.worse ? 1 : 0;
    c.slices.push_back(d);
  }
  return c;
}

std::string format_comparison(const ReportComparison& c, double tolerance) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-16s %-20s %10s %10s %10s  (%s, %s is better, tolerance %g)\n", "slice", "value", "before",
                "after", "delta", c.metric.c_str(), c.higher_is_better ? "higher" : "lower", tolerance);
  out += line;
  auto row = [&](const MetricDelta& d, const char* key, const char* value) {
    if (d.missing) {
      std::snprintf(line, sizeof(line), "%-16s %-20s %10s %10s %10s  only in one report\n", key, value, "-", "-", "-");
    } else {
      std::snprintf(line, sizeof(line), "%-16s %-20s %10.4f %10.4f %+10.4f%s\n", key, value, d.before, d.after, d.delta,
                    d.worse ? "  WORSE" : "");
    }
    out += line;
  };
  row(c.overall, "(overall)", "");
  for (const auto& d : c.slices) row(d, d.key.c_str(), d.value.c_str());
  return out;
}

}  // namespace fogline::eval

// Prometheus text exposition (format 0.0.4), written by the hub's and the node's /metrics:
// a family's HELP and TYPE once, then its samples, with label values and help text escaped.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fogline {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Builds one exposition: a family's HELP and TYPE once, then its samples.
class Exposition {
 public:
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const MetricLabels& labels, double value);
  const std::string& text() const { return text_; }

  // Label values escape backslash, double quote and newline; HELP text backslash and newline.
  static std::string escape_label_value(const std::string& value);
  static std::string escape_help(const std::string& help);

 private:
  std::string text_;
};

}  // namespace fogline

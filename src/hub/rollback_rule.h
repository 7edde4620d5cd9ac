// A deployment's rollback rule: `p99_ms>50 or error_rate>0.01 or agreement<0.9`.
// Grammar: expr := and ('or' and)*; and := term ('and' term)*; term := '(' expr ')' |
// METRIC OP NUMBER, with OP one of < <= > >= == != and METRIC one of p50_ms, p99_ms,
// error_rate, agreement, requests. Parse errors name the offending token and its column.
// A metric a node did not report makes its comparison false: a rule never trips on
// missing data (a shadow-less canary has no agreement).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace fogline::hub {

class RollbackRule {
 public:
  // An empty or all-blank text is the rule that never trips.
  static Result<RollbackRule> parse(const std::string& text);

  // True when the rule trips on `metrics` ({"p99_ms": 61.2, ...}); `why` gets the
  // comparisons that held, e.g. "p99_ms=61.2 > 50".
  bool trips(const nlohmann::json& metrics, std::string* why = nullptr) const;

  const std::string& text() const { return text_; }
  bool empty() const { return root_ == nullptr; }

  static const std::vector<std::string>& metric_names();

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace fogline::hub

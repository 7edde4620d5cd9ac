// A fast path for the bulk of an inference request: the `inputs[i].data` arrays that hold only
// numbers (flat, or nested as a rectangle) are read straight from the body text with
// std::from_chars and cut out of it, so the JSON parser only sees the small rest. nlohmann_json
// spends ~45 ms on the 150k numbers of one 224x224 image; this takes ~3 ms. Anything unusual
// (strings, booleans, ragged nesting, escaped keys) is left in place for the JSON parser, and
// the caller falls back to parsing the untouched body whenever the fast result is refused, so
// error messages never depend on this path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fogline::node {

struct NumericData {
  std::vector<double> values;
  std::vector<int64_t> integers;  // the same values, filled while every token is an integer literal
  bool all_integers = true;
  std::vector<int64_t> dims;      // {n} for a flat array; one entry per level when nested
};

// Returns the body with each extracted array replaced by `null`; `found[i]` is input i's data
// (nullopt when it was left in the text).
std::string extract_numeric_data(std::string_view body, std::vector<std::optional<NumericData>>* found);

}  // namespace fogline::node

// On-device choice among a version's variants (issue 6). A version made by `fogline optimize`
// holds the variant the optimiser chose as model.onnx and the other variants that stayed inside
// the accuracy tolerance as artifacts/variant_<key> (role `variant:<key>`). The optimiser timed
// them on its own machine or an emulated target; this node's CPU may rank them differently
// (int8 without VNNI, fp32 on AMX...). So at activation each variant is loaded and timed here on
// zero-filled inputs, the fastest one is served, and the choice with every timing is written
// to variant-choice.json in the version's folder: a restart serves the same variant without
// timing again, and the agent reports the choice and why.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace fogline::node::agent {

struct VariantTiming {
  std::string name;  // "model" (or the optimiser's name for it) and each variant's key
  std::string file;  // relative to the version's folder
  double median_ms = -1;
  std::string error;  // why it could not be timed; it is then not a choice
};

struct VariantChoice {
  std::string chosen;  // a name of `timings`
  std::string file;    // relative to the version's folder
  std::vector<VariantTiming> timings;  // empty: the version has one variant, nothing was timed
  std::string reason;
  nlohmann::json to_json() const;
  static Result<VariantChoice> from_json(const nlohmann::json& j);
};

struct VariantBenchOptions {
  int threads = 1;
  int warmup = 2;
  int runs = 15;    // per variant, in rounds that alternate the variants
};

inline constexpr const char* kVariantChoiceFile = "variant-choice.json";

// The variants in a version's folder: model.onnx first, then artifacts/variant_*.
std::vector<VariantTiming> list_variants(const std::string& version_dir);

// Times every variant and picks the fastest. Fails only when no variant runs at all.
Result<VariantChoice> time_variants(const std::string& version_dir, const VariantBenchOptions& options);

// The choice recorded in the folder, or a new one (timed, then recorded) when there is none.
// A version with only model.onnx is chosen at once, without timing.
Result<VariantChoice> choose_variant(const std::string& version_dir, const VariantBenchOptions& options,
                                     bool* newly_timed = nullptr);

}  // namespace fogline::node::agent

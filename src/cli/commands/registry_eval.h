// The glue between evaluation and the registry, shared by `fogline eval MODEL@VERSION` and
// `fogline model compare`: a version's model comes out of the content store, its stored
// processing spec drives the evaluation, and the report is recorded on the version per dataset
// version and slice. It lives in the CLI so that src/eval stays free of the registry
// (DESIGN.md: eval <- registry). Not a command: this file registers nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "engine/session.h"
#include "processing/processing_spec.h"
#include "registry/datasets.h"
#include "registry/registry.h"

namespace fogline::cli {

// An existing file or a name ending in .onnx is a model file; anything else a registry ref.
bool is_model_file(const std::string& argument);

// The version's model artifact as a session (external-data artifacts are laid out beside it
// in a work directory of the home, removed once the session holds the weights).
Result<std::unique_ptr<engine::Session>> open_version_session(registry::Registry& reg, const registry::VersionRecord& version,
                                                              const engine::SessionOptions& options);

// The spec stored on the version; `*stored` tells whether there was one (else the defaults).
Result<processing::ProcessingSpec> version_spec(const registry::VersionRecord& version, bool* stored);

// The name a dataset is recorded under: `given`, else the last component of its path.
std::string dataset_record_name(const std::string& given, const std::string& path);
// "sha256:HEX": the dataset version metrics are recorded under.
std::string dataset_record_version(const std::string& content_hash);

// A report (EvaluationReport::to_json) as registry rows: the overall row (slice "" = "") and one
// per slice value, each with the scalar numbers only (no confusion matrix or per-class tables);
// the overall row also names the task and the primary metric, so the stored rows can be
// compared again without re-running (model compare --reuse).
std::vector<registry::SliceMetrics> report_to_slice_metrics(const nlohmann::json& report);
// The inverse for comparison: {primary_metric, overall, slices: {key: {value: metrics}}} from
// the rows recorded for one dataset version; an error when there are none.
Result<nlohmann::json> report_from_records(const std::vector<registry::MetricRecord>& records, const std::string& dataset_version);

// What `fogline data add` registers: the loaded dataset's counts and how to load it again
// (`options` as given, with the slice definitions as their KEY=SOURCE texts and file options
// made absolute).
registry::NewDatasetVersion dataset_version_record(const std::string& name, const data::Dataset& dataset,
                                                   const std::string& content_hash, const data::DatasetOptions& options);

// A dataset argument of `fogline eval` / `model compare`: a folder or file on disk, else a
// registered dataset NAME[@N|@sha256:HEX] loaded with the options it was added with (plus
// `extra` slice definitions). A registered dataset whose files no longer hash to the version
// is refused, so recorded numbers always name the content they were measured on.
struct ResolvedDataset {
  data::Dataset dataset;
  std::string record_name;     // the metrics' dataset name
  std::string record_version;  // "sha256:HEX"
  std::string registered_ref;  // "NAME@N" when registered, else ""
};
Result<ResolvedDataset> resolve_dataset(registry::Registry* reg, const std::string& argument, const std::string& given_name,
                                        const data::DatasetOptions& options);

struct VersionEvalOptions {
  std::vector<std::string> slice_keys;
  int threads = 0;
  bool progress = true;
};

// Evaluates a version on a dataset with its stored spec (classification by default; a
// regression dataset selects the regression decoder; a detection dataset needs a stored
// decoder) and returns the report JSON.
Result<nlohmann::json> evaluate_version(registry::Registry& reg, const registry::VersionRecord& version, const data::Dataset& dataset,
                                        const VersionEvalOptions& options);

}  // namespace fogline::cli

// Registered datasets (`fogline data add`): a name and its content-hashed versions. A version
// is what the files hashed to ("sha256:HEX", src/data's dataset_content_hash) plus what was
// found in them (format, task, item/file/box counts, classes, slice value counts, bad
// annotations per kind) and how to read them again (`load_options`, the data add flags).
// Adding the same content again finds the same version; changed content makes a new one.
// The registry stays free of src/data: callers turn a data::Dataset into a NewDatasetVersion.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "registry/registry.h"

namespace fogline::registry {

struct DatasetVersionRecord {
  std::string name;
  int64_t number = 0;    // 1, 2, 3 ... per dataset, in the order they were added
  std::string version;   // "sha256:HEX"
  std::string format, task, path;
  int64_t items = 0, files = 0, boxes = 0, issues = 0;
  Json classes = Json::array();        // names in class-index order
  Json slices = Json::object();        // {key: {value: items}}
  Json issue_counts = Json::object();  // {kind: count}
  Json load_options = Json::object();  // {format, slices: ["camera=folder:0"], labels_file, ...}
  std::string created_by, created_at;
  std::string ref() const { return name + "@" + std::to_string(number); }
};

struct NewDatasetVersion {
  std::string name;
  std::string content_sha256;  // 64 hex
  std::string format, task, path;
  int64_t items = 0, files = 0, boxes = 0, issues = 0;
  Json classes = Json::array();
  Json slices = Json::object();
  Json issue_counts = Json::object();
  Json load_options = Json::object();
  std::string actor;
};

struct DatasetSummary {
  std::string name;
  int64_t versions = 0;
  DatasetVersionRecord latest;
};

struct RegisteredDataset {
  DatasetVersionRecord version;
  bool created = false;  // false: this content was already registered under the name
};

// One transaction: the dataset row when new, the version when its content hash is new. When
// the hash is known, the stored path and load options follow the latest add (the same files
// may have moved); the counts cannot differ, they come from the same bytes.
Result<RegisteredDataset> register_dataset_version(Registry& registry, const NewDatasetVersion& spec);

Result<std::vector<DatasetSummary>> list_datasets(Registry& registry);
Result<std::vector<DatasetVersionRecord>> dataset_versions(Registry& registry, const std::string& name);  // oldest first
// NAME (the newest version), NAME@N (its number), NAME@sha256:HEX or NAME@HEX (a prefix of
// at least 8 hex digits of the content hash).
Result<DatasetVersionRecord> get_dataset_version(Registry& registry, const std::string& ref);

// The model versions evaluated on a dataset: their overall metrics row per dataset version
// (what `fogline eval MODEL@V NAME` recorded), oldest first.
struct DatasetEvaluation {
  std::string model_version;    // "MODEL@VERSION"
  std::string dataset_version;  // "sha256:HEX"
  Json overall = Json::object();
  std::string recorded_at;
};
Result<std::vector<DatasetEvaluation>> dataset_evaluations(Registry& registry, const std::string& name);

}  // namespace fogline::registry

// `fogline model import`: fetch (local file, HTTP with resume, GitHub, Hugging Face, any git
// server), resolve a Git LFS pointer through the origin's batch API, verify size and SHA-256,
// check the model with the engine, then store the object and create the version in one
// transaction. Every failure removes what this import wrote: no version, no artifact row, no
// object it added, no temporary file. A killed import leaves at most an unreferenced object
// or a partial download, which the next import of the same file resumes and `fogline gc`
// removes.
#pragma once

#include <functional>
#include <string>

#include "registry/registry.h"
#include "registry/source.h"

namespace fogline::registry {

struct ImportOptions {
  std::string name;     // default: the file name without its extension
  std::string version;  // default: the next integer
  std::string sha256;   // the bytes must hash to this (in addition to an LFS pointer's oid)
  std::string parent;
  std::string actor;
  Json processing_spec = Json::object();   // pre/postprocessing the model needs (eval's format)
  Json hyperparameters = Json::object();   // lineage of a trained model
  Json dataset_versions = Json::object();
  // More files kept with the version, each under its role (e.g. `variant:int8` for the other
  // variants `fogline optimize` found inside the tolerance, which a node benchmarks at
  // activation). Local paths; the roles "model" and "external-data:*" are the importer's own.
  std::vector<std::pair<std::string, std::string>> extra_artifacts;
  std::string lfs_url;  // overrides Git LFS server discovery
  SourceBases bases = SourceBases::from_env();
  std::function<void(const std::string& stage, int64_t done, int64_t total)> progress;
  // Sleeps after the object is stored and again inside the version's transaction, to widen
  // the windows the kill -9 tests aim at ($FOGLINE_IMPORT_TEST_PAUSE_MS in the CLI).
  int test_pause_ms = 0;
};

struct ImportResult {
  VersionRecord version;
  bool lfs = false;      // the source was a Git LFS pointer
  bool resumed = false;  // a download continued a partial file
  bool existing_object = false;  // the bytes were already in the content store
};

Result<ImportResult> import_model(Registry& registry, const std::string& source, const ImportOptions& options);

}  // namespace fogline::registry

// A model as the node serves it: the loaded session, the version it answers as, and the
// processing spec /predict needs. Immutable once built: requests hold a shared_ptr to it, so
// a hot swap never pulls a session out from under a running request.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "engine/session.h"
#include "node/rental/rental_meter.h"
#include "processing/processing_spec.h"

namespace fogline::node {

struct ServedModel {
  std::string name;
  std::string version = "1";
  std::string path;
  std::shared_ptr<const engine::Session> session;
  std::optional<processing::ProcessingSpec> spec;  // absent: /predict takes numbers only
  double load_seconds = 0;
  // Set when the model is served under a rental: every answered inference is metered there.
  std::shared_ptr<rental::RentalMeter> rental;
};

// What `--model NAME=PATH.onnx[,spec=SPEC.json][,preset=P][,version=V][,rental=TERMS.json]` says.
struct ModelSource {
  std::string name;
  std::string path;
  std::string spec_file;
  std::string preset;
  std::string version = "1";
  std::string rental_file;  // rental terms (node/rental/rental_terms.h); empty: not rented
  bool operator==(const ModelSource&) const = default;
};

Result<ModelSource> parse_model_source(const std::string& text);

struct LoadOptions {
  int engine_threads = 1;  // threads per request; requests already run in parallel
};

// Loads the session and spec; an image spec with no size takes it from the model's input.
Result<std::shared_ptr<const ServedModel>> load_model(const ModelSource& source, const LoadOptions& options);

// Height and width of a spec left at 0, from the model's first input (NCHW or NHWC).
Status resolve_spec_input_size(const engine::Session& session, processing::PreprocessSpec* spec);

}  // namespace fogline::node

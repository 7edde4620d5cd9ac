// What the registry keeps about a model from the engine (the facts `fogline inspect` shows):
// signature, opsets, size, parameter count, FLOPs and the ops the engine cannot run. A file the
// engine cannot read at all is not a model and is refused; unsupported ops are recorded, not
// refused (a later engine may run them, and the user may only want to store the model).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace fogline::registry {

Result<nlohmann::json> inspect_model_file(const std::string& path);

}  // namespace fogline::registry

// The node's OpenAPI 3 document, generated from the models it serves: one infer path per
// model whose request schema names that model's inputs, datatypes and shapes.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

#include "node/serving/served_model.h"

namespace fogline::node {

nlohmann::json openapi_document(const std::vector<std::shared_ptr<const ServedModel>>& models, bool api_keys);

}  // namespace fogline::node

// Open Inference Protocol v2 tensors in JSON: datatype names ("FP32", "INT64", ...) and the
// conversion between a request's {name, shape, datatype, data} and the engine's Tensor. Every
// check names the input and says expected vs got, because the caller is a client far away.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "engine/graph.h"
#include "engine/tensor.h"
#include "node/serving/numeric_data.h"

namespace fogline::node {

// "FP32" for kFloat, ...; nullopt for types the protocol has no name for (bfloat16, string).
std::optional<std::string> oip_datatype(engine::DataType t);
// kFloat for "FP32", ...; nullopt for names the protocol does not define or we cannot hold.
std::optional<engine::DataType> oip_datatype_from_name(const std::string& name);

// The model's declared shape in protocol form: -1 for a symbolic or unknown dim; [-1] when the
// rank itself is unknown.
nlohmann::json oip_shape(const engine::ValueType& type);
// "FP32[-1,4]" for messages.
std::string describe_type(const engine::ValueType& type);

// One request input ({name, shape, datatype, data}) checked against the model's declared type
// and turned into a tensor. `data` may be flat (row-major) or nested to the shape's depth. With
// parameters.binary_data_size (the binary tensor data extension) the bytes are taken from the
// front of `binary`, which is advanced past them.
// `fast`: this input's numbers, already read from the body text (numeric_data.h).
Result<engine::Tensor> tensor_from_oip(const nlohmann::json& input, const engine::ValueType& declared,
                                       std::string_view* binary = nullptr, const NumericData* fast = nullptr);

// The tensor's elements as a flat JSON array (FP16 as numbers, BOOL as true/false).
Result<nlohmann::json> tensor_data_to_json(const engine::Tensor& t);
// {name, datatype, shape, data}
Result<nlohmann::json> tensor_to_oip(const std::string& name, const engine::Tensor& t);

}  // namespace fogline::node

#include "node/serving/tensor_json.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace fogline::node {
namespace {

using engine::DataType;
using nlohmann::json;

struct DatatypeName {
  DataType type;
  const char* name;
};
constexpr DatatypeName kDatatypes[] = {
    {DataType::kBool, "BOOL"},     {DataType::kUInt8, "UINT8"},   {DataType::kUInt16, "UINT16"},
    {DataType::kUInt32, "UINT32"}, {DataType::kUInt64, "UINT64"}, {DataType::kInt8, "INT8"},
    {DataType::kInt16, "INT16"},   {DataType::kInt32, "INT32"},   {DataType::kInt64, "INT64"},
    {DataType::kFloat16, "FP16"},  {DataType::kFloat, "FP32"},    {DataType::kDouble, "FP64"},
};

std::string shape_text(const json& shape) { return shape.dump(); }

// Walks nested data to the shape's depth, appending leaves; a flat array is accepted as is.
// `path` holds the indices down to `data`; messages are built only when something is wrong,
// since a 224x224 image has 150k leaves.
Status flatten(const json& data, const std::vector<int64_t>& shape, std::vector<size_t>* path, const std::string& what,
               std::vector<const json*>* out) {
  if (!data.is_array()) {
    out->push_back(&data);
    return Status::ok();
  }
  const size_t depth = path->size();
  auto where = [&] {
    std::string w = what + " data";
    for (size_t i : *path) w += "[" + std::to_string(i) + "]";
    return w;
  };
  if (depth >= shape.size()) {
    return invalid_argument(where() + " is nested deeper than the shape's " + std::to_string(shape.size()) +
                            " dimensions");
  }
  if (static_cast<int64_t>(data.size()) != shape[depth]) {
    return invalid_argument(where() + " has " + std::to_string(data.size()) + " elements, but dimension " +
                            std::to_string(depth) + " of the shape is " + std::to_string(shape[depth]));
  }
  for (size_t i = 0; i < data.size(); ++i) {
    path->push_back(i);
    Status st = flatten(data[i], shape, path, what, out);
    path->pop_back();
    FOGLINE_TRY(st);
  }
  return Status::ok();
}

// Each returns what is wrong with `v` for the datatype, or nullptr when it was stored.
template <typename T>
const char* store_integer(const json& v, T* dst) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return "is out of range for the datatype";
    *dst = static_cast<T>(u);
    return nullptr;
  }
  if (v.is_number_integer()) {
    int64_t s = v.get<int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (s < 0) return "is negative for an unsigned datatype";
      if (static_cast<uint64_t>(s) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
        return "is out of range for the datatype";
      }
    } else {
      if (s < static_cast<int64_t>(std::numeric_limits<T>::min()) || s > static_cast<int64_t>(std::numeric_limits<T>::max())) {
        return "is out of range for the datatype";
      }
    }
    *dst = static_cast<T>(s);
    return nullptr;
  }
  return "is not an integer";
}

const char* store_element(const json& v, DataType type, void* base, int64_t i) {
  switch (type) {
    case DataType::kBool:
      if (!v.is_boolean()) return "is not true or false";
      static_cast<bool*>(base)[i] = v.get<bool>();
      return nullptr;
    case DataType::kUInt8: return store_integer(v, static_cast<uint8_t*>(base) + i);
    case DataType::kUInt16: return store_integer(v, static_cast<uint16_t*>(base) + i);
    case DataType::kUInt32: return store_integer(v, static_cast<uint32_t*>(base) + i);
    case DataType::kUInt64: return store_integer(v, static_cast<uint64_t*>(base) + i);
    case DataType::kInt8: return store_integer(v, static_cast<int8_t*>(base) + i);
    case DataType::kInt16: return store_integer(v, static_cast<int16_t*>(base) + i);
    case DataType::kInt32: return store_integer(v, static_cast<int32_t*>(base) + i);
    case DataType::kInt64: return store_integer(v, static_cast<int64_t*>(base) + i);
    case DataType::kFloat16:
    case DataType::kFloat:
    case DataType::kDouble: {
      if (!v.is_number()) return "is not a number";
      double d = v.get<double>();
      if (type == DataType::kFloat16) static_cast<engine::Float16*>(base)[i] = engine::Float16(static_cast<float>(d));
      else if (type == DataType::kFloat) static_cast<float*>(base)[i] = static_cast<float>(d);
      else static_cast<double*>(base)[i] = d;
      return nullptr;
    }
    default: return "has a datatype this server cannot hold";
  }
}

// Data read by the numeric fast path. Any disagreement is an error; the caller then parses the
// whole request the ordinary way, which names the problem.
Result<engine::Tensor> tensor_from_numbers(const NumericData& d, DataType type, const std::vector<int64_t>& shape,
                                           int64_t count, const std::string& what) {
  const bool nested = d.dims.size() > 1 && d.dims[0] > 0;
  if (nested ? d.dims != shape : static_cast<int64_t>(d.values.size()) != count) {
    return invalid_argument(what + ": data does not match the shape");
  }
  FOGLINE_ASSIGN_OR_RETURN(engine::Tensor t, engine::Tensor::allocate(type, shape));
  const size_t n = d.values.size();
  auto integers = [&](auto* dst, int64_t lo, uint64_t hi) -> Status {
    if (!d.all_integers) return invalid_argument(what + ": data holds a non-integer");
    for (size_t i = 0; i < n; ++i) {
      int64_t v = d.integers[i];
      if (v < lo || (v > 0 && static_cast<uint64_t>(v) > hi)) return invalid_argument(what + ": data out of range");
      dst[i] = static_cast<std::remove_pointer_t<decltype(dst)>>(v);
    }
    return Status::ok();
  };
  switch (type) {
    case DataType::kFloat:
      for (size_t i = 0; i < n; ++i) t.data<float>()[i] = static_cast<float>(d.values[i]);
      break;
    case DataType::kDouble:
      for (size_t i = 0; i < n; ++i) t.data<double>()[i] = d.values[i];
      break;
    case DataType::kFloat16:
      for (size_t i = 0; i < n; ++i) t.data<engine::Float16>()[i] = engine::Float16(static_cast<float>(d.values[i]));
      break;
    case DataType::kUInt8: FOGLINE_TRY(integers(t.data<uint8_t>(), 0, UINT8_MAX)); break;
    case DataType::kUInt16: FOGLINE_TRY(integers(t.data<uint16_t>(), 0, UINT16_MAX)); break;
    case DataType::kUInt32: FOGLINE_TRY(integers(t.data<uint32_t>(), 0, UINT32_MAX)); break;
    case DataType::kUInt64: FOGLINE_TRY(integers(t.data<uint64_t>(), 0, UINT64_MAX)); break;
    case DataType::kInt8: FOGLINE_TRY(integers(t.data<int8_t>(), INT8_MIN, INT8_MAX)); break;
    case DataType::kInt16: FOGLINE_TRY(integers(t.data<int16_t>(), INT16_MIN, INT16_MAX)); break;
    case DataType::kInt32: FOGLINE_TRY(integers(t.data<int32_t>(), INT32_MIN, INT32_MAX)); break;
    case DataType::kInt64: FOGLINE_TRY(integers(t.data<int64_t>(), INT64_MIN, INT64_MAX)); break;
    default: return invalid_argument(what + ": numbers cannot fill this datatype");
  }
  return t;
}

}  // namespace

std::optional<std::string> oip_datatype(DataType t) {
  for (const auto& d : kDatatypes) {
    if (d.type == t) return std::string(d.name);
  }
  return std::nullopt;
}

std::optional<DataType> oip_datatype_from_name(const std::string& name) {
  for (const auto& d : kDatatypes) {
    if (name == d.name) return d.type;
  }
  return std::nullopt;
}

json oip_shape(const engine::ValueType& type) {
  if (!type.has_shape) return json::array({-1});
  json shape = json::array();
  for (const auto& d : type.dims) shape.push_back(d.is_static() ? d.value : -1);
  return shape;
}

std::string describe_type(const engine::ValueType& type) {
  auto name = oip_datatype(type.dtype);
  return (name ? *name : std::string(engine::dtype_name(type.dtype))) + shape_text(oip_shape(type));
}

Result<engine::Tensor> tensor_from_oip(const json& input, const engine::ValueType& declared, std::string_view* binary,
                                       const NumericData* fast) {
  const std::string name = input.value("name", std::string());
  const std::string what = "input '" + name + "'";
  if (!input.contains("datatype") || !input["datatype"].is_string()) {
    return invalid_argument(what + ": \"datatype\" is missing or not a string");
  }
  if (!input.contains("shape") || !input["shape"].is_array()) {
    return invalid_argument(what + ": \"shape\" is missing or not an array");
  }
  const std::string dt = input["datatype"].get<std::string>();
  if (dt == "BYTES") return invalid_argument(what + ": BYTES tensors are not supported by this server");
  auto type = oip_datatype_from_name(dt);
  if (!type) return invalid_argument(what + ": \"" + dt + "\" is not an Open Inference Protocol datatype");
  if (*type != declared.dtype) {
    return invalid_argument(what + ": datatype " + dt + " does not match the model's " + describe_type(declared));
  }

  std::vector<int64_t> shape;
  for (const auto& d : input["shape"]) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) {
      return invalid_argument(what + ": shape " + input["shape"].dump() + " must hold non-negative integers");
    }
    shape.push_back(d.get<int64_t>());
  }
  bool fits = declared.has_shape ? shape.size() == declared.dims.size() : true;
  if (fits && declared.has_shape) {
    for (size_t i = 0; i < shape.size(); ++i) {
      if (declared.dims[i].is_static() && declared.dims[i].value != shape[i]) fits = false;
    }
  }
  if (!fits) {
    return invalid_argument(what + ": shape " + input["shape"].dump() + " does not match the model's " +
                            describe_type(declared));
  }
  auto count = engine::checked_numel(shape);
  if (!count.is_ok()) return invalid_argument(what + ": shape " + input["shape"].dump() + ": " + count.status().message());

  // The binary tensor data extension: the bytes follow the JSON header, in input order.
  const json* params = input.contains("parameters") ? &input["parameters"] : nullptr;
  if (params && params->is_object() && params->contains("binary_data_size")) {
    const json& size = (*params)["binary_data_size"];
    if (!size.is_number_unsigned()) return invalid_argument(what + ": binary_data_size must be a non-negative integer");
    if (input.contains("data")) return invalid_argument(what + ": give either \"data\" or binary_data_size, not both");
    if (!binary) return invalid_argument(what + ": binary_data_size without a binary part (Inference-Header-Content-Length)");
    const uint64_t want = static_cast<uint64_t>(*count) * engine::dtype_size(*type);
    if (size.get<uint64_t>() != want) {
      return invalid_argument(what + ": binary_data_size " + size.dump() + " does not match " + dt + " shape " +
                              input["shape"].dump() + " (" + std::to_string(want) + " bytes)");
    }
    if (binary->size() < want) {
      return invalid_argument(what + ": the binary part has " + std::to_string(binary->size()) + " bytes left, " +
                              std::to_string(want) + " needed");
    }
    FOGLINE_ASSIGN_OR_RETURN(engine::Tensor t, engine::Tensor::allocate(*type, shape));
    std::memcpy(t.raw(), binary->data(), want);
    binary->remove_prefix(want);
    if (*type == DataType::kBool) {
      for (int64_t i = 0; i < t.numel(); ++i) t.data<bool>()[i] = reinterpret_cast<const uint8_t*>(t.raw())[i] != 0;
    }
    return t;
  }
  if (fast) return tensor_from_numbers(*fast, *type, shape, *count, what);
  if (!input.contains("data")) return invalid_argument(what + ": \"data\" is missing");

  const json& data = input["data"];
  std::vector<const json*> leaves;
  if (!data.is_array()) return invalid_argument(what + ": \"data\" must be an array");
  bool nested = !data.empty() && data[0].is_array();
  if (nested) {
    std::vector<size_t> path;
    FOGLINE_TRY(flatten(data, shape, &path, what, &leaves));
  } else {
    leaves.reserve(data.size());
    for (const auto& v : data) leaves.push_back(&v);
  }
  if (static_cast<int64_t>(leaves.size()) != *count) {
    return invalid_argument(what + ": data has " + std::to_string(leaves.size()) + " elements, shape " +
                            input["shape"].dump() + " needs " + std::to_string(*count));
  }
  FOGLINE_ASSIGN_OR_RETURN(engine::Tensor t, engine::Tensor::allocate(*type, shape));
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (const char* problem = store_element(*leaves[i], *type, t.raw(), static_cast<int64_t>(i))) {
      return invalid_argument(what + " data[" + std::to_string(i) + "] = " + leaves[i]->dump() + " " + problem);
    }
  }
  return t;
}

Result<json> tensor_data_to_json(const engine::Tensor& t) {
  json data = json::array();
  auto& arr = data.get_ref<json::array_t&>();
  arr.reserve(static_cast<size_t>(t.numel()));
  const int64_t n = t.numel();
  switch (t.dtype()) {
    case DataType::kBool:
      for (int64_t i = 0; i < n; ++i) arr.emplace_back(t.data<bool>()[i]);
      break;
    case DataType::kFloat:
      for (int64_t i = 0; i < n; ++i) {
        float f = t.data<float>()[i];
        arr.emplace_back(std::isfinite(f) ? json(f) : json(nullptr));
      }
      break;
    case DataType::kFloat16:
    case DataType::kDouble:
      for (int64_t i = 0; i < n; ++i) {
        double d = t.value_as_double(i);
        arr.emplace_back(std::isfinite(d) ? json(d) : json(nullptr));
      }
      break;
    case DataType::kUInt64:
      for (int64_t i = 0; i < n; ++i) arr.emplace_back(t.data<uint64_t>()[i]);
      break;
    case DataType::kUInt8:
    case DataType::kUInt16:
    case DataType::kUInt32:
    case DataType::kInt8:
    case DataType::kInt16:
    case DataType::kInt32:
    case DataType::kInt64:
      for (int64_t i = 0; i < n; ++i) arr.emplace_back(t.value_as_int(i));
      break;
    default:
      return unsupported(std::string("output datatype ") + engine::dtype_name(t.dtype()) +
                         " has no Open Inference Protocol datatype");
  }
  return data;
}

Result<json> tensor_to_oip(const std::string& name, const engine::Tensor& t) {
  auto dt = oip_datatype(t.dtype());
  if (!dt) {
    return unsupported("output '" + name + "' is " + engine::dtype_name(t.dtype()) +
                       ", which has no Open Inference Protocol datatype");
  }
  FOGLINE_ASSIGN_OR_RETURN(json data, tensor_data_to_json(t));
  return json{{"name", name}, {"datatype", *dt}, {"shape", t.shape()}, {"data", std::move(data)}};
}

}  // namespace fogline::node

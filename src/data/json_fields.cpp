#include "data/json_fields.h"

#include <cmath>

#include "core/file_util.h"

namespace fogline::data {

Result<nlohmann::json> parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return invalid_argument(source + ": not valid JSON (byte " + std::to_string(e.byte) + "): " + e.what());
  }
}

Result<nlohmann::json> load_json_file(const std::string& path) {
  auto text = read_file(path);
  if (!text.is_ok()) return text.status();
  return parse_json(*text, path);
}

std::string json_type_phrase(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "a binary value";
}

Result<const nlohmann::json*> require_field(const nlohmann::json& object, const char* field, const std::string& where) {
  if (!object.is_object()) return invalid_argument(where + ": expected an object, got " + json_type_phrase(object));
  auto it = object.find(field);
  if (it == object.end()) return invalid_argument(where + ": missing field \"" + field + "\"");
  return &*it;
}

Result<double> number_field(const nlohmann::json& object, const char* field, const std::string& where) {
  FOGLINE_ASSIGN_OR_RETURN(const nlohmann::json* v, require_field(object, field, where));
  if (!v->is_number()) {
    return invalid_argument(where + "." + field + ": expected a number, got " + json_type_phrase(*v));
  }
  double d = v->get<double>();
  if (!std::isfinite(d)) return invalid_argument(where + "." + field + ": not a finite number");
  return d;
}

Result<int64_t> integer_field(const nlohmann::json& object, const char* field, const std::string& where) {
  FOGLINE_ASSIGN_OR_RETURN(const nlohmann::json* v, require_field(object, field, where));
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return invalid_argument(where + "." + field + ": expected an integer, got " + v->dump());
  }
  return invalid_argument(where + "." + field + ": expected an integer, got " + json_type_phrase(*v));
}

Result<std::string> string_field(const nlohmann::json& object, const char* field, const std::string& where) {
  FOGLINE_ASSIGN_OR_RETURN(const nlohmann::json* v, require_field(object, field, where));
  if (!v->is_string()) {
    return invalid_argument(where + "." + field + ": expected a string, got " + json_type_phrase(*v));
  }
  return v->get<std::string>();
}

}  // namespace fogline::data

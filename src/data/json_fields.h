// Reading fields of untrusted JSON (annotation files, results lists, sidecars) into values,
// with errors that name the file, the path to the element and what was expected.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "core/status.h"

namespace fogline::data {

// Parses text; an error names `source` (a file name) and the byte where parsing failed.
Result<nlohmann::json> parse_json(const std::string& text, const std::string& source);
// Reads and parses a file.
Result<nlohmann::json> load_json_file(const std::string& path);

// `where` is the element's path for messages, e.g. "GT.json: annotations[3]".
Result<const nlohmann::json*> require_field(const nlohmann::json& object, const char* field, const std::string& where);
Result<double> number_field(const nlohmann::json& object, const char* field, const std::string& where);
Result<int64_t> integer_field(const nlohmann::json& object, const char* field, const std::string& where);
Result<std::string> string_field(const nlohmann::json& object, const char* field, const std::string& where);
// A JSON type name for messages ("a string", "an array", ...).
std::string json_type_phrase(const nlohmann::json& value);

}  // namespace fogline::data

#include "registry/external_data.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace fogline::registry {
namespace {

Status check_location(const std::string& location, const std::string& tensor) {
  if (location.empty()) return invalid_argument("tensor '" + tensor + "' has external data without a location");
  std::filesystem::path p(location);
  bool escapes = p.is_absolute() || location.find('\\') != std::string::npos;
  for (const auto& part : p) escapes = escapes || part == "..";
  if (escapes)
    return invalid_argument("tensor '" + tensor + "': external data location '" + location + "' is outside the model's folder");
  return Status::ok();
}

Status collect_tensor(const onnx::TensorProto& t, std::set<std::string>* out) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL) return Status::ok();
  std::string location;
  for (const auto& kv : t.external_data())
    if (kv.key() == "location") location = kv.value();
  FOGLINE_TRY(check_location(location, t.name()));
  out->insert(std::filesystem::path(location).lexically_normal().generic_string());
  return Status::ok();
}

Status collect_graph(const onnx::GraphProto& g, std::set<std::string>* out) {
  for (const auto& t : g.initializer()) FOGLINE_TRY(collect_tensor(t, out));
  for (const auto& node : g.node()) {
    for (const auto& attr : node.attribute()) {
      if (attr.has_t()) FOGLINE_TRY(collect_tensor(attr.t(), out));
      for (const auto& t : attr.tensors()) FOGLINE_TRY(collect_tensor(t, out));
      if (attr.has_g()) FOGLINE_TRY(collect_graph(attr.g(), out));
      for (const auto& sub : attr.graphs()) FOGLINE_TRY(collect_graph(sub, out));
    }
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> external_data_locations(const std::string& model_path) {
  std::ifstream in(model_path, std::ios::binary);
  if (!in) return io_error("cannot open '" + model_path + "'");
  onnx::ModelProto model;
  // Not a model at all is the engine's verdict to give (inspect), with its own message.
  if (!model.ParseFromIstream(&in) || !model.has_graph()) return std::vector<std::string>{};
  std::set<std::string> locations;
  FOGLINE_TRY(collect_graph(model.graph(), &locations));
  return std::vector<std::string>(locations.begin(), locations.end());
}

}  // namespace fogline::registry

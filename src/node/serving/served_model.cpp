#include "node/serving/served_model.h"

#include <chrono>
#include <regex>

#include "processing/spec_presets.h"

namespace fogline::node {

Result<ModelSource> parse_model_source(const std::string& text) {
  ModelSource s;
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return invalid_argument("--model '" + text + "': expected NAME=PATH.onnx[,spec=FILE][,preset=P][,version=V][,rental=FILE]");
  }
  s.name = text.substr(0, eq);
  // Names go into URL paths and metric labels; keep them to a safe alphabet.
  static const std::regex kName("[A-Za-z0-9][A-Za-z0-9_.-]*");
  if (!std::regex_match(s.name, kName)) {
    return invalid_argument("--model '" + text + "': model name '" + s.name + "' may hold only letters, digits, '_', '.', '-'");
  }
  std::string rest = text.substr(eq + 1);
  size_t start = 0;
  bool first = true;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    std::string part = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (first) {
      s.path = part;
      first = false;
    } else {
      size_t e = part.find('=');
      std::string key = e == std::string::npos ? part : part.substr(0, e);
      std::string value = e == std::string::npos ? "" : part.substr(e + 1);
      if (value.empty()) return invalid_argument("--model '" + text + "': '" + part + "' has no value");
      if (key == "spec") s.spec_file = value;
      else if (key == "preset") s.preset = value;
      else if (key == "rental") s.rental_file = value;
      else if (key == "version") {
        if (!std::regex_match(value, kName)) return invalid_argument("--model '" + text + "': bad version '" + value + "'");
        s.version = value;
      } else {
        return invalid_argument("--model '" + text + "': unknown key '" + key + "' (expected spec, preset, version, rental)");
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (s.path.empty()) return invalid_argument("--model '" + text + "': the model path is empty");
  return s;
}

Status resolve_spec_input_size(const engine::Session& session, processing::PreprocessSpec* spec) {
  if (spec->width > 0 && spec->height > 0) return Status::ok();
  if (session.inputs().empty()) return invalid_argument("the model has no inputs");
  const auto& in = session.inputs()[0];
  const auto& d = in.type.dims;
  if (d.size() != 4) {
    return invalid_argument("model input " + in.name + " is " + in.type.to_string() +
                            ", not an image batch; the spec must give width and height");
  }
  bool nchw = spec->layout == "NCHW";
  // A channel dim of 3 in the other place means the layout is the other one.
  if (nchw && d[1].value != 3 && d[3].value == 3) nchw = false, spec->layout = "NHWC";
  if (!nchw && d[3].value != 3 && d[1].value == 3) nchw = true, spec->layout = "NCHW";
  int64_t h = nchw ? d[2].value : d[1].value, w = nchw ? d[3].value : d[2].value;
  if (h <= 0 || w <= 0) {
    return invalid_argument("model input " + in.name + " is " + in.type.to_string() +
                            " with no fixed height and width; the spec must give them");
  }
  spec->height = static_cast<int>(h), spec->width = static_cast<int>(w);
  return Status::ok();
}

Result<std::shared_ptr<const ServedModel>> load_model(const ModelSource& source, const LoadOptions& options) {
  auto model = std::make_shared<ServedModel>();
  model->name = source.name;
  model->version = source.version;
  model->path = source.path;
  auto t0 = std::chrono::steady_clock::now();
  engine::SessionOptions so;
  so.threads = options.engine_threads;
  auto session = engine::Session::open(source.path, so);
  if (!session.is_ok()) return session.status().with_context("model " + source.name);
  model->session = std::shared_ptr<const engine::Session>(std::move(session).value());

  if (!source.preset.empty() || !source.spec_file.empty()) {
    processing::ProcessingSpec spec;
    if (!source.preset.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(spec, processing::processing_preset(source.preset));
    }
    if (!source.spec_file.empty()) {
      auto loaded = processing::ProcessingSpec::load(source.spec_file);
      if (!loaded.is_ok()) return loaded.status().with_context("model " + source.name + " spec");
      spec = *loaded;
    }
    // Label files are read once here, so a request never touches the file system.
    FOGLINE_TRY(spec.post.embed_labels().with_context("model " + source.name + " labels"));
    FOGLINE_TRY(resolve_spec_input_size(*model->session, &spec.pre).with_context("model " + source.name));
    model->spec = std::move(spec);
  }
  model->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return std::shared_ptr<const ServedModel>(std::move(model));
}

}  // namespace fogline::node

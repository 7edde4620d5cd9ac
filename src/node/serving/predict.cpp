#include "node/serving/predict.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <functional>
#include <numeric>

#include "node/serving/tensor_json.h"
#include "processing/postprocess.h"
#include "processing/preprocess.h"

namespace fogline::node {

using nlohmann::json;

namespace {

// Adds "label" when the spec names the class; a model without names answers indices only.
void add_label(json* j, const processing::PostprocessSpec& post, int index) {
  if (index >= 0 && static_cast<size_t>(index) < post.labels.size()) (*j)["label"] = post.labels[static_cast<size_t>(index)];
}

// Outputs to the prediction object the spec's decoder gives; raw outputs without a spec.
Result<json> describe(const ServedModel& model, const std::vector<engine::Tensor>& outputs,
                      const processing::ImageTransform& transform, const PredictOptions& options) {
  const auto& session = *model.session;
  if (!model.spec) {
    json outs = json::array();
    for (size_t k = 0; k < outputs.size(); ++k) {
      FOGLINE_ASSIGN_OR_RETURN(json o, tensor_to_oip(session.outputs()[k].name, outputs[k]));
      outs.push_back(std::move(o));
    }
    return json{{"outputs", std::move(outs)}};
  }
  const auto& post = model.spec->post;
  if (outputs.empty()) return invalid_argument("model " + model.name + " returned no outputs");
  if (post.kind == processing::PostprocessKind::kClassification) {
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> scores, processing::classification_scores(outputs[0], post));
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    size_t k = std::min(order.size(), static_cast<size_t>(std::max(options.top_k, 1)));
    // Ties go to the lower class index, so answers are deterministic.
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), [&](int a, int b) {
      return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(b)] ||
             (scores[static_cast<size_t>(a)] == scores[static_cast<size_t>(b)] && a < b);
    });
    json classes = json::array();
    for (size_t i = 0; i < k; ++i) {
      int c = order[i];
      json entry{{"index", c}, {"score", scores[static_cast<size_t>(c)]}};
      add_label(&entry, post, c);
      classes.push_back(std::move(entry));
    }
    return json{{"classes", std::move(classes)}};
  }
  if (post.kind == processing::PostprocessKind::kRegression) {
    if (outputs[0].numel() < 1) return invalid_argument("regression: the model's output is empty");
    return json{{"value", outputs[0].value_as_double(0)}};
  }
  std::vector<std::string> names;
  for (const auto& o : session.outputs()) names.push_back(o.name);
  FOGLINE_ASSIGN_OR_RETURN(auto found, processing::decode_detections(outputs, names, post, transform));
  json dets = json::array();
  for (const auto& d : found) {
    json entry{{"class_index", d.class_index},
               {"score", d.score},
               {"box", {{"x", d.x}, {"y", d.y}, {"width", d.w}, {"height", d.h}}}};
    add_label(&entry, post, d.class_index);
    dets.push_back(std::move(entry));
  }
  return json{{"detections", std::move(dets)}};
}

// Runs and describes one input; the tap sees the run only when its answer could be described.
Result<json> run_and_describe(const ServedModel& model, engine::Tensor input, const processing::ImageTransform& transform,
                              const PredictOptions& options) {
  if (model.session->inputs().size() != 1) {
    return invalid_argument("model " + model.name + " takes " + std::to_string(model.session->inputs().size()) +
                            " inputs; /predict feeds one (use /v2/models/" + model.name + "/infer)");
  }
  std::vector<engine::Tensor> inputs{std::move(input)};
  auto out = model.session->run(inputs);
  if (!out.is_ok()) return out.status().with_context("model " + model.name);
  FOGLINE_ASSIGN_OR_RETURN(json described, describe(model, *out, transform, options));
  if (options.tap && *options.tap) (*options.tap)(inputs, *out, transform);
  return described;
}

// Numbers for the single input: nested or flat, with or without the leading batch dim; the
// model's symbolic dims become 1.
Result<engine::Tensor> numbers_to_input(const ServedModel& model, const json& instance) {
  const auto& spec = model.session->inputs()[0];
  engine::Shape shape;
  for (const auto& d : spec.type.dims) shape.push_back(d.is_static() ? d.value : 1);
  json flat = json::array();
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_array()) {
      for (const auto& e : v) walk(e);
    } else {
      flat.push_back(v);
    }
  };
  walk(instance);
  auto dt = oip_datatype(spec.type.dtype);
  if (!dt) return invalid_argument("input '" + spec.name + "' has a datatype /predict cannot fill");
  json as_oip{{"name", spec.name}, {"datatype", *dt}, {"shape", shape}, {"data", std::move(flat)}};
  return tensor_from_oip(as_oip, spec.type);
}

}  // namespace

Result<json> predict_image(const ServedModel& model, const std::string& encoded, const PredictOptions& options) {
  if (!model.spec) {
    return invalid_argument("model " + model.name +
                            " has no processing spec, so it cannot take images; serve it with spec=FILE or preset=NAME");
  }
  if (encoded.empty()) return invalid_argument("the image is empty");
  cv::Mat bytes(1, static_cast<int>(encoded.size()), CV_8UC1, const_cast<char*>(encoded.data()));
  cv::Mat image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  if (image.empty()) return invalid_argument("the body is not an image OpenCV can decode (JPEG, PNG, ...)");
  FOGLINE_ASSIGN_OR_RETURN(auto pre, processing::preprocess_image(image, model.spec->pre));
  return run_and_describe(model, std::move(pre.tensor), pre.transform, options);
}

Result<json> predict_json(const ServedModel& model, const json& body, const PredictOptions& options) {
  if (!body.is_object()) return invalid_argument("the body must be a JSON object with \"image\" or \"instances\"");
  std::vector<json> instances;
  if (body.contains("image")) {
    instances.push_back(json{{"b64", body["image"]}});
  } else if (body.contains("instances")) {
    if (!body["instances"].is_array() || body["instances"].empty()) {
      return invalid_argument("\"instances\" must be a non-empty array");
    }
    for (const auto& i : body["instances"]) instances.push_back(i);
  } else {
    return invalid_argument("the body must hold \"image\" (base64) or \"instances\"");
  }
  json predictions = json::array();
  for (size_t i = 0; i < instances.size(); ++i) {
    const json& inst = instances[i];
    const std::string where = "instances[" + std::to_string(i) + "]";
    Result<json> p = invalid_argument("");
    if (inst.is_object() && inst.contains("b64")) {
      if (!inst["b64"].is_string()) return invalid_argument(where + ".b64 must be a base64 string");
      auto bytes = base64_decode(inst["b64"].get<std::string>());
      if (!bytes.is_ok()) return bytes.status().with_context(where);
      p = predict_image(model, *bytes, options);
    } else if (inst.is_array() || inst.is_number()) {
      auto input = numbers_to_input(model, inst);
      if (!input.is_ok()) return input.status().with_context(where);
      processing::ImageTransform identity;
      if (model.spec) {
        identity.original_width = identity.input_width = model.spec->pre.width;
        identity.original_height = identity.input_height = model.spec->pre.height;
      }
      p = run_and_describe(model, std::move(input).value(), identity, options);
    } else {
      return invalid_argument(where + " must be {\"b64\": ...} or an array of numbers");
    }
    if (!p.is_ok()) return p.status().with_context(where);
    predictions.push_back(std::move(p).value());
  }
  return json{{"model_name", model.name}, {"model_version", model.version}, {"predictions", std::move(predictions)}};
}

Result<std::string> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // '-' and '_': the URL-safe alphabet
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  size_t pos = 0;
  for (char c : text) {
    ++pos;
    if (c == '=' || c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    int v = value(c);
    if (v < 0) return invalid_argument("base64: unexpected character at position " + std::to_string(pos));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xffu));
    }
  }
  return out;
}

}  // namespace fogline::node

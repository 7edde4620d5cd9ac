// POST /predict and /v1/models/{m}/predict: an image (raw JPEG/PNG body or a multipart form
// field) or JSON, answered with labels or boxes decoded by the model's processing spec.
#include "node/serving/predict.h"
#include "node/serving/route.h"

namespace fogline::node {

namespace {

// Which model /predict means: ?model=NAME, or the only one served.
std::shared_ptr<const ServedModel> pick_model(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  if (!req.matches.empty() && req.matches.size() > 1 && !req.matches[1].str().empty()) {
    return find_model_or_reply(ctx, req.matches[1], "", res);
  }
  if (req.has_param("model")) return find_model_or_reply(ctx, req.get_param_value("model"), req.get_param_value("version"), res);
  auto names = ctx.models.names();
  if (names.size() == 1) return ctx.models.find(names[0]);
  std::string served;
  for (const auto& n : names) served += (served.empty() ? "" : ", ") + n;
  reply_error(res, 400, "this node serves " + std::to_string(names.size()) + " models (" + served +
                            "); name one with ?model=NAME or /v1/models/NAME/predict");
  return nullptr;
}

void predict(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  RequestRecord record(ctx.metrics, "predict", res);
  auto model = pick_model(ctx, req, res);
  if (!model) return;
  record.set_model(model->name);
  auto gate = admit_rental_or_reply(*model, res);
  if (!gate) return;
  PredictOptions options;
  const RunTap tap = ctx.shadows.tap_for(ctx.models, model);
  if (tap) options.tap = &tap;
  if (req.has_param("top_k")) {
    const std::string k = req.get_param_value("top_k");
    char* end = nullptr;
    long v = std::strtol(k.c_str(), &end, 10);
    if (k.empty() || *end != '\0' || v < 1 || v > 100000) {
      return reply_error(res, 400, "top_k must be a positive integer, got '" + k + "'");
    }
    options.top_k = static_cast<int>(v);
  }

  const std::string type = req.get_header_value("Content-Type");
  Result<nlohmann::json> out = invalid_argument("");
  if (req.is_multipart_form_data()) {
    // The field named "image" or "file", else the first one sent.
    const httplib::MultipartFormData* part = nullptr;
    for (const char* name : {"image", "file"}) {
      auto it = req.files.find(name);
      if (it != req.files.end()) {
        part = &it->second;
        break;
      }
    }
    if (!part && !req.files.empty()) part = &req.files.begin()->second;
    if (!part) return reply_error(res, 400, "the multipart form holds no field; send the image as field \"image\"");
    auto p = predict_image(*model, part->content, options);
    if (!p.is_ok()) return reply_status(res, p.status().with_context("field \"" + part->name + "\""));
    out = nlohmann::json{{"model_name", model->name}, {"model_version", model->version},
                         {"predictions", nlohmann::json::array({std::move(p).value()})}};
  } else if (type.rfind("application/json", 0) == 0) {
    auto body = parse_json_body(req);
    if (!body.is_ok()) return reply_status(res, body.status());
    out = predict_json(*model, *body, options);
  } else {
    auto p = predict_image(*model, req.body, options);
    if (!p.is_ok()) return reply_status(res, p.status());
    out = nlohmann::json{{"model_name", model->name}, {"model_version", model->version},
                         {"predictions", nlohmann::json::array({std::move(p).value()})}};
  }
  if (!out.is_ok()) return reply_status(res, out.status());
  if (!gate->commit(res)) return;
  reply_json(res, 200, *out);
}

}  // namespace

std::vector<Route> predict_routes() {
  return {
      {"POST", "/predict", predict},
      {"POST", "/v1/models/([^/:]+)(?::predict|/predict)", predict},
  };
}

}  // namespace fogline::node

// Routes over the registry: models, versions, history, metrics, promote, tags.
#include "hub/route.h"

namespace fogline::hub {
namespace {

std::string ref_of(const RouteRequest& req) { return req.path.at("model") + "@" + req.path.at("version"); }

Json artifact_json(const registry::ArtifactRef& a) {
  return {{"role", a.role}, {"digest", a.digest}, {"size_bytes", a.size_bytes}};
}

Json version_json(const registry::VersionRecord& v, bool full) {
  Json j = {{"model", v.model},       {"version", v.version},       {"ref", v.ref()},
            {"stage", registry::stage_name(v.stage)}, {"parent", v.parent}, {"tags", v.tags},
            {"created_by", v.created_by}, {"created_at", v.created_at}};
  if (full) {
    j["source_url"] = v.source_url;
    j["source_commit"] = v.source_commit;
    j["dataset_versions"] = v.dataset_versions;
    j["hyperparameters"] = v.hyperparameters;
    j["processing_spec"] = v.processing_spec;
    j["facts"] = v.facts;
    Json arts = Json::array();
    for (const auto& a : v.artifacts) arts.push_back(artifact_json(a));
    j["artifacts"] = arts;
  }
  return j;
}

}  // namespace

Result<Reply> handle_list_models(HubContext& ctx, const RouteRequest&) {
  FOGLINE_ASSIGN_OR_RETURN(auto models, ctx.registry->list_models());
  Json list = Json::array();
  for (const auto& m : models)
    list.push_back({{"name", m.name},
                    {"versions", m.versions},
                    {"latest", m.latest},
                    {"production", m.production},
                    {"created_at", m.created_at}});
  Reply r;
  r.json = {{"models", list}};
  return r;
}

Result<Reply> handle_list_versions(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(auto versions, ctx.registry->versions(req.path.at("model")));
  Json list = Json::array();
  for (const auto& v : versions) list.push_back(version_json(v, false));
  Reply r;
  r.json = {{"model", req.path.at("model")}, {"versions", list}};
  return r;
}

Result<Reply> handle_get_version(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(auto v, ctx.registry->get(ref_of(req)));
  Reply r;
  r.json = version_json(v, true);
  return r;
}

Result<Reply> handle_version_history(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(auto v, ctx.registry->get(ref_of(req)));
  FOGLINE_ASSIGN_OR_RETURN(auto entries, ctx.registry->history(v.ref()));
  Json list = Json::array();
  for (const auto& h : entries)
    list.push_back({{"id", h.id},
                    {"version", h.version},
                    {"kind", h.kind},
                    {"from_stage", h.from_stage},
                    {"to_stage", h.to_stage},
                    {"detail", h.detail},
                    {"actor", h.actor},
                    {"at", h.at}});
  Reply r;
  r.json = {{"ref", v.ref()}, {"history", list}};
  return r;
}

Result<Reply> handle_version_metrics(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(auto v, ctx.registry->get(ref_of(req)));
  FOGLINE_ASSIGN_OR_RETURN(auto records, ctx.registry->metrics(v.ref(), req.query_or("dataset")));
  Json list = Json::array();
  for (const auto& m : records)
    list.push_back({{"dataset", m.dataset},
                    {"dataset_version", m.dataset_version},
                    {"slice_key", m.slice.slice_key},
                    {"slice_value", m.slice.slice_value},
                    {"metrics", m.slice.metrics},
                    {"recorded_at", m.recorded_at}});
  Reply r;
  r.json = {{"ref", v.ref()}, {"metrics", list}};
  return r;
}

Result<Reply> handle_promote(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  if (!body.contains("stage") || !body["stage"].is_string()) return invalid_argument("field 'stage' (string) is required");
  FOGLINE_ASSIGN_OR_RETURN(registry::Stage stage, registry::parse_stage(body["stage"].get<std::string>()));
  FOGLINE_ASSIGN_OR_RETURN(auto v, ctx.registry->get(ref_of(req)));
  FOGLINE_ASSIGN_OR_RETURN(auto archived,
                           ctx.registry->promote(v.ref(), stage, body.value("note", std::string()), req.caller.actor()));
  Reply r;
  r.json = {{"ref", v.ref()},
            {"from", registry::stage_name(v.stage)},
            {"to", registry::stage_name(stage)},
            {"archived", archived}};
  return r;
}

Result<Reply> handle_tag(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(Json body, req.json_body());
  if (!body.contains("tag") || !body["tag"].is_string()) return invalid_argument("field 'tag' (string) is required");
  FOGLINE_ASSIGN_OR_RETURN(auto v, ctx.registry->get(ref_of(req)));
  std::string tag = body["tag"].get<std::string>();
  FOGLINE_TRY(ctx.registry->tag(v.ref(), tag, req.caller.actor()));
  Reply r;
  r.json = {{"ref", v.ref()}, {"tag", tag}};
  return r;
}

Result<Reply> handle_untag(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_TRY(ctx.registry->untag(req.path.at("model"), req.path.at("tag"), req.caller.actor()));
  Reply r;
  r.json = {{"model", req.path.at("model")}, {"removed", req.path.at("tag")}};
  return r;
}

}  // namespace fogline::hub

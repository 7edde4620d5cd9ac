// Bundle delivery: the stored bundle file, streamed with Range support by the server, and
// its sizes (full and delta) for the node's report of bytes saved.
#include "hub/bundle_cache.h"
#include "hub/hub_metrics.h"
#include "hub/route.h"

namespace fogline::hub {
namespace {

Result<StoredBundle> requested_bundle(HubContext& ctx, const RouteRequest& req) {
  std::string model = req.path.at("model"), version = req.path.at("version");
  FOGLINE_TRY(registry::check_model_name(model));
  std::string from = req.query_or("from");
  if (!from.empty()) FOGLINE_TRY(registry::check_version_name(from));
  return get_bundle(*ctx.registry, *ctx.hub_key, model + "@" + version, from);
}

}  // namespace

Result<Reply> handle_get_bundle(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(StoredBundle b, requested_bundle(ctx, req));
  Reply r;
  r.file_path = b.path;
  r.file_size = b.size;
  r.content_type = "application/vnd.fogline.bundle";
  r.headers["ETag"] = "\"" + b.digest + "\"";
  r.headers["X-Fogline-Bundle"] = b.model + "@" + b.version;
  r.headers["X-Fogline-Bundle-Encoding"] = b.delta ? "delta" : "full";
  r.headers["X-Fogline-Full-Size"] = std::to_string(b.full_size);
  if (b.delta) {
    // Counted per download started, not per resumed range, so a resume is not saved twice.
    if (ctx.counters && req.header("Range").empty() && b.full_size > b.size)
      ctx.counters->delta_bytes_saved += static_cast<uint64_t>(b.full_size - b.size);
    r.headers["X-Fogline-Delta-Base"] = b.base_version;
    r.headers["X-Fogline-Delta-Size"] = std::to_string(b.size);
  }
  return r;
}

Result<Reply> handle_bundle_info(HubContext& ctx, const RouteRequest& req) {
  FOGLINE_ASSIGN_OR_RETURN(StoredBundle b, requested_bundle(ctx, req));
  Reply r;
  r.json = {{"ref", b.model + "@" + b.version},
            {"encoding", b.delta ? "delta" : "full"},
            {"digest", b.digest},
            {"size", b.size},
            {"full_size", b.full_size},
            {"saved_bytes", b.full_size - b.size}};
  if (b.delta) r.json["base_version"] = b.base_version;
  return r;
}

}  // namespace fogline::hub

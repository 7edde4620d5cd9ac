// GET /metrics: the hub in Prometheus text format. One table of metric families, each a name,
// type, help text and a function that adds its samples; adding a family touches one line.
// Public by default (Prometheus scrapes without headers unless told otherwise); with
// --metrics-token the scraper sends `Authorization: Bearer TOKEN` (or any API token).
#include <functional>
#include <map>

#include "crypto/sodium.h"
#include "hub/api_tokens.h"
#include "hub/enrollment.h"
#include "hub/hub_ledger.h"
#include "hub/hub_metrics.h"
#include "hub/node_status.h"
#include "hub/route.h"
#include "hub/schema.h"
#include "store/database.h"

namespace fogline::hub {
namespace {

struct MetricFamily {
  const char* name;
  const char* type;
  const char* help;
  std::function<Status(HubContext&, Exposition&, const char* name)> samples;
};

Status node_gauges(HubContext& ctx, Exposition& out, const char* name, bool per_node) {
  FOGLINE_ASSIGN_OR_RETURN(auto nodes, list_nodes(ctx.registry->home().db()));
  int64_t now = unix_now();
  double ok = 0, quiet = 0;
  for (const auto& n : nodes) {
    if (per_node) out.sample(name, {{"node", n.id}, {"name", n.name}}, static_cast<double>(last_contact_unix(n)));
    (is_quiet(n, now, ctx.quiet_after_seconds) ? quiet : ok) += 1;
  }
  if (!per_node) {
    out.sample(name, {{"status", "ok"}}, ok);
    out.sample(name, {{"status", "quiet"}}, quiet);
  }
  return Status::ok();
}

Status deployment_gauges(HubContext& ctx, Exposition& out, const char* name) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, ctx.registry->home().db().query(
                                          "SELECT state, COUNT(*) FROM hub_deployments GROUP BY state"));
  // Every state appears, zero included, so a query over one state never sees a missing series.
  std::map<std::string, double> by_state = {
      {"canary", 0}, {"observing", 0}, {"promoted", 0}, {"rolled_back", 0}, {"failed", 0}};
  for (const auto& r : rows) by_state[r.s(0)] = static_cast<double>(r.i(1));
  for (const auto& [state, n] : by_state) out.sample(name, {{"state", state}}, n);
  return Status::ok();
}

Status counter(Exposition& out, const char* name, const std::atomic<uint64_t>& value) {
  out.sample(name, {}, static_cast<double>(value.load()));
  return Status::ok();
}

const std::vector<MetricFamily>& metric_families() {
  static const std::vector<MetricFamily> kFamilies = {
      {"fogline_hub_nodes", "gauge", "Enrolled nodes by status (quiet: nothing heard for longer than --quiet-after)",
       [](HubContext& c, Exposition& o, const char* n) { return node_gauges(c, o, n, false); }},
      {"fogline_hub_node_last_contact_seconds", "gauge",
       "Unix time of the node's last signed request (or enrollment); time() minus it is the silence",
       [](HubContext& c, Exposition& o, const char* n) { return node_gauges(c, o, n, true); }},
      {"fogline_hub_deployments", "gauge", "Deployments by state", deployment_gauges},
      {"fogline_hub_http_requests_total", "counter", "HTTP requests by route template, method and status",
       [](HubContext& c, Exposition& o, const char* n) {
         for (const auto& [key, count] : c.counters->requests())
           o.sample(n,
                    {{"route", std::get<0>(key)}, {"method", std::get<1>(key)}, {"status", std::to_string(std::get<2>(key))}},
                    static_cast<double>(count));
         return Status::ok();
       }},
      {"fogline_hub_telemetry_records_total", "counter", "Telemetry records stored (each (node, queue, seq) once)",
       [](HubContext& c, Exposition& o, const char* n) { return counter(o, n, c.counters->telemetry_records); }},
      {"fogline_hub_telemetry_duplicates_total", "counter", "Telemetry records received again and not counted twice",
       [](HubContext& c, Exposition& o, const char* n) { return counter(o, n, c.counters->telemetry_duplicates); }},
      {"fogline_hub_bundle_bytes_served_total", "counter", "Bundle bytes sent to nodes and users (full and delta)",
       [](HubContext& c, Exposition& o, const char* n) { return counter(o, n, c.counters->bundle_bytes_served); }},
      {"fogline_hub_delta_bytes_saved_total", "counter",
       "Bytes not sent because a delta was served instead of the full bundle",
       [](HubContext& c, Exposition& o, const char* n) { return counter(o, n, c.counters->delta_bytes_saved); }},
      {"fogline_hub_ledger_blocks", "gauge", "Blocks on the embedded orderer's chain (no sample without a ledger)",
       [](HubContext& c, Exposition& o, const char* n) {
         if (c.ledger) o.sample(n, {}, static_cast<double>(c.ledger->ledger->state().height));
         return Status::ok();
       }},
      {"fogline_hub_ledger_transactions", "gauge", "Transactions on the embedded orderer's chain",
       [](HubContext& c, Exposition& o, const char* n) {
         if (c.ledger) o.sample(n, {}, static_cast<double>(c.ledger->ledger->state().tx_count));
         return Status::ok();
       }},
  };
  return kFamilies;
}

// True when the request may read the metrics.
bool metrics_allowed(HubContext& ctx, const RouteRequest& req) {
  if (ctx.metrics_token.empty()) return true;
  std::string auth = req.header("Authorization");
  if (auth.rfind("Bearer ", 0) != 0) return false;
  std::string given = auth.substr(7);
  return crypto::same_secret(given, ctx.metrics_token) || authenticate_token(ctx.registry->home().db(), given).is_ok();
}

}  // namespace

Result<Reply> handle_metrics(HubContext& ctx, const RouteRequest& req) {
  Reply r;
  if (!metrics_allowed(ctx, req)) {
    r.status = 401;
    r.json = {{"error", "GET /metrics needs 'Authorization: Bearer <metrics token or API token>' (the hub runs with "
                        "--metrics-token)"}};
    return r;
  }
  Exposition out;
  for (const auto& f : metric_families()) {
    out.family(f.name, f.type, f.help);
    FOGLINE_TRY(f.samples(ctx, out, f.name));
  }
  r.text = out.text();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace fogline::hub

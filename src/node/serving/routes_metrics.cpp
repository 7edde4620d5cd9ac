// GET /metrics: Prometheus text exposition format 0.0.4.
#include "node/serving/route.h"

namespace fogline::node {

std::vector<Route> metrics_routes() {
  return {{"GET", "/metrics", [](const RouteContext& ctx, const httplib::Request&, httplib::Response& res) {
             res.status = 200;
             std::vector<shadow::ShadowView> shadows;
             for (const auto& s : ctx.models.shadows())
               shadows.push_back({s.model->name, s.model->version, s.stats->snapshot()});
             res.set_content(ctx.metrics.exposition() + shadow::exposition(shadows) + ctx.rentals.exposition(),
                             "text/plain; version=0.0.4; charset=utf-8");
           }}};
}

}  // namespace fogline::node

// Open Inference Protocol health: live once the process answers, ready when every served
// model is loaded (a node with no model is live but not ready). Never behind an API key, so
// orchestrators and load balancers can probe without secrets.
#include "core/version.h"
#include "node/serving/route.h"

namespace fogline::node {

std::vector<Route> health_routes() {
  return {
      {"GET", "/v2/health/live",
       [](const RouteContext&, const httplib::Request&, httplib::Response& res) { reply_json(res, 200, {{"live", true}}); }},
      {"GET", "/v2/health/ready",
       [](const RouteContext& ctx, const httplib::Request&, httplib::Response& res) {
         bool ready = !ctx.models.names().empty();
         if (ready) reply_json(res, 200, {{"ready", true}});
         else reply_error(res, 503, "no model loaded");
       }},
  };
}

}  // namespace fogline::node

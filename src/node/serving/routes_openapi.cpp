// GET /openapi.json: regenerated on each call, so it follows hot swaps.
#include "node/serving/openapi.h"
#include "node/serving/route.h"

namespace fogline::node {

std::vector<Route> openapi_routes() {
  return {{"GET", "/openapi.json", [](const RouteContext& ctx, const httplib::Request&, httplib::Response& res) {
             reply_json(res, 200, openapi_document(ctx.models.current(), !ctx.options.api_keys.empty()));
           }}};
}

}  // namespace fogline::node

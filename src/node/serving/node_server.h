// The node's HTTP server: the route table mounted on cpp-httplib's thread pool, API-key
// checks in front of every route but health, JSON errors for anything unrouted.
#pragma once

#include <httplib.h>

#include <memory>
#include <mutex>

#include "core/status.h"
#include "node/serving/model_table.h"
#include "node/serving/node_metrics.h"
#include "node/serving/route.h"

namespace fogline::node {

class NodeServer {
 public:
  explicit NodeServer(ServerOptions options);
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  ModelTable& models() { return models_; }
  NodeMetrics& metrics() { return metrics_; }
  rental::RentalRegistry& rentals() { return rentals_; }

  // Loads `source` and swaps it in; the replaced version stays loaded for rollback.
  Status load_and_swap(const ModelSource& source);
  // Swaps in an already loaded model.
  void swap_model(std::shared_ptr<const ServedModel> model);
  // Loads `source` as the shadow of its model (node/shadow/): it runs beside the current
  // version on copies of its requests and never answers one. Replaces any earlier shadow.
  Status load_shadow(const ModelSource& source);
  shadow::ShadowRunner& shadows() { return shadows_; }

  // Binds the listening socket; returns the port (the chosen one when options.port is 0).
  Result<int> bind();
  // Serves until stop(); returns an error when the server could not run.
  Status serve();
  void stop() { server_.stop(); }

 private:
  bool authorized(const httplib::Request& req) const;

  ServerOptions options_;
  // Before the models and routes, so it is destroyed after them: its last act is a final
  // signed report and a closed batch for every rental.
  rental::RentalRegistry rentals_;
  ModelTable models_;
  NodeMetrics metrics_;
  RouteContext context_;
  std::mutex load_mu_;  // one load at a time: loads are heavy, swaps are not
  httplib::Server server_;
  // Last, so its worker stops before the models and the server it reads go away.
  shadow::ShadowRunner shadows_;
};

}  // namespace fogline::node

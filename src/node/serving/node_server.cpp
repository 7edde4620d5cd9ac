#include "node/serving/node_server.h"

#include "crypto/sodium.h"

namespace fogline::node {

namespace {

// The one table of route families; a new family is one line here.
using RouteFamily = std::vector<Route> (*)();
constexpr RouteFamily kRouteFamilies[] = {health_routes,  v2_routes,      predict_routes,
                                          openapi_routes, metrics_routes, admin_routes,
                                          rental_routes};

bool is_open_path(const std::string& path) { return path.rfind("/v2/health/", 0) == 0; }

}  // namespace

NodeServer::NodeServer(ServerOptions options)
    : options_(std::move(options)),
      rentals_(options_.rental),
      context_{models_, metrics_, options_, [this](const ModelSource& s) { return load_and_swap(s); }, shadows_,
               [this](const ModelSource& s) { return load_shadow(s); }, rentals_} {
  const int threads = std::max(1, options_.http_threads);
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server_.set_payload_max_length(64u << 20);
  // Benchmarks and busy clients reuse connections; httplib's default closes after 5 requests.
  server_.set_keep_alive_max_count(100000);
  // httplib writes headers and body separately; with Nagle the body waits for the client's
  // delayed ACK (40 ms on Linux) on every keep-alive response.
  server_.set_tcp_nodelay(true);

  for (RouteFamily family : kRouteFamilies) {
    for (Route& r : family()) {
      auto handler = [this, h = std::move(r.handler)](const httplib::Request& req, httplib::Response& res) {
        h(context_, req, res);
      };
      if (std::string(r.method) == "GET") server_.Get(r.pattern, handler);
      else server_.Post(r.pattern, handler);
    }
  }
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (is_open_path(req.path) || authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    reply_error(res, 401, "an API key is required: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 404) reply_error(res, 404, "no route " + req.method + " " + req.path);
    else reply_error(res, res.status, "HTTP " + std::to_string(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "internal error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what += std::string(": ") + e.what();
    } catch (...) {
    }
    reply_error(res, 500, what);
  });
}

bool NodeServer::authorized(const httplib::Request& req) const {
  if (options_.api_keys.empty()) return true;
  std::string given = req.get_header_value("X-API-Key");
  const std::string auth = req.get_header_value("Authorization");
  if (given.empty() && auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
  if (given.empty()) return false;
  bool ok = false;
  for (const auto& k : options_.api_keys) ok |= crypto::same_secret(given, k);
  return ok;
}

Status NodeServer::load_and_swap(const ModelSource& source) {
  std::lock_guard<std::mutex> lock(load_mu_);
  std::shared_ptr<rental::RentalMeter> meter;
  if (!source.rental_file.empty()) {
    auto opened = rentals_.open(source.rental_file);
    if (!opened.is_ok()) return opened.status().with_context("model " + source.name);
    meter = *opened;
  }
  FOGLINE_ASSIGN_OR_RETURN(auto model, load_model(source, options_.load));
  if (meter) {
    auto rented = std::make_shared<ServedModel>(*model);
    rented->rental = std::move(meter);
    model = std::move(rented);
  }
  swap_model(std::move(model));
  return Status::ok();
}

void NodeServer::swap_model(std::shared_ptr<const ServedModel> model) {
  metrics_.model_loaded(model->name, model->version, model->load_seconds);
  std::string name = model->name;
  std::string replaced = models_.swap_model(std::move(model));
  if (!replaced.empty()) metrics_.model_swapped(name);
}

Status NodeServer::load_shadow(const ModelSource& source) {
  std::lock_guard<std::mutex> lock(load_mu_);
  FOGLINE_ASSIGN_OR_RETURN(auto model, load_model(source, options_.load));
  models_.set_shadow(std::move(model));
  return Status::ok();
}

Result<int> NodeServer::bind() {
  if (options_.port == 0) {
    int port = server_.bind_to_any_port(options_.host);
    if (port <= 0) return io_error("cannot listen on " + options_.host + " (any port)");
    options_.port = port;
    return port;
  }
  if (!server_.bind_to_port(options_.host, options_.port)) {
    return io_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                    " (in use, or not an address of this machine)");
  }
  return options_.port;
}

Status NodeServer::serve() {
  if (!server_.listen_after_bind()) return io_error("the HTTP server stopped with an error");
  return Status::ok();
}

}  // namespace fogline::node

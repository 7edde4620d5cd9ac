#include "hub/server.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/version.h"
#include "hub/api_tokens.h"
#include "hub/deployments.h"
#include "hub/hub_key.h"
#include "hub/hub_ledger.h"
#include "hub/hub_metrics.h"
#include "hub/route.h"
#include "hub/schema.h"
#include "hub/server.h"
#include "registry/open.h"

namespace fogline::hub {
namespace {

int http_status_for(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kUnsupported: return 501;
    case StatusCode::kOutOfRange: return 416;
    default: return 500;
  }
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(Json{{"error", message}}.dump(), "application/json");
}

// Splits the raw request target into the path and query the node signed.
void split_target(const std::string& target, std::string& path, std::string& query) {
  size_t q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string::npos ? "" : target.substr(q + 1);
}

}  // namespace

struct HubServer::Impl {
  ServerOptions options;
  registry::OpenRegistry opened;
  std::unique_ptr<crypto::Identity> key;
  std::unique_ptr<Deployments> deployments;
  std::unique_ptr<HubLedger> ledger;
  HubCounters counters;
  HubContext ctx;
  std::mutex mutex;  // one database connection: handlers take turns
  // Observe windows end without any request arriving: this thread evaluates the running
  // deployments every second.
  std::thread ticker;
  std::mutex ticker_mutex;
  std::condition_variable ticker_cv;
  bool ticker_stop = false;

  void run_ticker() {
    std::unique_lock<std::mutex> tl(ticker_mutex);
    while (!ticker_cv.wait_for(tl, std::chrono::milliseconds(500), [this] { return ticker_stop; })) {
      std::lock_guard<std::mutex> lock(mutex);
      Status st = deployments->tick();
      if (!st.is_ok()) std::fprintf(stderr, "fogline hub: evaluating deployments: %s\n", st.message().c_str());
    }
  }
  void stop_ticker() {
    {
      std::lock_guard<std::mutex> tl(ticker_mutex);
      ticker_stop = true;
    }
    ticker_cv.notify_all();
    if (ticker.joinable()) ticker.join();
  }
  std::unique_ptr<httplib::Server> server;
  std::string host;
  int port = 0;
  bool tls = false;

  // Authenticates per the route's Access; on failure fills `res` and returns false.
  bool authenticate(const Route& route, const httplib::Request& req, RouteRequest& rr, httplib::Response& res) {
    if (route.access.is_public()) return true;
    std::string auth = req.get_header_value("Authorization");
    bool signed_request = req.has_header("Signature") || req.has_header("Signature-Input");
    if (!auth.empty()) {
      if (!route.access.user) {
        send_error(res, 401, route.method + " " + route.path + " takes a node signature, not an API token");
        return false;
      }
      if (auth.rfind("Bearer ", 0) != 0) {
        send_error(res, 401, "Authorization must be 'Bearer <token>'");
        return false;
      }
      auto caller = authenticate_token(opened.home->db(), auth.substr(7));
      if (!caller.is_ok()) {
        send_error(res, 401, caller.status().message());
        return false;
      }
      if (!role_at_least(caller->role, *route.access.user)) {
        send_error(res, 403,
                   route.method + " " + route.path + " needs role " + role_name(*route.access.user) + ", token has " +
                       role_name(caller->role));
        return false;
      }
      rr.caller = *caller;
      return true;
    }
    if (signed_request) {
      if (!route.access.node) {
        send_error(res, 401, route.method + " " + route.path + " takes an API token, not a node signature");
        return false;
      }
      crypto::HttpRequestParts parts;
      parts.method = req.method;
      split_target(req.target, parts.path, parts.query);
      parts.body = req.body;
      SignedRequestHeaders h{req.get_header_value("Content-Digest"), req.get_header_value("Signature-Input"),
                             req.get_header_value("Signature")};
      auto caller = authenticate_node(opened.home->db(), parts, h, ctx.node_auth, unix_now());
      if (!caller.is_ok()) {
        send_error(res, 401, "node signature refused: " + caller.status().message());
        return false;
      }
      rr.caller = *caller;
      return true;
    }
    send_error(res, 401,
               "missing credentials: " + route.method + " " + route.path + " needs " + route.access.describe() +
                   (route.access.user ? " (Authorization: Bearer <token>)" : "") +
                   (route.access.node ? " (a node signature)" : ""));
    return false;
  }

  void dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) {
    handle(route, req, res);
    // Streamed bundles leave res.status for cpp-httplib to set (200, or 206 for a Range).
    int status = res.status > 0 ? res.status : (req.has_header("Range") ? 206 : 200);
    counters.count_request(route.path, route.method, status);
  }

  void handle(const Route& route, const httplib::Request& req, httplib::Response& res) {
    RouteRequest rr;
    std::vector<std::string> names = path_parameters(route.path);
    for (size_t i = 0; i < names.size() && i + 1 < req.matches.size(); ++i) rr.path[names[i]] = req.matches[i + 1];
    for (const auto& [k, v] : req.params) rr.query.emplace(k, v);
    for (const auto& [k, v] : req.headers) rr.headers.emplace(k, v);
    rr.body = req.body;
    std::unique_lock<std::mutex> lock(mutex);
    rr.lock = &lock;
    if (!authenticate(route, req, rr, res)) return;
    Result<Reply> reply = Status(StatusCode::kInternal, "handler threw");
    try {
      reply = route.handler(ctx, rr);
    } catch (const std::exception& e) {
      reply = internal_error(std::string("unexpected failure: ") + e.what());
    }
    lock.unlock();
    if (!reply.is_ok()) {
      send_error(res, http_status_for(reply.status().code()), reply.status().message());
      return;
    }
    for (const auto& [k, v] : reply->headers) res.set_header(k, v);
    if (!reply->text.empty()) {
      res.status = reply->status;
      res.set_content(reply->text, reply->content_type);
      return;
    }
    if (reply->file_path.empty()) {
      res.status = reply->status;
      res.set_content(reply->json.dump(2) + "\n", reply->content_type);
      return;
    }
    // Stored bundles never change under their digest, so the stream needs no lock; leaving
    // res.status unset lets cpp-httplib answer a Range request with 206 and Content-Range.
    res.set_header("Accept-Ranges", "bytes");
    std::string path = reply->file_path;
    auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
    if (!*file) {
      send_error(res, 500, "cannot open stored bundle " + path);
      return;
    }
    std::atomic<uint64_t>* served = &counters.bundle_bytes_served;
    res.set_content_provider(static_cast<size_t>(reply->file_size), reply->content_type,
                             [file, served](size_t offset, size_t length, httplib::DataSink& sink) {
                               std::vector<char> buf(std::min<size_t>(length, 1 << 16));
                               file->clear();
                               file->seekg(static_cast<std::streamoff>(offset));
                               file->read(buf.data(), static_cast<std::streamsize>(buf.size()));
                               std::streamsize got = file->gcount();
                               if (got <= 0) return false;
                               if (!sink.write(buf.data(), static_cast<size_t>(got))) return false;
                               *served += static_cast<uint64_t>(got);
                               return true;
                             });
  }
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubServer::~HubServer() {
  if (impl_) impl_->stop_ticker();
}

Result<std::unique_ptr<HubServer>> HubServer::open(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos) return invalid_argument("--listen '" + options.listen + "' is not HOST:PORT");
  impl->host = options.listen.substr(0, colon);
  try {
    impl->port = std::stoi(options.listen.substr(colon + 1));
  } catch (const std::exception&) {
    return invalid_argument("--listen '" + options.listen + "' has no numeric port");
  }
  if ((options.tls_cert.empty()) != (options.tls_key.empty()))
    return invalid_argument("--tls-cert and --tls-key go together");
  FOGLINE_ASSIGN_OR_RETURN(impl->opened, registry::open_registry(options.home));
  FOGLINE_TRY(apply_hub_migrations(impl->opened.home->db()));
  FOGLINE_ASSIGN_OR_RETURN(crypto::Identity key, load_or_create_hub_key(impl->opened.home->dir(), options.key_seal));
  impl->key = std::make_unique<crypto::Identity>(std::move(key));
  impl->ctx.registry = impl->opened.registry.get();
  impl->ctx.hub_key = impl->key.get();
  impl->ctx.node_auth.window_seconds = options.signature_window_seconds;
  impl->ctx.version = kVersion;
  impl->deployments = std::make_unique<Deployments>(*impl->opened.registry, *impl->key, unix_now);
  FOGLINE_TRY(impl->deployments->load());
  // Long-polls may hold at most half the request threads, so signed reports, bundle
  // downloads and user requests always find a free one (docs/hub.md, "thread budget").
  impl->deployments->set_max_waiters(options.threads / 2);
  impl->ctx.deployments = impl->deployments.get();
  impl->ctx.counters = &impl->counters;
  if (options.quiet_after_seconds <= 0)
    return invalid_argument("--quiet-after must be positive, got " + std::to_string(options.quiet_after_seconds));
  impl->ctx.quiet_after_seconds = options.quiet_after_seconds;
  impl->ctx.metrics_token = options.metrics_token;
  // A secret is better kept out of the process list: the environment is the alternative.
  if (const char* env = std::getenv("FOGLINE_HUB_METRICS_TOKEN"); env && impl->ctx.metrics_token.empty())
    impl->ctx.metrics_token = env;
  // The embedded ledger orderer (hub_ledger.h), when a ledger home is given.
  std::string ledger_home = options.ledger_home;
  if (const char* env = std::getenv("FOGLINE_HUB_LEDGER_HOME"); env && ledger_home.empty()) ledger_home = env;
  if (!ledger_home.empty()) {
    auto opened_ledger = open_hub_ledger(ledger_home);
    if (!opened_ledger.is_ok()) return opened_ledger.status().with_context("--ledger-home " + ledger_home);
    impl->ledger = std::move(opened_ledger).value();
    impl->ctx.ledger = impl->ledger.get();
    std::fprintf(stderr, "fogline hub: ledger '%s' at height %llu, ordered here (%s)\n",
                 impl->ledger->ledger->state().chain_name.c_str(),
                 (unsigned long long)impl->ledger->ledger->state().height, ledger_home.c_str());
  }
  if (!options.tls_cert.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid())
      return invalid_argument("cannot use TLS certificate " + options.tls_cert + " / key " + options.tls_key);
    impl->server = std::move(ssl);
    impl->tls = true;
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  int threads = options.threads;
  impl->server->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  impl->server->set_payload_max_length(64u << 20);
  Impl* self = impl.get();
  for (const Route& route : route_table()) {
    auto handler = [self, &route](const httplib::Request& req, httplib::Response& res) { self->dispatch(route, req, res); };
    std::string pattern = path_regex(route.path);
    if (route.method == "GET") impl->server->Get(pattern, handler);
    else if (route.method == "POST") impl->server->Post(pattern, handler);
    else if (route.method == "DELETE") impl->server->Delete(pattern, handler);
    else if (route.method == "PUT") impl->server->Put(pattern, handler);
    else return internal_error("route table: unsupported method " + route.method);
  }
  impl->server->set_error_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      // Unmatched paths share one label value, so scanners cannot grow the series count.
      self->counters.count_request("(unmatched)", req.method, 404);
      res.set_content(Json{{"error", "no route " + req.method + " " + req.path}}.dump(), "application/json");
    }
  });
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

Result<int> HubServer::bind() {
  if (impl_->port == 0) {
    int port = impl_->server->bind_to_any_port(impl_->host);
    if (port <= 0) return io_error("cannot bind " + impl_->host + " on any port");
    impl_->port = port;
  } else if (!impl_->server->bind_to_port(impl_->host, impl_->port)) {
    return io_error("cannot listen on " + impl_->options.listen + " (in use?)");
  }
  return impl_->port;
}

Status HubServer::serve() {
  if (!impl_->ticker.joinable()) impl_->ticker = std::thread([this] { impl_->run_ticker(); });
  if (!impl_->server->listen_after_bind()) return io_error("server on " + url() + " stopped with an error");
  return Status::ok();
}

void HubServer::stop() {
  impl_->stop_ticker();
  {
    // Wakes long-polls so the thread pool can drain.
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->deployments->shutdown();
  }
  impl_->server->stop();
}

std::string HubServer::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://" + impl_->host + ":" + std::to_string(impl_->port);
}

}  // namespace fogline::hub

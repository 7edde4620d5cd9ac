// The hub's HTTP(S) server: opens the home and registry, applies the hub's migrations, loads
// (or makes) the hub key, registers every route of route_table() with its access check, and
// serves until stop().
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/home.h"

namespace fogline::hub {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  store::HomeOptions home;
  std::string tls_cert, tls_key;  // both set: HTTPS
  int64_t signature_window_seconds = 300;
  int threads = 8;
  int64_t quiet_after_seconds = 60;  // a node not heard from for longer is "quiet"
  std::string metrics_token;         // set: GET /metrics wants it as a bearer token
                                     // (empty: $FOGLINE_HUB_METRICS_TOKEN, if set)
  std::string ledger_home;  // set: the embedded ledger orderer on HOME/ledger (hub_ledger.h)
                            // (empty: $FOGLINE_HUB_LEDGER_HOME, if set; else no ledger)
  std::string key_seal;     // how a new hub.key is protected: passphrase | os | "" (hub_key.h)
};

class HubServer {
 public:
  static Result<std::unique_ptr<HubServer>> open(const ServerOptions& options);
  ~HubServer();

  // Binds; returns the port (useful with port 0).
  Result<int> bind();
  // Serves until stop() (blocking).
  Status serve();
  void stop();
  std::string url() const;

 private:
  struct Impl;
  explicit HubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fogline::hub

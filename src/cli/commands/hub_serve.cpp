// fogline hub [--listen 127.0.0.1:8080] [--home DIR | --db URL] [--tls-cert F --tls-key F]:
// the control-plane server (src/hub). Prints the URL it listens on (port 0 picks a free one)
// and stops cleanly on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/command.h"
#include "cli/commands/seal_option.h"
#include "hub/server.h"

namespace fogline::cli {
namespace {

class HubServeCommand : public Command {
 public:
  const char* name() const override { return "hub"; }
  const char* summary() const override { return "Run the hub: the REST API over the registry, enrollment and bundles"; }
  void configure(CLI::App& app) override {
    app.add_option("--listen", options_.listen, "HOST:PORT to listen on (port 0: any free port)")
        ->default_val("127.0.0.1:8080");
    app.add_option("--home", options_.home.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", options_.home.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_option("--tls-cert", options_.tls_cert, "PEM certificate: serve HTTPS");
    app.add_option("--tls-key", options_.tls_key, "PEM private key of --tls-cert");
    app.add_option("--signature-window", options_.signature_window_seconds,
                   "seconds a node's signed request may be early or late")
        ->default_val(300);
    app.add_option("--threads", options_.threads, "request threads")->default_val(8);
    app.add_option("--quiet-after", options_.quiet_after_seconds,
                   "seconds without contact after which a node counts as quiet")
        ->default_val(60);
    app.add_option("--metrics-token", options_.metrics_token,
                   "bearer token GET /metrics wants (default: /metrics is public)");
    app.add_option("--ledger-home", options_.ledger_home,
                   "run the ledger's embedded orderer on HOME/ledger (default $FOGLINE_HUB_LEDGER_HOME; orderer key "
                   "passphrase $FOGLINE_PASSPHRASE, or none when it is sealed by the OS)");
    add_seal_option(app, &options_.key_seal, "a new hub key (HOME/hub/hub.key)", "FOGLINE_HUB_PASSPHRASE");
  }
  int run() override {
    // Signals are taken by one thread with sigwait, so stop() runs outside a signal handler.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A node that drops its connection mid-download must not kill the hub (TLS writes do not
    // use MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    auto server = hub::HubServer::open(options_);
    if (!server.is_ok()) return fail(server.status().message());
    auto port = (*server)->bind();
    if (!port.is_ok()) return fail(port.status().message());
    std::printf("fogline hub listening on %s\n", (*server)->url().c_str());
    std::fflush(stdout);
    hub::HubServer* raw = server->get();
    std::thread waiter([set, raw] {
      int sig = 0;
      sigwait(&set, &sig);
      raw->stop();
    });
    waiter.detach();
    Status served = (*server)->serve();
    if (!served.is_ok()) return fail(served.message());
    std::printf("fogline hub stopped\n");
    return 0;
  }

 private:
  hub::ServerOptions options_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(HubServeCommand);

}  // namespace fogline::cli

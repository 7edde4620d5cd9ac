// fogline-node: the edge agent's process. `serve` answers inference over HTTP for the models
// given on the command line (or in a models file re-read on SIGHUP). Without a subcommand it
// is the agent: `--hub URL --enroll TOKEN --data-dir D` enrolls once, and `--data-dir D`
// serves the models the hub wants (agent/agent_loop.h), from D alone while the hub is away.
#include <CLI/CLI.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "core/version.h"
#include "crypto/key_file.h"
#include "node/agent/agent_loop.h"
#include "node/agent/enroll.h"
#include "node/serving/node_server.h"

namespace {

using fogline::node::ModelSource;

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

// One --model argument per line; blank lines and '#' comments skipped.
fogline::Result<std::vector<ModelSource>> read_models_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fogline::io_error("cannot read the models file " + path);
  std::vector<ModelSource> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    size_t a = line.find_first_not_of(" \t\r");
    if (a == std::string::npos || line[a] == '#') continue;
    size_t b = line.find_last_not_of(" \t\r");
    auto s = fogline::node::parse_model_source(line.substr(a, b - a + 1));
    if (!s.is_ok()) return s.status().with_context(path + ":" + std::to_string(n));
    out.push_back(*s);
  }
  return out;
}

bool parse_listen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  try {
    size_t used = 0;
    *port = std::stoi(text.substr(colon + 1), &used);
    return used == text.size() - colon - 1 && *port >= 0 && *port <= 65535;
  } catch (const std::exception&) {
    return false;
  }
}

struct RentalArgs {
  std::string key_file, meter_root;
  double report_seconds = 60;
  uint32_t batch_reports = 32;
};

int serve(const std::string& listen, const std::vector<std::string>& model_args, const std::string& models_file,
          const std::vector<std::string>& shadow_args, const std::vector<std::string>& api_keys, int http_threads,
          int engine_threads, const RentalArgs& rental) {
  fogline::node::ServerOptions options;
  // Rented models (node/rental/): the node's key signs their usage reports.
  if (!rental.key_file.empty()) {
    auto identity = fogline::crypto::load_key_file(rental.key_file, fogline::node::agent::node_passphrase());
    if (!identity.is_ok())
      return fail("--key: " + identity.status().message() + " (the passphrase comes from $FOGLINE_NODE_PASSPHRASE)");
    options.rental.identity = std::make_shared<const fogline::crypto::Identity>(std::move(identity).value());
  }
  options.rental.meter_root = rental.meter_root;
  options.rental.report_seconds = rental.report_seconds;
  options.rental.meter.batch_reports = rental.batch_reports;
  if (!parse_listen(listen, &options.host, &options.port)) {
    return fail("--listen '" + listen + "': expected HOST:PORT (PORT 0 picks a free one)");
  }
  options.http_threads = http_threads;
  options.load.engine_threads = engine_threads;
  options.api_keys = api_keys;
  for (const auto& k : api_keys) {
    if (k.empty()) return fail("--api-key: a key may not be empty");
  }

  std::vector<ModelSource> sources;
  for (const auto& m : model_args) {
    auto s = fogline::node::parse_model_source(m);
    if (!s.is_ok()) return fail(s.status().message());
    sources.push_back(*s);
  }
  if (!models_file.empty()) {
    auto more = read_models_file(models_file);
    if (!more.is_ok()) return fail(more.status().message());
    sources.insert(sources.end(), more->begin(), more->end());
  }
  if (sources.empty()) return fail("no model to serve: give --model NAME=PATH.onnx or --models-file");

  // Signals are taken by one thread with sigwait, so handlers never run inside httplib.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  fogline::node::NodeServer server(options);
  std::map<std::string, ModelSource> loaded;
  for (const auto& s : sources) {
    if (loaded.count(s.name)) return fail("model '" + s.name + "' is given twice");
    fogline::Status st = server.load_and_swap(s);
    if (!st.is_ok()) return fail(st.message());
    loaded[s.name] = s;
    auto m = server.models().find(s.name);
    std::fprintf(stderr, "loaded %s version %s from %s in %.1f ms\n", s.name.c_str(), s.version.c_str(),
                 s.path.c_str(), m->load_seconds * 1000);
  }
  for (const auto& text : shadow_args) {
    auto s = fogline::node::parse_model_source(text);
    if (!s.is_ok()) return fail("--shadow: " + s.status().message());
    if (!loaded.count(s->name)) return fail("--shadow '" + text + "': no --model named '" + s->name + "' to shadow");
    fogline::Status st = server.load_shadow(*s);
    if (!st.is_ok()) return fail(st.message());
    std::fprintf(stderr, "shadowing %s with version %s from %s\n", s->name.c_str(), s->version.c_str(), s->path.c_str());
  }
  auto port = server.bind();
  if (!port.is_ok()) return fail(port.status().message());
  // Tests and scripts read the port from this line (with --listen HOST:0).
  std::printf("fogline-node listening on http://%s:%d\n", options.host.c_str(), *port);
  std::fflush(stdout);

  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        // Re-read the models file; swap in every entry that changed. The old version stays loaded.
        if (models_file.empty()) continue;
        auto now = read_models_file(models_file);
        if (!now.is_ok()) {
          std::fprintf(stderr, "SIGHUP: %s\n", now.status().message().c_str());
          continue;
        }
        for (const auto& s : *now) {
          auto it = loaded.find(s.name);
          if (it != loaded.end() && it->second == s) continue;
          fogline::Status st = server.load_and_swap(s);
          if (!st.is_ok()) std::fprintf(stderr, "SIGHUP: %s (still serving the previous version)\n", st.message().c_str());
          else loaded[s.name] = s, std::fprintf(stderr, "SIGHUP: swapped in %s version %s\n", s.name.c_str(), s.version.c_str());
        }
        continue;
      }
      server.stop();
      return;
    }
  });
  fogline::Status st = server.serve();
  // serve() also returns when the server fails; wake the signal thread so it can end.
  if (signal_thread.joinable()) {
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
  }
  if (!st.is_ok()) return fail(st.message());
  return 0;
}

struct AgentArgs {
  std::string hub, token, data_dir, name;
  std::string listen = "127.0.0.1:8081";
  std::vector<std::string> api_keys;
  int http_threads = 8, engine_threads = 1;
  int poll_wait = 30;
  double report_interval = 10;
};

int run_agent(const AgentArgs& a) {
  namespace agent = fogline::node::agent;
  if (a.data_dir.empty()) return fail("--data-dir is required (or use `fogline-node serve`)");
  if (!a.token.empty()) {
    if (a.hub.empty()) return fail("--enroll needs --hub URL");
    agent::EnrollOptions eo;
    eo.name = a.name;
    auto st = agent::enroll(a.hub, a.token, a.data_dir, eo);
    if (!st.is_ok()) return fail(st.status().message());
    std::fprintf(stderr, "enrolled as %s with %s\n", st->node_id.c_str(), st->hub_url.c_str());
  } else if (!a.hub.empty()) {
    return fail("--hub is only used with --enroll; afterwards the hub URL comes from " + agent::node_state_path(a.data_dir));
  }
  auto state = agent::load_node_state(a.data_dir);
  if (!state.is_ok()) return fail(state.status().message() + " (enroll first: --hub URL --enroll TOKEN --data-dir D)");
  auto identity = agent::load_node_identity(a.data_dir);
  if (!identity.is_ok()) return fail(identity.status().message());

  fogline::node::ServerOptions options;
  if (!parse_listen(a.listen, &options.host, &options.port))
    return fail("--listen '" + a.listen + "': expected HOST:PORT (PORT 0 picks a free one)");
  options.http_threads = a.http_threads;
  options.load.engine_threads = a.engine_threads;
  options.api_keys = a.api_keys;
  // Rented models (docs/node.md): terms in DATA/rentals/MODEL.json, meters in
  // DATA/rentals/RENTAL_ID, usage reports signed with the node's own key (its ledger account).
  options.rental.identity = std::make_shared<const fogline::crypto::Identity>(*identity);
  options.rental.meter_root = a.data_dir + "/rentals";

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  fogline::node::NodeServer server(options);
  agent::AgentOptions ao;
  ao.poll_wait_seconds = a.poll_wait;
  ao.report_interval_seconds = a.report_interval;
  agent::AgentLoop loop(a.data_dir, *state, std::move(*identity), server, ao);
  // The last activated models serve before the hub is asked anything.
  fogline::Status restored = loop.restore();
  if (!restored.is_ok()) return fail(restored.message());
  auto port = server.bind();
  if (!port.is_ok()) return fail(port.status().message());
  std::printf("fogline-node listening on http://%s:%d\n", options.host.c_str(), *port);
  std::fflush(stdout);
  std::fprintf(stderr, "node %s, hub %s\n", state->node_id.c_str(), state->hub_url.c_str());
  loop.start();

  std::thread signal_thread([&] {
    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    server.stop();
  });
  fogline::Status st = server.serve();
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (!loop.stop(2)) {
    // A long-poll is still out at the hub; everything durable is on disk already.
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(st.is_ok() ? 0 : 1);
  }
  if (!st.is_ok()) return fail(st.message());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fogline-node: the Fogline edge agent"};
  app.set_version_flag("--version", std::string("fogline-node ") + fogline::kVersion);
  app.require_subcommand(0, 1);

  AgentArgs agent_args;
  app.add_option("--hub", agent_args.hub, "hub URL, with --enroll");
  app.add_option("--enroll", agent_args.token, "one-time enrollment token (fogline node token create)");
  app.add_option("--data-dir", agent_args.data_dir, "the node's data directory (key, state, models, telemetry)");
  app.add_option("--name", agent_args.name, "the node's name on the hub, with --enroll");
  app.add_option("--listen", agent_args.listen, "HOST:PORT to serve on (PORT 0: any free port)")->capture_default_str();
  app.add_option("--api-key", agent_args.api_keys, "require this key for inference; repeatable");
  app.add_option("--threads", agent_args.http_threads, "HTTP worker threads")->capture_default_str()->check(CLI::Range(1, 1024));
  app.add_option("--engine-threads", agent_args.engine_threads, "engine threads per request (0: all cores)")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  app.add_option("--poll-wait", agent_args.poll_wait, "seconds the hub may hold a desired-state long-poll")
      ->capture_default_str()->check(CLI::Range(1, 60));
  app.add_option("--report-interval", agent_args.report_interval, "seconds between metric reports and telemetry rounds")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));

  std::string listen = "127.0.0.1:8081", models_file;
  std::vector<std::string> models, api_keys, shadows;
  int http_threads = 8, engine_threads = 1;
  // `serve` keeps its own options (the top-level ones belong to the agent).
  CLI::App* serve_cmd = app.add_subcommand("serve", "answer inference over HTTP (Open Inference Protocol v2, /predict)");
  serve_cmd->add_option("--listen", listen, "HOST:PORT to listen on (PORT 0: any free port)")->capture_default_str();
  serve_cmd->add_option("--model", models, "NAME=PATH.onnx[,spec=SPEC.json][,preset=P][,version=V] (repeatable)");
  serve_cmd->add_option("--models-file", models_file, "one --model value per line; re-read on SIGHUP");
  serve_cmd->add_option("--shadow", shadows,
                        "NAME=PATH.onnx[,spec=..][,version=V]: run beside model NAME on copies of its requests, "
                        "compared, never answering (repeatable)");
  serve_cmd->add_option("--api-key", api_keys, "require this key (Authorization: Bearer KEY or X-API-Key); repeatable");
  serve_cmd->add_option("--threads", http_threads, "HTTP worker threads (each holds one connection)")->capture_default_str()->check(CLI::Range(1, 1024));
  serve_cmd->add_option("--engine-threads", engine_threads, "engine threads per request (0: all cores)")->capture_default_str()->check(CLI::Range(0, 1024));

  RentalArgs rental;
  serve_cmd->add_option("--key", rental.key_file,
                        "the node's key file (passphrase $FOGLINE_NODE_PASSPHRASE): signs rented models' usage reports");
  serve_cmd->add_option("--rental-dir", rental.meter_root,
                        "keep rented models' counters and reports in DIR/RENTAL_ID (default: TERMS.meter beside the terms)");
  serve_cmd->add_option("--rental-report-interval", rental.report_seconds, "seconds between signed usage reports")
      ->capture_default_str()->check(CLI::Range(0.05, 86400.0));
  serve_cmd->add_option("--rental-batch", rental.batch_reports, "usage reports per batch file (one settlement each)")
      ->capture_default_str()->check(CLI::Range(1, 100000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*serve_cmd)
      return serve(listen, models, models_file, shadows, api_keys, http_threads, engine_threads, rental);
    return run_agent(agent_args);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 1;
}

// What the fleet tests share: a real `fogline hub` and real `fogline-node` agents on loopback,
// each a child process whose first stdout line names its URL and whose stderr goes to a log
// file (shown when a test fails), plus the `fogline` CLI run to completion.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/child_process.h"

namespace fogline::node::testing {

std::string fogline_binary();

// A child process started with `args`; its first stdout line must start with `prefix`, the
// rest of that line is the URL. Stopped with SIGTERM (SIGKILL after 5 s) on destruction.
class ServiceProcess {
 public:
  ServiceProcess() = default;
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;
  ~ServiceProcess() { stop(); }

  // False (with error() saying why) when the process did not print its URL within 60 s.
  bool start(std::vector<std::string> args, const std::string& prefix, const std::string& log_file);
  // Starts a process that prints no URL (stdout and stderr both go to the log file).
  bool launch(std::vector<std::string> args, const std::string& log_file);
  // False once the process has exited (it is then reaped).
  bool alive() { return child_.alive(); }
  // SIGTERM, then SIGKILL; returns the exit status as waitpid gives it (-1 if never started).
  int stop() { return child_.stop(); }
  // SIGTERM without waiting (stop() then waits), so several processes wind down together.
  void terminate() const { child_.signal(SIGTERM); }
  bool running() const { return child_.running(); }
  pid_t pid() const { return child_.pid(); }
  const std::string& url() const { return url_; }
  int port() const;
  const std::string& error() const { return error_; }
  // The last `bytes` of the log file.
  std::string log_tail(size_t bytes = 4000) const;

 private:
  testing_support::ChildProcess child_;
  std::string url_, error_, log_file_;
};

// `fogline ARGS...` to completion. Exit code, stdout and stderr.
struct CliResult {
  int exit_code = -1;
  std::string out, err;
};
CliResult run_fogline(const std::vector<std::string>& args);

// Polls `ok` every 100 ms until it holds or `seconds` pass; the last answer.
bool wait_until(const std::function<bool()>& ok, double seconds);

// A loopback port that was free a moment ago (for programs that cannot take port 0).
int pick_free_port();

// A plain HTTP request to a loopback URL; status 0 when there was no answer.
struct HttpAnswer {
  int status = 0;
  std::string body;
  double ms = 0;  // wall time of the request
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};
HttpAnswer http_get(const std::string& url, const std::string& target, const std::string& bearer = "");
HttpAnswer http_post(const std::string& url, const std::string& target, const std::string& body,
                     const std::string& bearer = "");

// A home with a hub token, the hub on a free port, and enrolled nodes on free ports, each
// started as `fogline-node --data-dir D` with short poll and report intervals.
class Fleet {
 public:
  explicit Fleet(std::string dir) : dir_(std::move(dir)), home_(dir_ + "/home") {}
  ~Fleet();

  const std::string& home() const { return home_; }
  // `fogline ARGS... --home H`, expecting exit 0; stdout, trimmed. Failures are test failures.
  std::string cli(std::vector<std::string> args);
  // Makes the developer token and starts the hub. Call after importing models.
  // `extra`: more hub flags (e.g. --ledger-home DIR).
  bool start_hub(const std::vector<std::string>& extra = {});
  ServiceProcess& hub() { return *hub_; }
  const std::string& developer_token() const { return developer_; }

  // Enrolls a node with `labels` and starts it; its index in nodes(). -1 on failure.
  int add_node(const std::string& labels);
  ServiceProcess& node(int i) { return *nodes_[i].process; }
  const std::string& node_id(int i) const { return nodes_[i].id; }
  const std::string& data_dir(int i) const { return nodes_[i].data_dir; }
  size_t size() const { return nodes_.size(); }

  // `fogline deploy ARGS... --json --hub URL --token T`; the deployment (null on failure).
  nlohmann::json deploy(std::vector<std::string> args);
  // The deployment's state from `fogline deploy status ID --json`.
  nlohmann::json deployment(int64_t id);
  // `fogline deploy promote|rollback ID`; its stdout (a failure is a test failure).
  std::string deploy_action(const std::string& verb, int64_t id);
  // The `detail.event` of each `deployment` entry of MODEL@VERSION's history (hub REST API),
  // as "event by actor" when `with_actor`.
  std::vector<std::string> history_events(const std::string& model, const std::string& version, bool with_actor = false);
  // The logs of the hub and every node, for a failure message.
  std::string logs() const;

 private:
  struct Node {
    std::string data_dir, id;
    std::unique_ptr<ServiceProcess> process;
  };
  std::string dir_, home_, developer_;
  std::unique_ptr<ServiceProcess> hub_;
  std::vector<Node> nodes_;
};

}  // namespace fogline::node::testing

#include "fleet_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/file_util.h"
#include "node_fixtures.h"

extern char** environ;

namespace fogline::node::testing {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string fogline_binary() { return std::string(FOGLINE_BINARY_DIR) + "/fogline"; }

namespace {

std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

bool ServiceProcess::start(std::vector<std::string> args, const std::string& prefix, const std::string& log_file) {
  log_file_ = log_file;
  url_.clear();
  // Loading may take a while under sanitizers: start_and_read waits up to 60 s for the URL.
  auto url = child_.start_and_read(std::move(args), prefix, {.log_file = log_file});
  if (!url) {
    error_ = child_.error() + "; log:\n" + log_tail();
    return false;
  }
  url_ = *url;
  return true;
}

bool ServiceProcess::launch(std::vector<std::string> args, const std::string& log_file) {
  log_file_ = log_file;
  url_.clear();
  bool ok = child_.spawn(std::move(args), {.log_file = log_file, .stdout_to_log = true});
  if (!ok) error_ = child_.error();
  return ok;
}

int ServiceProcess::port() const { return std::atoi(url_.substr(url_.rfind(':') + 1).c_str()); }

std::string ServiceProcess::log_tail(size_t bytes) const {
  auto text = read_file(log_file_);
  if (!text.is_ok()) return "";
  return text->size() > bytes ? text->substr(text->size() - bytes) : *text;
}

CliResult run_fogline(const std::vector<std::string>& args) {
  CliResult result;
  std::vector<std::string> all = {fogline_binary()};
  all.insert(all.end(), args.begin(), args.end());
  int out[2], err[2];
  if (pipe(out) != 0) return result;
  if (pipe(err) != 0) {
    close(out[0]);
    close(out[1]);
    return result;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  auto argv = argv_of(all);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    result.err = "cannot start " + all[0];
    return result;
  }
  // Both pipes are drained together so that neither fills up and blocks the child.
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, 1000) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool wait_until(const std::function<bool()>& ok, double seconds) {
  auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ok();
}

int pick_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

namespace {

HttpAnswer http_call(const std::string& url, const std::string& method, const std::string& target,
                     const std::string& body, const std::string& bearer) {
  httplib::Client c(url);
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(30, 0);
  httplib::Headers headers;
  if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
  auto t0 = Clock::now();
  auto r = method == "GET" ? c.Get(target.c_str(), headers) : c.Post(target.c_str(), headers, body, "application/json");
  HttpAnswer a;
  a.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (!r) return a;
  a.status = r->status;
  a.body = r->body;
  return a;
}

}  // namespace

HttpAnswer http_get(const std::string& url, const std::string& target, const std::string& bearer) {
  return http_call(url, "GET", target, "", bearer);
}

HttpAnswer http_post(const std::string& url, const std::string& target, const std::string& body,
                     const std::string& bearer) {
  return http_call(url, "POST", target, body, bearer);
}

Fleet::~Fleet() {
  // Nodes first (they would only retry against a hub that is gone), all at once: each takes
  // a moment to send its last telemetry.
  for (auto& n : nodes_)
    if (n.process) n.process->terminate();
  for (auto& n : nodes_)
    if (n.process) n.process->stop();
  if (hub_) hub_->stop();
}

std::string Fleet::cli(std::vector<std::string> args) {
  args.insert(args.end(), {"--home", home_});
  CliResult r = run_fogline(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(r.exit_code, 0) << "fogline" << cmd << "\n" << r.out << r.err;
  return trimmed(r.out);
}

bool Fleet::start_hub(const std::vector<std::string>& extra) {
  developer_ = cli({"hub", "token", "create", "--role", "developer", "--name", "fleet-test"});
  if (developer_.empty()) return false;
  hub_ = std::make_unique<ServiceProcess>();
  std::vector<std::string> args = {fogline_binary(), "hub", "--listen", "127.0.0.1:0", "--home", home_};
  args.insert(args.end(), extra.begin(), extra.end());
  bool ok = hub_->start(args, "fogline hub listening on ", dir_ + "/hub.log");
  EXPECT_TRUE(ok) << hub_->error();
  return ok;
}

int Fleet::add_node(const std::string& labels) {
  std::string token = cli({"node", "token", "create", "--labels", labels});
  if (token.empty()) return -1;
  Node n;
  int index = static_cast<int>(nodes_.size());
  n.data_dir = dir_ + "/node" + std::to_string(index);
  n.process = std::make_unique<ServiceProcess>();
  // Enrolled and running in one start; short intervals so a rollout takes seconds.
  bool ok = n.process->start({node_binary(), "--hub", hub_->url(), "--enroll", token, "--data-dir", n.data_dir, "--listen",
                              "127.0.0.1:0", "--poll-wait", "2", "--report-interval", "0.3"},
                             "fogline-node listening on ", dir_ + "/node" + std::to_string(index) + ".log");
  EXPECT_TRUE(ok) << n.process->error();
  if (!ok) return -1;
  auto state = read_file(n.data_dir + "/node.json");
  if (!state.is_ok()) return -1;
  n.id = Json::parse(*state, nullptr, false).value("node_id", std::string());
  if (n.id.empty()) return -1;
  nodes_.push_back(std::move(n));
  return index;
}

Json Fleet::deploy(std::vector<std::string> args) {
  std::vector<std::string> all = {"deploy"};
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--json", "--hub", hub_->url(), "--token", developer_});
  CliResult r = run_fogline(all);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  if (r.exit_code != 0) return nullptr;
  return Json::parse(r.out, nullptr, false);
}

Json Fleet::deployment(int64_t id) { return deploy({"status", std::to_string(id)}); }

std::string Fleet::deploy_action(const std::string& verb, int64_t id) {
  CliResult r = run_fogline({"deploy", verb, std::to_string(id), "--hub", hub_->url(), "--token", developer_});
  EXPECT_EQ(r.exit_code, 0) << "fogline deploy " << verb << " " << id << ": " << r.out << r.err;
  return trimmed(r.out);
}

std::vector<std::string> Fleet::history_events(const std::string& model, const std::string& version, bool with_actor) {
  std::vector<std::string> events;
  HttpAnswer a = http_get(hub_->url(), "/api/models/" + model + "/versions/" + version + "/history", developer_);
  EXPECT_EQ(a.status, 200) << a.body;
  Json doc = a.json();
  if (!doc.is_object() || !doc["history"].is_array()) return events;
  for (const auto& h : doc["history"])
    if (h.value("kind", "") == "deployment")
      events.push_back(h["detail"].value("event", "") + (with_actor ? " by " + h.value("actor", "") : ""));
  return events;
}

std::string Fleet::logs() const {
  std::ostringstream o;
  if (hub_) o << "--- hub log (tail) ---\n" << hub_->log_tail(2000) << "\n";
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].process) o << "--- node" << i << " log (tail) ---\n" << nodes_[i].process->log_tail(2000) << "\n";
  return o.str();
}

}  // namespace fogline::node::testing

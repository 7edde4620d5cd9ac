// fogline ledger peer status: a running (or stopped) peer's progress from HOME/ledger/peer.json,
// and with --etcd the state of each etcd member and how far the ordered log has got (lag).
#include <signal.h>

#include <cerrno>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/file_util.h"
#include "ledger/home.h"
#include "ledger/peer.h"

namespace fogline::cli {
namespace {

class LedgerPeerStatusCommand : public Command {
 public:
  const char* name() const override { return "ledger peer status"; }
  const char* summary() const override { return "Height and head hash of a ledger peer (and the ordered log's size)"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--etcd", etcd_, "etcd members, to show how many slots are ordered");
    app.add_option("--prefix", prefix_, "etcd key prefix of the chain's ordered log");
  }
  int run() override {
    std::string home = home_.empty() ? ledger::default_home() : home_;
    std::string path = ledger::Peer::status_path(home);
    auto text = read_file(path);
    if (!text.is_ok()) return fail("no peer status in '" + path + "' (has 'fogline ledger peer run' started there?)");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(*text);
      std::printf("chain         %s\nheight        %llu blocks\nhead          %s\ntransactions  %llu\nlog root      %s\n"
                  "next slot     %llu\nrejected      %llu (since the peer started)\n",
                  j.at("chain").get<std::string>().c_str(), (unsigned long long)j.at("height").get<uint64_t>(),
                  j.at("head").get<std::string>().c_str(), (unsigned long long)j.at("transactions").get<uint64_t>(),
                  j.at("log_root").get<std::string>().c_str(), (unsigned long long)j.at("next_slot").get<uint64_t>(),
                  (unsigned long long)j.at("rejected_since_start").get<uint64_t>());
      // The file outlives its peer: say when the process that wrote it is gone.
      int64_t pid = j.value("pid", int64_t{0});
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        std::printf("peer          not running (pid %lld has exited)\n", (long long)pid);
    } catch (const std::exception& e) {
      return fail("'" + path + "': " + e.what());
    }
    if (!etcd_.empty()) {
      auto client = ledger::EtcdClient::connect(etcd_);
      if (!client.is_ok()) return fail(client.status().message());
      for (const auto& m : client->member_statuses())
        std::printf("etcd member   %s %s\n", m.endpoint.c_str(),
                    m.up ? (m.leader ? "leader" : "follower") : ("down (" + m.error + ")").c_str());
      ledger::EtcdOrdering ordering(std::move(client).value(), prefix_);
      auto size = ordering.size();
      if (!size.is_ok()) return fail(size.status().message());
      std::printf("ordered       %llu slots (%llu not yet read by this peer)\n", (unsigned long long)*size,
                  (unsigned long long)(*size - std::min<uint64_t>(*size, j.at("next_slot").get<uint64_t>())));
    }
    return 0;
  }

 private:
  std::string home_, etcd_, prefix_ = "fogline/ledger/";
};

}  // namespace
FOGLINE_REGISTER_COMMAND(LedgerPeerStatusCommand);
}  // namespace fogline::cli

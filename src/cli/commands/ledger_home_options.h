// The options every ledger command that reads or writes a chain shares: the home, and for a
// chain ordered by etcd the members and key prefix (defaults: the peer's own, when the home is
// a ledger peer's home). One place, so every command says and does the same.
#pragma once

#include <string>

#include "cli/command.h"
#include "core/status.h"
#include "ledger/home.h"
#include "ledger/home_session.h"

namespace fogline::cli {

struct LedgerHomeOptions {
  std::string home, etcd, prefix;

  // `writes`: the command submits transactions (its --etcd orders them), else it only reads.
  void add_to(CLI::App& app, bool writes) {
    app.add_option("--home", home, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--etcd", etcd,
                   writes ? "order through these etcd members (default: the peer's, when HOME is a ledger peer's home)"
                          : "read the chain from these etcd members (default: the peer's, when HOME is a ledger peer's home)");
    app.add_option("--prefix", prefix, "etcd key prefix of the chain's ordered log");
  }
  Result<ledger::HomeSession> open() const {
    return ledger::HomeSession::open(home.empty() ? ledger::default_home() : home, {etcd, prefix});
  }
};

}  // namespace fogline::cli

#include "ledger/home.h"

#include <cstdlib>
#include <filesystem>

namespace fogline::ledger {

std::string default_home() {
  if (const char* h = std::getenv("FOGLINE_HOME"); h && *h) return h;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.fogline";
}

std::string orderer_key_path(const std::string& home) { return home + "/keys/orderer.key"; }

Result<std::unique_ptr<Ledger>> open_home_ledger(const std::string& home) {
  std::string dir = Ledger::ledger_dir(home);
  if (!std::filesystem::exists(BlockStore::index_path(dir)))
    return not_found("no ledger in '" + dir + "' (create one with 'fogline ledger init --home " + home + "')");
  return Ledger::open(dir);
}

}  // namespace fogline::ledger

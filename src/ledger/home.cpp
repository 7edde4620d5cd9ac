#include "ledger/home.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

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
  // A running peer (ledger/peer.h) owns the block files: opening them here would cut the tail
  // of the block it is appending. Share its lock for this process's lifetime instead.
  int fd = ::open((dir + "/peer.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0 && ::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    ::close(fd);
    return invalid_argument("a ledger peer is running on '" + home +
                            "' and owns its block files; ask it with 'fogline ledger peer status --home " + home +
                            "', or stop it first");
  }
  // fd stays open (and the shared lock held) until this process exits.
  return Ledger::open(dir);
}

}  // namespace fogline::ledger

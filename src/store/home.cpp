#include "store/home.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "store/artifacts.h"

namespace fs = std::filesystem;

namespace fogline::store {

std::string default_home_dir() {
  if (const char* env = std::getenv("FOGLINE_HOME"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.fogline";
}

Result<std::unique_ptr<Home>> Home::open(const HomeOptions& options) {
  std::string dir = options.dir.empty() ? default_home_dir() : options.dir;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "work", ec);
  if (ec) return io_error("cannot create Fogline home '" + dir + "': " + ec.message());
  std::string url = options.db_url;
  if (url.empty()) {
    const char* env = std::getenv("FOGLINE_DB");
    url = env && *env ? env : "sqlite:" + dir + "/fogline.db";
  }
  FOGLINE_ASSIGN_OR_RETURN(auto db, Database::open(url));
  FOGLINE_TRY(apply_migrations_for_artifacts(*db));
  FOGLINE_ASSIGN_OR_RETURN(ContentStore cas, ContentStore::open(dir + "/cas"));
  return std::unique_ptr<Home>(new Home(dir, std::move(db), std::move(cas)));
}

Result<std::string> Home::new_work_dir(const std::string& hint) {
  static std::atomic<uint64_t> counter{0};
  std::string path = work_root() + "/" + hint + "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  std::error_code ec;
  fs::remove_all(path, ec);
  fs::create_directories(path, ec);
  if (ec) return io_error("cannot create work directory '" + path + "': " + ec.message());
  return path;
}

Result<int> Home::clean_work_dirs() const {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(work_root(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    size_t first = name.find('.'), last = name.rfind('.');
    if (first != std::string::npos && last > first) {
      pid_t pid = static_cast<pid_t>(std::atoll(name.substr(first + 1, last - first - 1).c_str()));
      if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;  // its owner still runs
    }
    std::error_code rm;
    if (fs::remove_all(it->path(), rm) > 0 && !rm) ++removed;
  }
  if (ec) return io_error("cleaning '" + work_root() + "': " + ec.message());
  return removed;
}

}  // namespace fogline::store

#include "crypto/os_seal.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

namespace fogline::crypto {
namespace {

std::string systemd_creds_path() {
  const char* override_path = std::getenv("FOGLINE_SYSTEMD_CREDS");
  return override_path && *override_path ? override_path : "systemd-creds";
}

struct CredsRun {
  int exit_code = -1;
  SecretBytes out;  // stdout may hold the plaintext (decrypt), so it is wiped like a secret
  std::string err;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Runs systemd-creds with `args`, feeding `input` on stdin; stdout and stderr are collected
// with poll so neither pipe can fill up and stall the child.
Result<CredsRun> run_systemd_creds(const std::vector<std::string>& args, std::string_view input) {
  std::string helper = systemd_creds_path();
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    std::string why = std::strerror(errno);
    for (int* p : {in_pipe, out_pipe, err_pipe}) close_fd(p[0]), close_fd(p[1]);
    return io_error("cannot create pipes for systemd-creds: " + why);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<std::string> argv_store;
  argv_store.push_back(helper);
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, helper.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close_fd(in_pipe[0]);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  if (rc != 0) {
    close_fd(in_pipe[1]);
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    return not_found("cannot run systemd-creds ('" + helper + "'): " + std::strerror(rc) +
                     "; OS key sealing needs systemd-creds (systemd >= 250)");
  }
  // A child that exits before reading its stdin would raise SIGPIPE on our write; block it on
  // this thread for the exchange and drop a SIGPIPE we caused, so EPIPE is an ordinary error.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending_before;
  sigpending(&pending_before);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

  CredsRun run;
  std::string out_raw;
  std::string chunk(4096, '\0');
  size_t written = 0;
  pollfd fds[3] = {{in_pipe[1], POLLOUT, 0}, {out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  if (input.empty()) {
    close_fd(in_pipe[1]);
    fds[0].fd = -1;
  }
  while (fds[0].fd >= 0 || fds[1].fd >= 0 || fds[2].fd >= 0) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].fd >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::write(fds[0].fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EINTR && errno != EAGAIN) || written >= input.size()) {
        close_fd(in_pipe[1]);
        fds[0].fd = -1;
      }
    }
    for (int i : {1, 2}) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLERR | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close_fd(i == 1 ? out_pipe[0] : err_pipe[0]);
        fds[i].fd = -1;
      } else if (i == 1) {
        out_raw.append(chunk.data(), static_cast<size_t>(n));
      } else if (run.err.size() < 4096) {
        run.err.append(chunk.data(), static_cast<size_t>(n));
      }
    }
  }
  close_fd(in_pipe[1]);
  close_fd(out_pipe[0]);
  close_fd(err_pipe[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (!sigismember(&pending_before, SIGPIPE)) {
    timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);

  run.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  run.out = SecretBytes(out_raw);
  sodium_memzero(out_raw.data(), out_raw.size());
  sodium_memzero(chunk.data(), chunk.size());
  return run;
}

// systemd-creds' own message minus the warning it prints on every run about the host key not
// being on encrypted media (the docs name that limit once).
std::string helper_message(const std::string& err) {
  std::string out;
  size_t pos = 0;
  while (pos < err.size()) {
    size_t end = err.find('\n', pos);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(pos, end - pos);
    if (!line.empty() && line.find("not located on encrypted media") == std::string::npos)
      out += (out.empty() ? "" : "; ") + line;
    pos = end + 1;
  }
  return out.empty() ? "no message" : out;
}

}  // namespace

Status os_seal_available() {
  SecretBytes probe(std::string_view("fogline-os-seal-probe"));
  auto sealed = os_seal("fogline-probe", probe);
  if (!sealed.is_ok()) return sealed.status();
  auto back = os_unseal("fogline-probe", *sealed);
  if (!back.is_ok()) return back.status();
  if (back->view() != probe.view()) return internal_error("systemd-creds returned a different plaintext on a trial round");
  return Status::ok();
}

Result<std::string> os_seal(std::string_view name, const SecretBytes& plain) {
  FOGLINE_ASSIGN_OR_RETURN(CredsRun run, run_systemd_creds({"encrypt", "--with-key=host", "--name=" + std::string(name), "-", "-"}, plain.view()));
  if (run.exit_code != 0)
    return invalid_argument("systemd-creds encrypt --with-key=host failed (exit " + std::to_string(run.exit_code) +
                             "): " + helper_message(run.err) +
                             " (sealing with the host key needs root and /var/lib/systemd/credential.secret)");
  std::string text(run.out.view());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return internal_error("systemd-creds encrypt wrote no credential");
  return text;
}

Result<SecretBytes> os_unseal(std::string_view name, std::string_view credential) {
  std::string input(credential);
  input += "\n";
  FOGLINE_ASSIGN_OR_RETURN(CredsRun run, run_systemd_creds({"decrypt", "--name=" + std::string(name), "-", "-"}, input));
  if (run.exit_code != 0)
    return invalid_argument("systemd-creds decrypt failed (exit " + std::to_string(run.exit_code) + "): " +
                             helper_message(run.err) +
                             " (sealed on another machine or with another host key, the credential was altered, "
                             "or not running as root)");
  return std::move(run.out);
}

}  // namespace fogline::crypto

// Runs a program (the real git binary) without a shell: arguments are passed as they are, so a
// URL or path from the user can never become a command.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::registry {

struct ProcessResult {
  int exit_code = -1;
  std::string out;  // stdout, unless it went to a file
  std::string err;  // stderr (last 4 KiB)
};

// `stdout_path` non-empty: stdout is written to that file instead of captured.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& stdout_path = "");

}  // namespace fogline::registry

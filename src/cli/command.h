// CLI commands: one file each under commands/, registered with FOGLINE_REGISTER_COMMAND, so
// adding a command touches one place. Each command adds its options to its own CLI11
// subcommand and returns a process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fogline::cli {

class Command {
 public:
  virtual ~Command() = default;
  // One word ("run") or a path of words ("ledger merkle root") for a nested command.
  virtual const char* name() const = 0;
  virtual const char* summary() const = 0;
  virtual void configure(CLI::App& app) = 0;
  virtual int run() = 0;
};

class CommandRegistry {
 public:
  static CommandRegistry& global();
  bool add(std::unique_ptr<Command> command);
  const std::vector<std::unique_ptr<Command>>& commands() const { return commands_; }

 private:
  std::vector<std::unique_ptr<Command>> commands_;
};

// "ledger merkle root" -> {"ledger", "merkle", "root"}: a command's name may be a path of words;
// the groups along it are made by main.cpp.
std::vector<std::string> split_command_name(const std::string& name);

// Prints "error: <message>" to stderr and returns the exit code for failures.
int fail(const std::string& message);

}  // namespace fogline::cli

#define FOGLINE_REGISTER_COMMAND(CommandClass)                            \
  static const bool FOGLINE_CONCAT(fogline_command_registered_, __COUNTER__) = \
      ::fogline::cli::CommandRegistry::global().add(std::make_unique<CommandClass>())

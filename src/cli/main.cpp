// The `fogline` binary: parses the command line and hands over to a registered command.
// This is a process boundary, so exceptions stop here.
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "core/status.h"
#include "core/version.h"

namespace fogline::cli {

CommandRegistry& CommandRegistry::global() {
  static CommandRegistry registry;
  return registry;
}

bool CommandRegistry::add(std::unique_ptr<Command> command) {
  commands_.push_back(std::move(command));
  return true;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

}  // namespace fogline::cli

int main(int argc, char** argv) {
  using fogline::cli::CommandRegistry;
  CLI::App app{"Fogline: ONNX models from anywhere to a fleet of edge devices", "fogline"};
  app.set_version_flag("--version", std::string("fogline ") + fogline::kVersion);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, fogline::cli::Command*>> subs;
  for (const auto& cmd : CommandRegistry::global().commands()) {
    CLI::App* sub = app.add_subcommand(cmd->name(), cmd->summary());
    cmd->configure(*sub);
    subs.emplace_back(sub, cmd.get());
  }
  std::string help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for a command: fogline help <command>");
  help->add_option("command", help_topic, "the command");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (help->parsed()) {
      if (help_topic.empty()) {
        std::cout << app.help();
        return 0;
      }
      for (auto& [sub, cmd] : subs) {
        if (help_topic == cmd->name()) {
          std::cout << sub->help();
          return 0;
        }
      }
      return fogline::cli::fail("no command named '" + help_topic + "'; see fogline --help");
    }
    for (auto& [sub, cmd] : subs) {
      if (sub->parsed()) return cmd->run();
    }
  } catch (const std::exception& e) {
    return fogline::cli::fail(std::string("unexpected failure: ") + e.what());
  }
  return 1;
}

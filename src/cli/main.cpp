// The `fogline` binary: parses the command line and hands over to a registered command.
// This is a process boundary, so exceptions stop here.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

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

std::vector<std::string> split_command_name(const std::string& name) {
  std::vector<std::string> words;
  std::string word;
  for (char c : name + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  return words;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

// libgomp (oneDNN's and our threads) spins ~300k iterations after each parallel region; on a
// shared 2-core box another busy process turns that into 10-50x slowdowns at 2 threads. It
// reads the setting when it loads, before main, so when the user has chosen nothing we re-exec
// once with a short spin. Set OMP_WAIT_POLICY or GOMP_SPINCOUNT to override.
static void use_short_openmp_spin(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  ::setenv("GOMP_SPINCOUNT", "10000", 1);
  ::execv("/proc/self/exe", argv);  // if it fails, carry on with libgomp's defaults
}

}  // namespace fogline::cli

int main(int argc, char** argv) {
  fogline::cli::use_short_openmp_spin(argv);
  using fogline::cli::CommandRegistry;
  CLI::App app{"Fogline: ONNX models from anywhere to a fleet of edge devices", "fogline"};
  app.set_version_flag("--version", std::string("fogline ") + fogline::kVersion);
  app.require_subcommand(1);
  // A command named "ledger merkle" becomes `fogline ledger merkle`: its group ("ledger") is
  // made on first use, so each nested command still lives in one file of its own.
  std::vector<std::pair<CLI::App*, fogline::cli::Command*>> subs;
  std::map<std::string, CLI::App*> groups;  // "ledger" -> its CLI11 subcommand
  // A command may also be a group ("hub" runs the server, "hub token create" is under it), so
  // shorter names are set up first and a group reuses the command of the same name.
  std::vector<fogline::cli::Command*> ordered;
  for (const auto& cmd : CommandRegistry::global().commands()) ordered.push_back(cmd.get());
  std::stable_sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) {
    return fogline::cli::split_command_name(a->name()).size() < fogline::cli::split_command_name(b->name()).size();
  });
  std::map<std::string, CLI::App*> command_apps;  // "hub" -> the command's subcommand
  for (auto* cmd : ordered) {
    std::vector<std::string> words = fogline::cli::split_command_name(cmd->name());
    CLI::App* parent = &app;
    std::string path;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      path += (path.empty() ? "" : " ") + words[i];
      auto [it, fresh] = groups.emplace(path, nullptr);
      if (fresh) {
        if (auto own = command_apps.find(path); own != command_apps.end()) {
          it->second = own->second;
          it->second->require_subcommand(0, 1);
        } else {
          it->second = parent->add_subcommand(words[i], "Commands under '" + path + "'");
          it->second->require_subcommand(1);
        }
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(words.back(), cmd->summary());
    cmd->configure(*sub);
    subs.emplace_back(sub, cmd);
    command_apps[path.empty() ? words.back() : path + " " + words.back()] = sub;
  }
  // The deepest parsed command runs: "hub token create" rather than "hub".
  std::reverse(subs.begin(), subs.end());
  std::vector<std::string> help_topic;
  CLI::App* help = app.add_subcommand("help", "Show help for a command: fogline help <command> [<subcommand>]");
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
      std::string topic;
      for (const auto& w : help_topic) topic += (topic.empty() ? "" : " ") + w;
      for (auto& [sub, cmd] : subs) {
        if (topic == cmd->name()) {
          std::cout << sub->help();
          return 0;
        }
      }
      if (auto group = groups.find(topic); group != groups.end()) {
        std::cout << group->second->help();
        return 0;
      }
      return fogline::cli::fail("no command named '" + topic + "'; see fogline --help");
    }
    for (auto& [sub, cmd] : subs) {
      if (sub->parsed()) return cmd->run();
    }
  } catch (const std::exception& e) {
    return fogline::cli::fail(std::string("unexpected failure: ") + e.what());
  }
  return 1;
}

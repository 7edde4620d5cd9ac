// `--seal passphrase|os` for the commands that create key files (crypto/key_seal.h), with one
// help text: `what` names the key file(s), `passphrase_env` the variable the passphrase comes from.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fogline::cli {

inline void add_seal_option(CLI::App& app, std::string* seal, const std::string& what,
                            const std::string& passphrase_env = "FOGLINE_PASSPHRASE") {
  app.add_option("--seal", *seal,
                 "protection of " + what + ": passphrase ($" + passphrase_env +
                     ", the default) or os (systemd-creds host key, this machine only); default $FOGLINE_KEY_SEAL")
      ->check(CLI::IsMember({"passphrase", "os"}));
}

}  // namespace fogline::cli

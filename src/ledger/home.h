// Where the CLI finds a ledger: HOME/ledger, HOME being --home, else $FOGLINE_HOME, else
// ~/.fogline. The orderer's key file is HOME/keys/orderer.key.
#pragma once

#include <memory>
#include <string>

#include "ledger/ledger.h"

namespace fogline::ledger {

std::string default_home();
std::string orderer_key_path(const std::string& home);
// Opens an existing ledger (never creates one), replaying it. Refused while a ledger peer runs
// on the home (HOME/ledger/peer.lock); a peer cannot start while this process holds it open.
Result<std::unique_ptr<Ledger>> open_home_ledger(const std::string& home);

}  // namespace fogline::ledger

// Sealing small secrets by the operating system: `systemd-creds encrypt --with-key=host`, so a
// sealed blob opens only on the machine whose host key (/var/lib/systemd/credential.secret)
// sealed it. systemd-creds runs through posix_spawn with pipes (no shell, no fork in a threaded
// process); secrets travel over stdin/stdout, never on the command line.
// The helper's path is `systemd-creds` looked up in PATH, or $FOGLINE_SYSTEMD_CREDS when set
// (tests point it at a missing binary to check the error).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/sodium.h"

namespace fogline::crypto {

// ok() when systemd-creds is present and could seal with the host key here (a tiny trial
// round); otherwise an error saying why not (helper missing, not root, no host key ...).
Status os_seal_available();

// The credential text systemd-creds writes (base64) for `plain`, bound to `name` (--name).
Result<std::string> os_seal(std::string_view name, const SecretBytes& plain);
// The plaintext back; fails naming the cause (helper missing, wrong machine/host key, altered).
Result<SecretBytes> os_unseal(std::string_view name, std::string_view credential);

}  // namespace fogline::crypto

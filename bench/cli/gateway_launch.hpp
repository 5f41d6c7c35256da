// `flowbench up --gateway`: a flowbench-gateway process in front of each build it starts, on
// the build's port base (8000 sync, 8100 async), with a secret of its own in the state
// directory (`<state dir>/jwt-secret`, made once, 0600) that `flowbench token` reads when no
// other secret is given. Its pid is kept in `<state dir>/gateway-<arch>.pid` for `down`.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/domain/catalogue.hpp"

namespace flowbench::cli {

// The state directory's secret file, created with a random secret when missing.
std::filesystem::path EnsureGatewaySecret(const std::filesystem::path& state_dir);

// Starts the gateway in front of the build whose services are on port_base+1.. (0: the
// contract's), waits for its /health, remembers its pid; returns its port. `otlp_endpoint`
// non-empty: it exports its spans there, as the services do (`up --otlp-endpoint`).
// `extra_args`: more of its flags (`up --network`: an --upstream per service, its relay).
int StartGateway(Arch arch, int port_base, const std::filesystem::path& state_dir,
                 const std::filesystem::path& run_dir, const std::string& otlp_endpoint = {},
                 const std::vector<std::string>& extra_args = {});

// Stops the gateway `up --gateway` started for `arch`, if any; true when there was one.
bool StopGateway(Arch arch, const std::filesystem::path& state_dir);

// Its pid when one was started and still runs.
std::optional<pid_t> RunningGateway(Arch arch, const std::filesystem::path& state_dir);

}  // namespace flowbench::cli

// flowbench relay (hidden): the relay process of a build of `flowbench up --network`, which
// `up` starts detached and `down` stops (bench/network/detached_relays.hpp). Not for users:
// its flags are the resolved profile and the build's parts, exactly as `up` passes them.
#include <CLI/CLI.hpp>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/network/detached_relays.hpp"

namespace flowbench::cli {

void AddRelayCommand(CLI::App& app) {
  auto request = std::make_shared<network::DetachedRelaysRequest>();
  auto arch = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "relay",
      "the relays of a build of `flowbench up --network` (started by up, stopped by down)");
  cmd->group("");  // hidden from --help
  cmd->add_option("--state-dir", request->state_dir)->required();
  cmd->add_option("--arch", *arch)->required()->check(CLI::IsMember({"sync", "async"}));
  cmd->add_option("--profile", request->profile.name)->required();
  cmd->add_option("--delay-ms", request->profile.one_way_delay_ms)->required();
  cmd->add_option("--jitter-ms", request->profile.jitter_ms)->required();
  cmd->add_option("--loss", request->profile.loss)->required();
  cmd->add_option("--port-base", request->port_base)->required();
  cmd->add_option("--pg-url", request->pg_url)->required();
  cmd->add_option("--amqp-url", request->amqp_url);
  cmd->add_option("--seed", request->seed);
  cmd->callback([request, arch] {
    request->arch = *ParseArch(*arch);
    int code = network::ServeDetachedRelays(*request);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace flowbench::cli

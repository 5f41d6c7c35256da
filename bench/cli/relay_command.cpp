// flowbench relay (hidden): the relay process of a build of `flowbench up --network`, which
// `up` starts detached and `down` stops, or with --node-links the links between the nodes of
// the RabbitMQ cluster of `infra up --network`, which `infra down` stops
// (bench/network/detached_relays.hpp). Not for users: its flags are the resolved profile and
// the build's parts (or the planned node links), exactly as `up` passes them.
#include <CLI/CLI.hpp>
#include <memory>
#include <sstream>

#include "bench/cli/commands.hpp"
#include "bench/network/detached_relays.hpp"

namespace flowbench::cli {
namespace {

// `--link NAME,LISTEN_HOST,LISTEN_PORT,TARGET_HOST,TARGET_PORT`, as StartDetachedNodeLinks
// writes it.
network::RelayLink ParseLink(const std::string& text) {
  std::vector<std::string> fields;
  std::stringstream in(text);
  for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
  if (fields.size() != 5) throw CLI::ValidationError("--link", "'" + text + "' has not 5 fields");
  return network::RelayLink{fields[0], fields[3], std::stoi(fields[4]), fields[1],
                            std::stoi(fields[2])};
}

}  // namespace

void AddRelayCommand(CLI::App& app) {
  auto request = std::make_shared<network::DetachedRelaysRequest>();
  auto arch = std::make_shared<std::string>();
  auto node_links = std::make_shared<bool>(false);
  auto links = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "relay",
      "the relays of a build of `flowbench up --network` (started by up, stopped by down)");
  cmd->group("");  // hidden from --help
  cmd->add_option("--state-dir", request->state_dir)->required();
  CLI::Option* node_links_flag = cmd->add_flag("--node-links", *node_links);
  cmd->add_option("--link", *links)->needs(node_links_flag);
  CLI::Option* arch_option =
      cmd->add_option("--arch", *arch)->check(CLI::IsMember({"sync", "async"}));
  CLI::Option* port_base = cmd->add_option("--port-base", request->port_base);
  CLI::Option* pg_url = cmd->add_option("--pg-url", request->pg_url);
  for (CLI::Option* build_option : {arch_option, port_base, pg_url}) {
    build_option->excludes(node_links_flag);
  }
  cmd->add_option("--profile", request->profile.name)->required();
  cmd->add_option("--delay-ms", request->profile.one_way_delay_ms)->required();
  cmd->add_option("--jitter-ms", request->profile.jitter_ms)->required();
  cmd->add_option("--loss", request->profile.loss)->required();
  cmd->add_option("--amqp-url", request->amqp_url)->excludes(node_links_flag);
  cmd->add_option("--seed", request->seed);
  cmd->callback([request, arch, node_links, links, arch_option, port_base, pg_url] {
    int code = 0;
    if (*node_links) {
      network::DetachedNodeLinksRequest node_request{
          request->state_dir, request->profile, {}, request->seed};
      for (const std::string& link : *links) node_request.links.push_back(ParseLink(link));
      code = network::ServeDetachedNodeLinks(node_request);
    } else {
      for (CLI::Option* required : {arch_option, port_base, pg_url}) {
        if (required->count() == 0) {
          throw CLI::RequiredError(required->get_name() + " (or --node-links)");
        }
      }
      request->arch = *ParseArch(*arch);
      code = network::ServeDetachedRelays(*request);
    }
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace flowbench::cli

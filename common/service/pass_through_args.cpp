#include "common/service/pass_through_args.hpp"

#include <CLI/CLI.hpp>

namespace flowbench {

std::vector<std::string> PassThroughArgs::For(Arch arch) const {
  std::vector<std::string> args;
  if (!otlp_endpoint.empty()) args = {"--otlp-endpoint", otlp_endpoint};
  args.insert(args.end(), every.begin(), every.end());
  if (arch == Arch::kAsync && !queue_type.empty()) args.push_back("--queue-type=" + queue_type);
  const std::vector<std::string>& own = arch == Arch::kSync ? sync : async;
  args.insert(args.end(), own.begin(), own.end());
  return args;
}

boost::json::object PassThroughArgs::ToJson() const {
  boost::json::object json{{"every", boost::json::array(every.begin(), every.end())},
                           {"sync", boost::json::array(sync.begin(), sync.end())},
                           {"async", boost::json::array(async.begin(), async.end())}};
  if (!otlp_endpoint.empty()) json["otlp_endpoint"] = otlp_endpoint;
  if (!queue_type.empty()) json["queue_type"] = queue_type;
  return json;
}

void BindPassThroughArgs(CLI::App& app, PassThroughArgs& args) {
  const char* group = "Service flags";
  // Attached with '=', a value that starts with '-' is always the value: given separately,
  // one that names an option of flowbench's own (`--threads`) would be read as that option.
  app.add_option("--sync-arg", args.sync,
                 "a flag for the sync build's services only, attached with '=' (repeatable): "
                 "--sync-arg=--http-threads=64")
      ->allow_extra_args(false)  // one value per occurrence: nothing after it is taken
      ->group(group);
  app.add_option("--async-arg", args.async,
                 "a flag for the async build's services only, attached with '=' (repeatable): "
                 "--async-arg=--prefetch=50")
      ->allow_extra_args(false)
      ->group(group);
  app.add_option("--otlp-endpoint", args.otlp_endpoint,
                 "every service sends the spans of sampled traces (flowbench demo's) over "
                 "OTLP/HTTP to URL/v1/traces, e.g. Jaeger's http://localhost:4318")
      ->group(group);
  app.add_option("--queue-type", args.queue_type,
                 "the async build's work, retry and dead-letter queues: classic, quorum (a "
                 "confirm means a majority of a cluster's nodes has the message), or auto "
                 "(quorum on a cluster, else classic; the services' default)")
      ->check(CLI::IsMember({"classic", "quorum", "auto"}))
      ->group(group);
  app.add_option("service-args", args.every,
                 "after `--`: flags for every service of both builds (-- --db-pool-size 20)")
      ->group(group);
}

}  // namespace flowbench

// The flags `flowbench up|run|demo` pass on to the services they start. A service rejects a
// flag it does not know (unknown options are errors), and some flags exist in one build only
// (--http-threads is the sync build's, --prefetch the async build's), so besides the flags
// for every service (after `--`) each build has its own: --sync-arg / --async-arg.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "common/domain/catalogue.hpp"

namespace CLI {
class App;
}

namespace flowbench {

struct PassThroughArgs {
  std::vector<std::string> every;  // after `--`: every service of both builds
  std::vector<std::string> sync;   // --sync-arg ARG (repeatable): the sync build's only
  std::vector<std::string> async;  // --async-arg ARG (repeatable): the async build's only
  // --otlp-endpoint URL: every service exports its sampled spans there (the service flag of
  // the same name, given first so that a flag after `--` still wins). Empty: none.
  std::string otlp_endpoint;
  // --queue-type classic|quorum|auto: the async services' --queue-type (given before
  // --async-arg, so a --async-arg=--queue-type=... still wins). Empty: theirs (auto).
  std::string queue_type;

  // What a service of `arch` gets: --otlp-endpoint, the flags for every service, then its
  // build's own (so a build's own value wins where a flag is given twice).
  std::vector<std::string> For(Arch arch) const;
  bool Empty() const { return For(Arch::kSync).empty() && For(Arch::kAsync).empty(); }
  // {"every": [...], "sync": [...], "async": [...]} (and "otlp_endpoint" when given)
  boost::json::object ToJson() const;
};

// --sync-arg, --async-arg, --otlp-endpoint and the `--` positional, on `app`.
void BindPassThroughArgs(CLI::App& app, PassThroughArgs& args);

}  // namespace flowbench

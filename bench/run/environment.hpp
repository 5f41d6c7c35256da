// What a results file records about where it was measured: the machine, the versions of
// the servers and of flowbench, and the exact commit (with "-dirty" for uncommitted changes).
#pragma once

#include <boost/json.hpp>
#include <string>

namespace flowbench::run {

boost::json::object MachineInfo();  // cores, memory_bytes, cpu_model, kernel
boost::json::object Versions();     // flowbench, compiler, postgresql, rabbitmq, boost
std::string GitCommit();            // of the source tree flowbench was built from

}  // namespace flowbench::run

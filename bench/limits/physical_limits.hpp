// What this machine allows, measured with the parts the builds use and nothing of theirs on
// top, so that a sweep's knees read as fractions of it (issue: services near the limit):
//  - http: a trivial Beast server (one thread, a tiny fixed answer) driven by the load engine;
//  - broker: persistent publishes with confirms (the async build's confirm window) to a queue
//    consumed at the same time (its prefetch), with rabbitmq-c;
//  - database: single-row INSERTs in autocommit from as many connections as a build's pool.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bench/sweep/sweep_results.hpp"

namespace flowbench::limits {

struct LimitProbeOptions {
  std::chrono::milliseconds duration{5000};  // of each probe's measured window
  int http_connections = 32;
  std::string amqp_url;    // the broker the async build uses
  int confirm_window = 0;  // 0: the async build's default
  int prefetch = 0;        // 0: the async build's default
  std::string pg_url;      // the database both builds use
  int pool_size = 0;       // 0: the builds' default pool size
};

sweep::PhysicalLimit MeasureHttpLimit(const LimitProbeOptions& options);
sweep::PhysicalLimit MeasureBrokerLimit(const LimitProbeOptions& options);
sweep::PhysicalLimit MeasureDatabaseLimit(const LimitProbeOptions& options);
// All three, one after another (never at once: each has the machine to itself).
std::vector<sweep::PhysicalLimit> MeasurePhysicalLimits(const LimitProbeOptions& options);

}  // namespace flowbench::limits

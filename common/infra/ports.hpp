// Loopback ports: finding free ones for private servers, and asking whether one answers.
#pragma once

#include <chrono>

namespace flowbench::infra {

// A port that was free on 127.0.0.1 (and [::]) a moment ago, chosen at random below the
// kernel's ephemeral range so that no outgoing connection can take it before it is bound.
int FindFreePort();

// A base B such that B+1 .. B+count are all free on 127.0.0.1 now: tests move a whole
// build (ten services) to private ports with one --port-base.
int FindFreePortBase(int count);

// True when something accepts TCP connections on 127.0.0.1:port.
bool IsPortOpen(int port, std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

}  // namespace flowbench::infra

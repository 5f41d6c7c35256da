// An OTLP/HTTP receiver for tests: a cpp-httplib server on 127.0.0.1 that stores every JSON
// body POSTed to /v1/traces and answers 200, as a collector would. The exporter's unit
// tests and the builds' trace test read back what the services sent.
#pragma once

#include <httplib.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace flowbench::testing {

// One span as received, with the service.name of its resource.
struct ReceivedSpan {
  std::string service;
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // empty: a root
  std::string name;
  int kind = 0;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  boost::json::object attributes;  // key -> the OTLP AnyValue's value (as a string for ints)
  int status_code = 0;
};

class OtlpReceiver {
 public:
  OtlpReceiver();  // listening when constructed
  ~OtlpReceiver();
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  std::string endpoint() const;  // "http://127.0.0.1:PORT"

  std::vector<boost::json::object> Bodies() const;
  std::vector<ReceivedSpan> Spans() const;  // of every body, in arrival order
  std::vector<ReceivedSpan> SpansOf(const std::string& trace_id) const;

  // While held, a POST waits (the exporter's worker with it) until Release().
  void Hold();
  void Release();
  std::size_t requests_started() const;  // POSTs that arrived, held or not

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
  std::size_t started_ = 0;
  std::vector<boost::json::object> bodies_;
};

}  // namespace flowbench::testing

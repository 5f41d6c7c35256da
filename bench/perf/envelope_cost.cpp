// What one click costs the async build in its envelope (CONTRACT.md §4): the front's
// EncodeEnvelope of a click_tracked event and the consumer's DecodeEnvelope + PayloadAs, done
// --clicks times, for callgrind (the difference of two runs over the difference of --clicks
// is per click):
//
//   valgrind --tool=callgrind envelope_cost --clicks 20000
//   valgrind --tool=callgrind envelope_cost --clicks 40000
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/domain/events.hpp"

int main(int argc, char** argv) {
  using namespace flowbench;
  int clicks = 10'000;
  CLI::App app{"Encode and decode click envelopes, alone"};
  app.add_option("--clicks", clicks)->check(CLI::Range(1, 10'000'000));
  CLI11_PARSE(app, argc, argv);
  Envelope envelope;
  envelope.message_id = NewMessageId();
  envelope.type = std::string(ClickTracked::kType);
  envelope.accepted_at = std::chrono::system_clock::now();
  envelope.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  std::size_t bytes = 0;
  std::int64_t users = 0;
  for (int i = 0; i < clicks; ++i) {
    envelope.payload = ToJson(ClickTracked{1 + i % 1000, "/products"});
    const std::string text = EncodeEnvelope(envelope);
    bytes += text.size();
    users += PayloadAs<ClickTracked>(DecodeEnvelope(text)).user_id;
  }
  std::cout << bytes << " bytes, user ids summing to " << users << "\n";
  return 0;
}

// What reading one completion record costs the driver: a GET /completions page of --records
// records (as the services write them: CONTRACT.md §5) parsed --rounds times exactly as
// run::CompletionCollector reads it. Run it under callgrind and divide the instructions by
// records x rounds (start-up is the difference of two runs with different --rounds):
//
//   valgrind --tool=callgrind completion_parse --records 10000 --rounds 2
//   valgrind --tool=callgrind completion_parse --records 10000 --rounds 4
//
// Prints the number of records read, so that the work cannot be optimised away.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <string>

#include "common/telemetry/completion_log.hpp"

int main(int argc, char** argv) {
  int records = 10'000;
  int rounds = 1;
  CLI::App app{"Parse a completions page as the driver's collector does"};
  app.add_option("--records", records, "records per page")->check(CLI::Range(1, 1'000'000));
  app.add_option("--rounds", rounds, "times the page is parsed")->check(CLI::Range(1, 1'000));
  CLI11_PARSE(app, argc, argv);

  flowbench::CompletionPage page;
  page.epoch = 1'700'000'000'000'000'000;
  page.next_cursor = static_cast<std::uint64_t>(records);
  for (int i = 0; i < records; ++i) {
    // Request ids as `flowbench run` makes them: <tag>-<scenario digit>-<iteration>.
    page.records.push_back({"sync-r3-6-" + std::to_string(100'000 + i), "scenario6",
                            flowbench::WorkOutcome::kDone, 1'700'000'000'123'456'789 + i});
  }
  const std::string body = boost::json::serialize(flowbench::ToJson(page));

  std::size_t read = 0;
  for (int r = 0; r < rounds; ++r) {
    read += flowbench::CompletionPageFromText(body).records.size();
  }
  std::cout << read << "\n";
  return 0;
}

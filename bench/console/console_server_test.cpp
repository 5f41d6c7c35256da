// The console's server over real HTTP: its pages and JSON, and a clear 4xx for bad input.
#include "bench/console/console_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "bench/console/live_state.hpp"

namespace flowbench::console {
namespace {

namespace fs = std::filesystem;

class ConsoleServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("flowbench-console-http-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "run-a");
    fs::copy_file(
        fs::path(std::getenv("FLOWBENCH_SOURCE_DIR")) / "bench/report/testdata/results.json",
        root_ / "run-a" / "results.json");
  }
  void TearDown() override { fs::remove_all(root_); }

  // The server on any free port; `live` may be null.
  std::unique_ptr<ConsoleServer> Serve(const LiveState* live) {
    auto server = std::make_unique<ConsoleServer>(ConsoleOptions{"127.0.0.1", 0, root_}, live);
    server->Start();
    return server;
  }

  fs::path root_;
};

TEST_F(ConsoleServerTest, ServesThePageChartJsAndTheResultsList) {
  auto server = Serve(nullptr);
  httplib::Client client("127.0.0.1", server->Port());
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("flowbench console"), std::string::npos);
  auto chart = client.Get("/assets/chart.min.js");
  ASSERT_TRUE(chart);
  EXPECT_GT(chart->body.size(), 100'000u);
  auto list = client.Get("/api/results");
  ASSERT_TRUE(list);
  EXPECT_EQ(boost::json::parse(list->body).at("results").as_array().size(), 1u);
  auto file = client.Get("/results/run-a/results.json");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->get_header_value("Content-Type"), "application/json");
  auto live = client.Get("/api/live");
  ASSERT_TRUE(live);
  EXPECT_FALSE(boost::json::parse(live->body).at("live").as_bool());
}

TEST_F(ConsoleServerTest, BadInputIsAJsonErrorWithA4xxStatusAndTheServerGoesOn) {
  auto server = Serve(nullptr);
  httplib::Client client("127.0.0.1", server->Port());
  struct Case {
    const char* path;
    int status;
  };
  for (Case c : {Case{"/results/../run-a", 400}, Case{"/results/run-a/..%2F..%2Fetc%2Fpasswd", 404},
                 Case{"/results/.hidden/x", 400}, Case{"/results/run-a/nope.html", 404},
                 Case{"/api/compare?a=run-a", 400}, Case{"/api/compare?a=run-a&b=..", 400},
                 Case{"/api/compare?a=run-a&b=nope", 404}, Case{"/nothing/here", 404}}) {
    auto r = client.Get(c.path);
    ASSERT_TRUE(r) << c.path;
    EXPECT_GE(r->status, 400) << c.path;
    EXPECT_LT(r->status, 500) << c.path;
    if (c.status == 400) {
      EXPECT_EQ(r->status, 400) << c.path;
    }
    boost::json::value body = boost::json::parse(r->body);
    EXPECT_FALSE(body.at("error").as_string().empty()) << c.path;
  }
  auto post = client.Post("/api/results", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
  auto still = client.Get("/api/results");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

TEST_F(ConsoleServerTest, ServesTheRunningExperimentsLiveState) {
  LiveState live("run");
  run::Progress p;
  p.arch = "async";
  p.profile = "smoke";
  p.elapsed_s = 3;
  live.Update(p);
  auto server = Serve(&live);
  httplib::Client client("127.0.0.1", server->Port());
  auto r = client.Get("/api/live");
  ASSERT_TRUE(r);
  boost::json::value state = boost::json::parse(r->body);
  EXPECT_TRUE(state.at("live").as_bool());
  EXPECT_EQ(state.at("runs").as_array().size(), 1u);
}

TEST_F(ConsoleServerTest, APortInUseIsAClearError) {
  auto first = Serve(nullptr);
  ConsoleServer second(ConsoleOptions{"127.0.0.1", first->Port(), root_}, nullptr);
  try {
    second.Start();
    FAIL() << "a second server on the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowbench::console

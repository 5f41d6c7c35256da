// The JSON-over-HTTP client against a real server on a free loopback port: answers, JSON,
// errors that name the URL and the status, timeouts, and no answer at all.
#include "common/http/json_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace flowbench::http {
namespace {

class JsonServer {
 public:
  JsonServer() {
    server_.Get("/settings", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"arch": "sync", "service": "user"})", "application/json");
    });
    server_.Get("/text", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("# HELP x\nx 1\n", "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"error": "not_found"})", "application/json");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      res.set_content("{}", "application/json");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(
          req.body + req.get_header_value("traceparent") + req.get_header_value("Authorization"),
          "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): the port is bound already, so a request
    // would queue anyway, but a test that stops the server at once needs it running.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~JsonServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(JsonClient, ReadsAJsonAnswer) {
  JsonServer server;
  JsonClient client("127.0.0.1", server.port());
  JsonResponse r = client.Get("/settings");
  EXPECT_TRUE(r.Ok());
  EXPECT_EQ(r.status, 200);
  ASSERT_NE(r.Object(), nullptr);
  EXPECT_EQ(r.Object()->at("service"), "user");
  EXPECT_EQ(r.url, "http://127.0.0.1:" + std::to_string(server.port()) + "/settings");
  EXPECT_EQ(client.GetJson("/settings").at("arch"), "sync");
}

TEST(JsonClient, SendsBodyHeadersAndBasicAuth) {
  JsonServer server;
  JsonClient client(BaseUrl("127.0.0.1", server.port()));
  client.BasicAuth("guest", "secret");
  JsonResponse r = client.Post("/echo", "{}", {{"traceparent", "00-abc"}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "{}00-abcBasic Z3Vlc3Q6c2VjcmV0");
  EXPECT_TRUE(r.json.is_null());  // not JSON: the body tells
}

TEST(JsonClient, ErrorsNameTheUrlAndTheStatus) {
  JsonServer server;
  JsonClient client("127.0.0.1", server.port());
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/missing";
  EXPECT_EQ(client.Get("/missing").Describe(),
            "GET " + url + ": status 404 {\"error\": \"not_found\"}");
  try {
    client.GetJson("/missing");
    FAIL() << "no error for a 404";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_NE(std::string(e.what()).find("GET " + url + ": status 404"), std::string::npos)
        << e.what();
  }
  try {
    client.GetJson("/text");
    FAIL() << "no error for a body that is not JSON";
  } catch (const HttpError& e) {
    EXPECT_NE(std::string(e.what()).find("/text: status 200"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not JSON"), std::string::npos) << e.what();
  }
  EXPECT_EQ(client.GetText("/text"), "# HELP x\nx 1\n");
}

TEST(JsonClient, NoAnswerIsAResponseWithStatusZeroOrAnHttpError) {
  int port = 0;
  {
    JsonServer gone;  // a port that was free a moment ago and is closed now
    port = gone.port();
  }
  JsonClient client("127.0.0.1", port);
  JsonResponse r = client.Get("/settings");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  EXPECT_NE(
      r.Describe().find("GET http://127.0.0.1:" + std::to_string(port) + "/settings: no answer ("),
      std::string::npos)
      << r.Describe();
  EXPECT_THROW(client.GetText("/settings"), HttpError);
}

TEST(JsonClient, ReadTimeoutEndsAnAnswerThatTakesTooLong) {
  JsonServer server;
  JsonClient client("127.0.0.1", server.port(),
                    {std::chrono::seconds(1), std::chrono::milliseconds(100)});
  JsonResponse r = client.Get("/slow");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_THROW(client.Send("TRACE", "/slow"), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::http

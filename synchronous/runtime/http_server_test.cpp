// The sync front's connection handling over real loopback sockets.
#include "synchronous/runtime/http_server.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace flowbench::sync {
namespace {

class RunningServer {
 public:
  explicit RunningServer(int threads) : server_(threads, ConnectionLimits{}) {
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_timeout(60);  // idle keep-alive connections stay open a minute
    server_.Get("/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.Serve(); });
  }
  ~RunningServer() {
    server_.Stop();
    thread_.join();
  }
  int Port() const { return port_; }

 private:
  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
};

// A worker serves a request, not a connection: idle keep-alive connections wait without one,
// so more open connections than workers are all answered. (With a worker held per connection,
// the third connection here would wait for one of the first two to idle out: a minute.)
TEST(HttpServer, MoreKeepAliveConnectionsThanWorkersAreAllServed) {
  RunningServer server(2);
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < 6; ++i) {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", server.Port());
    client->set_keep_alive(true);
    client->set_read_timeout(5, 0);
    clients.push_back(std::move(client));
  }
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < clients.size(); ++i) {
      httplib::Result r = clients[i]->Get("/ping");
      ASSERT_TRUE(r) << "connection " << i << ", round " << round << ": "
                     << httplib::to_string(r.error());
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "pong");
    }
  }
}

// Many requests one after another on one keep-alive connection are each answered.
TEST(HttpServer, ManyRequestsOnOneKeepAliveConnectionAreAllAnswered) {
  RunningServer server(1);
  httplib::Client client("127.0.0.1", server.Port());
  client.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) {
    httplib::Result r = client.Get("/ping");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "pong");
  }
}

}  // namespace
}  // namespace flowbench::sync

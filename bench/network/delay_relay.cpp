#include "bench/network/delay_relay.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <cstdio>
#include <deque>
#include <random>
#include <stdexcept>
#include <thread>

namespace flowbench::network {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using asio::experimental::awaitable_operators::operator&&;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Linux's TCP_RTO_MIN: a lost segment is retransmitted no sooner than this.
constexpr std::chrono::milliseconds kMinimumRto{200};

// The draws of one link (shared by its connections; one thread, so no lock).
class LinkRandom {
 public:
  LinkRandom(LinkShape shape, std::uint64_t seed) : shape_(shape), engine_(seed) {}

  // How long a chunk takes to cross: the delay with its jitter, and a retransmission
  // timeout more when the chunk is "lost".
  Clock::duration Transit() {
    auto jitter = shape_.jitter.count();
    std::uniform_int_distribution<long long> spread(-jitter, jitter);
    Clock::duration transit = std::max<Clock::duration>(
        Clock::duration::zero(), shape_.delay + std::chrono::microseconds(spread(engine_)));
    if (shape_.loss > 0 && std::bernoulli_distribution(shape_.loss)(engine_)) {
      transit += std::max<Clock::duration>(kMinimumRto, 4 * shape_.delay);  // 2 x RTT
    }
    return transit;
  }

 private:
  LinkShape shape_;
  std::mt19937_64 engine_;
};

// How often a stalled writer or connect looks whether a cut link has healed.
constexpr std::chrono::milliseconds kCutPoll{5};

// Waits while the link is cut (RelayHost::SetCut, from another thread).
asio::awaitable<void> WhileCut(const std::atomic<bool>& cut) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (cut.load()) {
    poll.expires_after(kCutPoll);
    co_await poll.async_wait(kTuple);
  }
}

struct Chunk {
  Clock::time_point release;
  std::vector<char> bytes;
  enum class Kind { kData, kEnd, kReset } kind = Kind::kData;
};

void CloseBoth(tcp::socket& a, tcp::socket& b) {
  boost::system::error_code ignored;  // either may be closed already: closing is the point
  a.close(ignored);
  b.close(ignored);
}

// One direction of one connection. The reader stamps what it reads with its release time
// and queues it; the writer sends each chunk at that time. Reading never waits for the
// delay: waiting there would add up the delays of back-to-back chunks.
class Direction {
 public:
  Direction(tcp::socket& from, tcp::socket& to, LinkRandom& random, const std::atomic<bool>& cut,
            Clock::time_point not_before)
      : from_(from),
        to_(to),
        random_(random),
        cut_(cut),
        not_before_(not_before),
        wake_(from.get_executor()) {}

  asio::awaitable<void> Run() { co_await (Read() && Write()); }

 private:
  asio::awaitable<void> Read() {
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      auto [ec, n] = co_await from_.async_read_some(asio::buffer(buffer), kTuple);
      Chunk chunk;
      // Never before the connection's handshake would have completed, never before the
      // chunk ahead of it: bytes keep their order whatever the jitter draws.
      chunk.release =
          std::max(last_release_, std::max(Clock::now(), not_before_) + random_.Transit());
      last_release_ = chunk.release;
      if (ec) {
        chunk.kind = ec == asio::error::eof ? Chunk::Kind::kEnd : Chunk::Kind::kReset;
      } else {
        chunk.bytes.assign(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      }
      queue_.push_back(std::move(chunk));
      wake_.cancel();
      if (ec) co_return;
    }
  }

  asio::awaitable<void> Write() {
    for (;;) {
      // One thread: nothing is queued between this check and the wait, so no wake-up is lost.
      while (queue_.empty() || Clock::now() < queue_.front().release) {
        wake_.expires_at(queue_.empty() ? Clock::time_point::max() : queue_.front().release);
        co_await wake_.async_wait(kTuple);  // cancelled: a chunk arrived, look again
      }
      // A cut link holds what is due: it crosses at the heal, in order.
      co_await WhileCut(cut_);
      Chunk chunk = std::move(queue_.front());
      queue_.pop_front();
      if (chunk.kind == Chunk::Kind::kEnd) {
        boost::system::error_code ignored;  // the other side may be gone: the end is what we pass
        to_.shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      if (chunk.kind == Chunk::Kind::kReset) {
        CloseBoth(from_, to_);
        co_return;
      }
      auto [ec, n] = co_await asio::async_write(to_, asio::buffer(chunk.bytes), kTuple);
      if (ec) {
        CloseBoth(from_, to_);  // the receiver is gone: so is the sender's connection
        co_return;
      }
    }
  }

  tcp::socket& from_;
  tcp::socket& to_;
  LinkRandom& random_;
  const std::atomic<bool>& cut_;
  Clock::time_point not_before_;
  Clock::time_point last_release_{};
  std::deque<Chunk> queue_;
  asio::steady_timer wake_;
};

asio::awaitable<void> Relay(tcp::socket client, tcp::endpoint target, LinkRandom& random,
                            const std::atomic<bool>& cut, LinkShape shape) {
  co_await WhileCut(cut);  // a connection into a partition hangs until it heals
  Clock::time_point accepted = Clock::now();
  tcp::socket server(client.get_executor());
  auto [ec] = co_await server.async_connect(target, kTuple);
  if (ec) co_return;  // the client's connection closes, as a refused one would end
  server.set_option(tcp::no_delay(true));
  client.set_option(tcp::no_delay(true));
  // The client's connect() returned at once (the kernel accepted locally); on a real link
  // its first bytes leave one round trip later, after the SYN / SYN-ACK exchange.
  Direction up(client, server, random, cut, accepted + 2 * shape.delay);
  Direction down(server, client, random, cut, accepted);
  co_await (up.Run() && down.Run());
}

void ReportFailure(std::exception_ptr failure) {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flowbench: a network relay connection failed: %s\n", e.what());
  }
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, tcp::endpoint target, LinkRandom& random,
                             const std::atomic<bool>& cut, LinkShape shape) {
  asio::steady_timer pause(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {  // e.g. out of file descriptors: say so, and try again shortly
      std::fprintf(stderr, "flowbench: the relay to %s:%d cannot accept: %s\n",
                   target.address().to_string().c_str(), target.port(), ec.message().c_str());
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), Relay(std::move(socket), target, random, cut, shape),
                   ReportFailure);
  }
}

}  // namespace

struct RelayHost::Impl {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  std::deque<tcp::acceptor> acceptors;  // a deque: coroutines hold references to its elements
  std::deque<LinkRandom> randoms;
  std::deque<std::atomic<bool>> cuts;  // per link, in the order of Links()
  std::thread thread;
};

RelayHost::RelayHost(LinkShape shape, std::uint64_t seed)
    : shape_(shape), seed_(seed), impl_(std::make_unique<Impl>()) {
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

RelayHost::~RelayHost() {
  impl_->io.stop();
  impl_->thread.join();
  // The relayed connections' sockets close when the io_context destroys their coroutines.
}

RelayLink RelayHost::Add(const std::string& name, const std::string& target_host, int target_port,
                         const std::string& listen_host, int listen_port) {
  asio::ip::tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(target_host, std::to_string(target_port));
  if (endpoints.empty()) {
    throw std::runtime_error("network link " + name + ": cannot resolve " + target_host);
  }
  tcp::endpoint target = endpoints.begin()->endpoint();
  // Opened in this thread before the relay thread sees it: nothing uses it concurrently.
  tcp::acceptor& acceptor = impl_->acceptors.emplace_back(
      impl_->io,
      tcp::endpoint(asio::ip::make_address(listen_host), static_cast<unsigned short>(listen_port)));
  LinkRandom& random = impl_->randoms.emplace_back(shape_, seed_ + links_.size());
  std::atomic<bool>& cut = impl_->cuts.emplace_back(false);
  asio::co_spawn(impl_->io, Accept(acceptor, target, random, cut, shape_), ReportFailure);
  RelayLink link{name, target_host, target_port, listen_host, acceptor.local_endpoint().port()};
  links_.push_back(link);
  return link;
}

void RelayHost::SetCut(const std::string& name, bool cut) {
  for (std::size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].name == name) {
      impl_->cuts[i].store(cut);
      return;
    }
  }
  throw std::invalid_argument("no network link '" + name + "' to cut");
}

}  // namespace flowbench::network

#include "net/https_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "api/json.h"
#include "crypto/tls_cert.h"

namespace minato::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

void add_security_headers(api::HttpResponse& resp) {
  auto& h = resp.headers;
  h.emplace_back("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  h.emplace_back("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  h.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  h.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  h.emplace_back("Cache-Control", "no-store");
}

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

api::HttpResponse plain_error(int status, ErrorCode code, const std::string& message) {
  api::HttpResponse r = api::error_response(Error(code, message));
  r.status = status;
  return r;
}

class Server;

// Counts open connections, globally and per source address.
class ConnectionLimiter {
 public:
  ConnectionLimiter(int global, int per_source) : global_(global), per_source_(per_source) {}
  bool admit(const std::string& source) {
    std::lock_guard lock(mu_);
    if (total_ >= global_) return false;
    int& n = by_source_[source];
    if (n >= per_source_) {
      if (n == 0) by_source_.erase(source);
      return false;
    }
    ++n;
    ++total_;
    return true;
  }
  void release(const std::string& source) {
    std::lock_guard lock(mu_);
    auto it = by_source_.find(source);
    if (it != by_source_.end() && --it->second <= 0) by_source_.erase(it);
    --total_;
  }
  int total() const {
    std::lock_guard lock(mu_);
    return total_;
  }

 private:
  mutable std::mutex mu_;
  int global_, per_source_;
  int total_ = 0;
  std::map<std::string, int> by_source_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket, ssl::context& ctx, std::string source);
  ~Session();
  void start();
  // Closes the connection if it is waiting for a request (used when draining).
  void close_if_idle();

 private:
  void on_handshake(beast::error_code ec);
  void read_request();
  void on_header(beast::error_code ec);
  void on_body(beast::error_code ec);
  void on_read_error(beast::error_code ec);
  void dispatch();
  void send(api::HttpResponse resp, bool keep_alive);
  void on_write(bool keep_alive, beast::error_code ec);
  void shutdown();

  Server& server_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string source_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::atomic<bool> idle_{false};
  bool first_request_ = true;
};

class Server final : public HttpsServer {
 public:
  Server(const ServerOptions& o, Handler handler)
      : options_(o),
        handler_(std::move(handler)),
        ssl_ctx_(ssl::context::tls_server),
        workers_(static_cast<size_t>(o.worker_threads)),
        slow_workers_(static_cast<size_t>(std::max(1, o.slow_worker_threads))),
        limiter_(o.max_connections, o.max_connections_per_source),
        acceptor_(ioc_),
        signals_(ioc_, SIGTERM, SIGINT) {}

  ~Server() override { stopped_ = true; }

  static int verify_client(X509_STORE_CTX* store, void* arg) {
    auto* self = static_cast<Server*>(arg);
    X509* leaf = X509_STORE_CTX_get0_cert(store);
    std::string fp = crypto::cert_fingerprint_sha256(leaf);
    for (const auto& allowed : self->options_.client_cert_sha256) {
      if (!fp.empty() && fp == allowed) return 1;
    }
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }

  Status init() {
    // G2.3-b: TLS 1.2 minimum, AEAD only, no compression/renegotiation, server chooses.
    SSL_CTX* ctx = ssl_ctx_.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) {
      return fail(ErrorCode::kInternal, "cannot configure TLS cipher suites");
    }
    SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384");
    if (!options_.client_cert_sha256.empty()) {
      // Pinned client certificates (self-signed ones included): the chain is not built
      // against a CA; the leaf's fingerprint must be one of the listed.
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      SSL_CTX_set_cert_verify_callback(ctx, &Server::verify_client, this);
    }
    boost::system::error_code ec;
    ssl_ctx_.use_certificate_chain_file(options_.cert_pem_path, ec);
    if (ec) {
      return fail(ErrorCode::kFailedPrecondition,
                  "cannot load TLS certificate " + options_.cert_pem_path + ": " + ec.message());
    }
    ssl_ctx_.use_private_key_file(options_.key_pem_path, ssl::context::pem, ec);
    if (ec) {
      return fail(ErrorCode::kFailedPrecondition,
                  "cannot load TLS key " + options_.key_pem_path + ": " + ec.message());
    }

    auto addr = asio::ip::make_address(options_.host, ec);
    if (ec) {
      return fail(ErrorCode::kInvalidArgument,
                  "listen address '" + options_.host + "' is not an IP address", "listen");
    }
    tcp::endpoint ep(addr, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return fail(ErrorCode::kUnavailable, "cannot listen on " + options_.host + ":" +
                                               std::to_string(options_.port) + ": " + ec.message());
    }
    return ok();
  }

  Status run() override {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) begin_drain();
    });
    guard_.emplace(ioc_.get_executor());
    accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads) t.join();
    workers_.join();
    slow_workers_.join();
    return ok();
  }

  void stop() override {
    asio::post(ioc_, [this] { begin_drain(); });
  }

  uint16_t port() const override { return acceptor_.local_endpoint().port(); }

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  asio::thread_pool& workers() { return workers_; }
  asio::thread_pool& slow_workers() { return slow_workers_; }
  std::atomic<int>& slow_busy() { return slow_busy_; }
  bool draining() const { return draining_; }
  void session_started(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mu_);
    sessions_[s.get()] = s;
  }
  void session_ended(Session* s, const std::string& source) {
    limiter_.release(source);
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(s);
    if (draining_ && sessions_.empty() && !stopped_) asio::post(ioc_, [this] { finish(); });
  }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket sock) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        accept();
        return;
      }
      boost::system::error_code aec;
      auto remote = sock.remote_endpoint(aec);
      if (aec) {
        accept();
        return;
      }
      std::string source = remote.address().to_string();
      // Limits first, before any TLS work is spent on the connection.
      if (draining_ || (options_.admit_source && !options_.admit_source(source)) ||
          !limiter_.admit(source)) {
        sock.close(aec);
      } else {
        auto s = std::make_shared<Session>(*this, std::move(sock), ssl_ctx_, source);
        session_started(s);
        s->start();
      }
      accept();
    });
  }

  void begin_drain() {
    if (draining_) return;
    draining_ = true;
    std::fprintf(stderr, "minato: shutting down: finishing requests in flight\n");
    boost::system::error_code ec;
    acceptor_.close(ec);
    signals_.cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sessions_mu_);
      if (sessions_.empty()) {
        asio::post(ioc_, [this] { finish(); });
        return;
      }
      for (auto& [ptr, weak] : sessions_) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->close_if_idle();
  }

  void finish() {
    stopped_ = true;
    guard_.reset();
    ioc_.stop();
  }

  // Declaration order is destruction order, reversed: the io_context and its I/O objects go
  // first, while everything a Session's destructor touches (limiter, session map, TLS context)
  // is still alive — ~io_context destroys handlers that may own the last Session references.
  ServerOptions options_;
  Handler handler_;
  ssl::context ssl_ctx_;
  asio::thread_pool workers_;
  asio::thread_pool slow_workers_;
  std::atomic<int> slow_busy_{0};
  ConnectionLimiter limiter_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
  std::mutex sessions_mu_;
  std::map<Session*, std::weak_ptr<Session>> sessions_;
  asio::io_context ioc_;
  // Keeps run() running while every connection is in a worker (no I/O pending on the
  // io_context): without it run() would return mid-drain and strand their responses.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
};

Session::Session(Server& server, tcp::socket socket, ssl::context& ctx, std::string source)
    : server_(server), stream_(std::move(socket), ctx), source_(std::move(source)) {}

Session::~Session() { server_.session_ended(this, source_); }

void Session::start() {
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(server_.options().handshake_timeout_s));
  stream_.async_handshake(
      ssl::stream_base::server,
      [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
}

void Session::close_if_idle() {
  // Runs on another thread: hop onto the session's strand.
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_) {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().cancel(ec);
    }
  });
}

void Session::on_handshake(beast::error_code ec) {
  if (ec) return;  // timed out or not TLS: drop without a word
  read_request();
}

void Session::read_request() {
  if (server_.draining()) {
    shutdown();
    return;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().header_limit_bytes));
  // Beast checks a declared Content-Length against this while it reads the headers, so it is
  // the largest any request may have; on_header narrows it to the request's own.
  parser_->body_limit(static_cast<std::uint64_t>(
      std::max<int64_t>(server_.options().body_limit_bytes, server_.options().upload_limit_bytes)));
  // One deadline for the whole request: trickling bytes does not extend it.
  int timeout =
      first_request_ ? server_.options().request_timeout_s : server_.options().keepalive_timeout_s;
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(timeout));
  idle_ = true;
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  idle_ = false;
  if (ec) {
    on_read_error(ec);
    return;
  }
  auto& req = parser_->get();
  uint64_t limit = static_cast<uint64_t>(server_.options().body_limit_bytes);
  if (server_.options().body_limit_for) {
    int64_t wanted =
        std::min(server_.options().upload_limit_bytes,
                 server_.options().body_limit_for(
                     std::string_view(req.method_string().data(), req.method_string().size()),
                     std::string_view(req.target().data(), req.target().size())));
    if (wanted > 0 && static_cast<uint64_t>(wanted) > limit) limit = static_cast<uint64_t>(wanted);
  }
  parser_->body_limit(limit);  // a chunked body is held to it as it arrives
  // Refuse an over-size body before reading it.
  if (auto len = parser_->content_length(); len && *len > limit) {
    send(plain_error(413, ErrorCode::kInvalidArgument, "request body is too large"), false);
    return;
  }
  // HTTP/1.0 clients (scanners, simple tools) are served too; their connection closes after
  // the answer unless they ask for keep-alive. HTTP/0.9 and 2+ are not spoken here.
  if (req.version() != 11 && req.version() != 10) {
    send(plain_error(505, ErrorCode::kInvalidArgument, "only HTTP/1.0 and 1.1 are supported"),
         false);
    return;
  }
  // After the first request the deadline for the next one is the request timeout again.
  if (!first_request_) {
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(server_.options().request_timeout_s));
  }
  first_request_ = false;
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

// A failed read: answer what deserves an answer (limits, malformed requests), drop the rest
// (timeouts, the peer leaving, shutdown).
void Session::on_read_error(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    send(plain_error(431, ErrorCode::kInvalidArgument, "request headers are too large"), false);
  } else if (ec == http::error::body_limit) {
    send(plain_error(413, ErrorCode::kInvalidArgument, "request body is too large"), false);
  } else if (ec != http::error::end_of_stream &&
             ec.category() == http::make_error_code(http::error::bad_target).category()) {
    send(plain_error(400, ErrorCode::kInvalidArgument, "malformed HTTP request"), false);
  } else {
    shutdown();  // timeout, the peer left, a TLS error, or we are draining
  }
}

void Session::on_body(beast::error_code ec) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  dispatch();
}

void Session::dispatch() {
  auto req = parser_->release();
  api::HttpRequest in;
  in.method = std::string(req.method_string());
  std::string target(req.target());
  auto q = target.find('?');
  in.path = target.substr(0, q);
  if (q != std::string::npos) in.query = target.substr(q + 1);
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    in.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  in.body = std::move(req.body());
  in.source = source_;
  if (!server_.options().client_cert_sha256.empty()) {
    in.client_cert =
        crypto::cert_fingerprint_sha256(SSL_get0_peer_certificate(stream_.native_handle()));
  }
  bool keep_alive = req.keep_alive();
  beast::get_lowest_layer(stream_).expires_never();
  if (server_.options().is_inline && server_.options().is_inline(in)) {
    api::HttpResponse resp;
    try {
      resp = server_.handler()(in);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "minato: handler threw: %s\n", e.what());
      resp = plain_error(500, ErrorCode::kInternal, "internal error");
    }
    send(std::move(resp), keep_alive);
    return;
  }
  // The handler may wait on the write path or the login pool: run it off the I/O threads.
  const bool slow = server_.options().is_slow && server_.options().is_slow(in);
  // A slow request that would only wait in a queue for a slow worker is answered 429 now: the
  // flood sheds load at once instead of piling up unseen.
  if (slow && server_.slow_busy().fetch_add(1) >= server_.options().slow_worker_threads) {
    server_.slow_busy().fetch_sub(1);
    if (server_.options().on_shed) server_.options().on_shed(source_);
    send(plain_error(429, ErrorCode::kResourceExhausted, "too many logins in progress; try again"),
         keep_alive);
    return;
  }
  asio::post(slow ? server_.slow_workers() : server_.workers(),
             [self = shared_from_this(), in = std::move(in), keep_alive, slow]() {
               api::HttpResponse resp;
               try {
                 resp = self->server_.handler()(in);
               } catch (const std::exception& e) {
                 // Cannot happen by design (no exceptions on this path); never leak it to the
                 // client.
                 std::fprintf(stderr, "minato: handler threw: %s\n", e.what());
                 resp = plain_error(500, ErrorCode::kInternal, "internal error");
               }
               if (slow) self->server_.slow_busy().fetch_sub(1);
               asio::post(self->stream_.get_executor(),
                          [self, resp = std::move(resp), keep_alive]() mutable {
                            self->send(std::move(resp), keep_alive);
                          });
             });
}

void Session::send(api::HttpResponse resp, bool keep_alive) {
  add_security_headers(resp);
  auto res = std::make_shared<http::response<http::string_body>>();
  res->version(11);
  res->result(static_cast<unsigned>(resp.status));
  if (!resp.body.empty() || resp.status != 204)
    res->set(http::field::content_type, resp.content_type);
  for (auto& [k, v] : resp.headers) res->insert(k, v);
  res->body() = std::move(resp.body);
  keep_alive = keep_alive && !server_.draining();
  res->keep_alive(keep_alive);
  res->prepare_payload();
  response_ = res;
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(server_.options().request_timeout_s));
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                      self->on_write(keep_alive, ec);
                    });
}

void Session::on_write(bool keep_alive, beast::error_code ec) {
  response_.reset();
  if (ec) return;
  if (keep_alive) {
    read_request();
  } else {
    shutdown();
  }
}

void Session::shutdown() {
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
  stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
    beast::error_code ec;
    beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
  });
}

}  // namespace

Result<std::unique_ptr<HttpsServer>> HttpsServer::create(const ServerOptions& options,
                                                         Handler handler) {
  auto s = std::make_unique<Server>(options, std::move(handler));
  MINATO_TRY(s->init());
  return std::unique_ptr<HttpsServer>(std::move(s));
}

}  // namespace minato::net

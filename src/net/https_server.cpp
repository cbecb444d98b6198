#include "net/https_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "api/json.h"
#include "crypto/tls_cert.h"
#include "net/connection_limiter.h"
#include "net/request_checks.h"

namespace minato::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

void add_security_headers(api::HttpResponse& resp) {
  auto& h = resp.headers;
  h.emplace_back("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  // The console runs under this policy too: scripts and styles only from its own files, no
  // inline code, no eval, and Trusted Types so that no string reaches an HTML sink unless it
  // went through a named policy (lit-html's, for its own templates).
  h.emplace_back("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
                 "require-trusted-types-for 'script'; trusted-types lit-html");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("X-Frame-Options", "DENY");
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  h.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  h.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  // Nothing is cached unless the handler said otherwise (the console's content-hashed assets).
  bool cache_set = false;
  for (const auto& [k, v] : h) cache_set = cache_set || k == "Cache-Control";
  if (!cache_set) h.emplace_back("Cache-Control", "no-store");
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

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket, ssl::context& ctx, std::string source,
          std::string source_key);
  ~Session();
  void start();
  // Closes the connection if it is waiting for a request (used when draining).
  void close_if_idle();
  // Closes the connection if it has no request in progress: still in its TLS handshake or
  // waiting for a request (used to make room under pressure). Returns whether it may.
  bool shed_if_waiting();
  const std::string& source_key() const { return source_key_; }

 private:
  void on_handshake(beast::error_code ec);
  void read_request();
  // Reads until the header block is whole, checks it raw (obs-fold), then lets Beast parse it.
  void read_header_block();
  void on_header(beast::error_code ec);
  // Answers `status` with `message`, records the refusal, and closes the connection.
  void refuse(int status, std::string_view kind, const std::string& message);
  void on_body(beast::error_code ec);
  void on_read_error(beast::error_code ec);
  void dispatch();
  void send(api::HttpResponse resp, bool keep_alive);
  void on_write(bool keep_alive, beast::error_code ec);
  void shutdown();
  // A text/event-stream response (the console's live view): the header, then events as the
  // stream writes them, until either side ends it. A read stays pending to notice the peer
  // leaving; each write must finish within the request timeout.
  void start_stream(api::HttpResponse resp);
  void on_stream_head(beast::error_code ec);
  void watch_peer();
  void stream_write(std::string text);
  void write_next_event();
  void stream_close();

  Server& server_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::string source_;
  std::string source_key_;  // what the connection limits count it under (an IPv6 /64)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::atomic<bool> idle_{false};
  std::atomic<bool> handshaking_{false};
  std::atomic<bool> shed_{false};  // closed by the server to make room: not the peer's doing
  bool first_request_ = true;
  // The live view's stream, while one is open (all on the session's strand).
  std::shared_ptr<api::EventStream> events_;
  std::shared_ptr<http::response<http::empty_body>> event_head_;
  std::shared_ptr<http::response_serializer<http::empty_body>> event_serializer_;
  std::deque<std::string> outbox_;
  std::optional<asio::steady_timer> write_deadline_;
  std::array<char, 256> peer_bytes_{};
  bool streaming_ = false;
  bool writing_ = false;
  bool stream_closed_ = false;
};

// Events queued for one slow reader beyond this end its stream (it reconnects and reloads).
constexpr size_t kMaxQueuedEvents = 512;

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
    // No session resumption: no TLS 1.3 tickets (SSL_OP_NO_TICKET alone only makes OpenSSL
    // issue stateful ones) and no session cache. Every connection is a full handshake with
    // fresh keys; clients keep connections alive instead (docs/security.md).
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
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
  void refused(const std::string& source, std::string_view kind) {
    if (options_.on_refused) options_.on_refused(source, kind);
  }
  void session_ended(Session* s, const std::string& key) {
    limiter_.release(key);
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
      if (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped()) {
        source =
            asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6()).to_string();
      }
      // Limits first, before any TLS work is spent on the connection.
      if (draining_ || (options_.admit_source && !options_.admit_source(source))) {
        sock.close(aec);
        accept();
        return;
      }
      std::string key = ConnectionLimiter::source_key(source);
      auto admission = limiter_.admit(key);
      if (admission != ConnectionLimiter::Admission::kAdmitted) {
        sock.close(aec);
        refused(source, "connection_cap");
      } else {
        auto s = std::make_shared<Session>(*this, std::move(sock), ssl_ctx_, source, key);
        session_started(s);
        s->start();
      }
      // G2.4-c: under pressure, idle connections of the heaviest source go first, so that
      // the room they hold returns to new and light clients.
      if (limiter_.under_pressure()) shed_idle_of_heaviest();
      accept();
    });
  }

  void shed_idle_of_heaviest() {
    auto heaviest = limiter_.heaviest_over_share();
    if (!heaviest) return;
    std::vector<std::shared_ptr<Session>> candidates;
    {
      std::lock_guard lock(sessions_mu_);
      for (auto& [ptr, weak] : sessions_) {
        auto s = weak.lock();
        if (s && s->source_key() == *heaviest) candidates.push_back(std::move(s));
      }
    }
    for (auto& s : candidates) {
      if (s->shed_if_waiting()) return;  // one per new connection
    }
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

Session::Session(Server& server, tcp::socket socket, ssl::context& ctx, std::string source,
                 std::string source_key)
    : server_(server),
      stream_(std::move(socket), ctx),
      source_(std::move(source)),
      source_key_(std::move(source_key)) {}

Session::~Session() { server_.session_ended(this, source_key_); }

void Session::start() {
  handshaking_ = true;
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(server_.options().handshake_timeout_s));
  stream_.async_handshake(
      ssl::stream_base::server,
      [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
}

void Session::close_if_idle() {
  // Runs on another thread: hop onto the session's strand.
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_ || self->streaming_) {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().cancel(ec);
    }
  });
}

bool Session::shed_if_waiting() {
  if (!handshaking_ && !idle_) return false;
  if (shed_.exchange(true)) return false;  // already being shed
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->handshaking_ || self->idle_) {
      beast::error_code ec;
      beast::get_lowest_layer(self->stream_).socket().cancel(ec);
      beast::get_lowest_layer(self->stream_).socket().close(ec);
    } else {
      self->shed_ = false;  // a request started meanwhile: leave it be
    }
  });
  return true;
}

void Session::on_handshake(beast::error_code ec) {
  handshaking_ = false;
  if (ec) {
    // Timed out or not TLS: dropped without a word, but counted (A1.4.2, G2.7.3-a) unless the
    // server closed it to make room or is stopping.
    if (!shed_ && !server_.draining()) server_.refused(source_, "tls_handshake");
    return;
  }
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
  read_header_block();
}

void Session::read_header_block() {
  std::string_view have(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  const size_t limit = static_cast<size_t>(server_.options().header_limit_bytes);
  size_t end = header_block_end(have.substr(0, std::min(have.size(), limit + 4)));
  if (end != std::string_view::npos && end > limit) {
    idle_ = false;
    refuse(431, "headers_too_large", "request headers are too large");
    return;
  }
  if (end != std::string_view::npos) {
    idle_ = false;
    if (has_obs_fold(have.substr(0, end))) {
      refuse(400, "bad_request", "obsolete line folding in a header is not accepted");
      return;
    }
    // The whole block is in the buffer: Beast parses it without reading.
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    return;
  }
  if (have.size() > limit) {
    idle_ = false;
    refuse(431, "headers_too_large", "request headers are too large");
    return;
  }
  auto space = buffer_.prepare(std::max<size_t>(limit + 4 - have.size(), 512));
  stream_.async_read_some(space, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    if (ec) {
      self->idle_ = false;
      self->on_read_error(ec);
      return;
    }
    self->buffer_.commit(n);
    if (n > 0) self->idle_ = false;  // a request is arriving: no longer idle
    self->read_header_block();
  });
}

void Session::refuse(int status, std::string_view kind, const std::string& message) {
  server_.refused(source_, kind);
  send(plain_error(status, ErrorCode::kInvalidArgument, message), false);
}

void Session::on_header(beast::error_code ec) {
  idle_ = false;
  if (ec) {
    on_read_error(ec);
    return;
  }
  auto& req = parser_->get();
  // A1.4.2: framing the parser would let through (a request without Host, codings other than
  // chunked read as "no body", duplicate lengths) is refused before the body is read.
  RequestHead head;
  head.version = static_cast<int>(req.version());
  head.host_fields = static_cast<int>(req.count(http::field::host));
  head.content_length_fields = static_cast<int>(req.count(http::field::content_length));
  for (auto it = req.find(http::field::transfer_encoding);
       it != req.end() && it->name() == http::field::transfer_encoding; ++it) {
    head.transfer_encoding.emplace_back(it->value());
  }
  if (req.version() == 11 || req.version() == 10) {
    if (std::string why = framing_refusal(head); !why.empty()) {
      refuse(400, "bad_request", why);
      return;
    }
  }
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
    refuse(413, "body_too_large", "request body is too large");
    return;
  }
  // HTTP/1.0 clients (scanners, simple tools) are served too; their connection closes after
  // the answer unless they ask for keep-alive. HTTP/0.9 and 2+ are not spoken here.
  if (req.version() != 11 && req.version() != 10) {
    refuse(505, "bad_version", "only HTTP/1.0 and 1.1 are supported");
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
    refuse(431, "headers_too_large", "request headers are too large");
  } else if (ec == http::error::body_limit) {
    refuse(413, "body_too_large", "request body is too large");
  } else if (ec != http::error::end_of_stream &&
             ec.category() == http::make_error_code(http::error::bad_target).category()) {
    refuse(400, "bad_request", "malformed HTTP request");
  } else {
    // A request that did not arrive whole in time (slowloris), or a first request that never
    // came, is counted; an idle keep-alive connection timing out, the peer leaving, a
    // connection shed to make room or a server stopping is not.
    const bool timed_out = ec == beast::error::timeout;
    const bool partial = buffer_.size() > 0 || (parser_ && parser_->is_header_done());
    if (timed_out && (partial || first_request_) && !shed_ && !server_.draining()) {
      server_.refused(source_, "request_timeout");
    }
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
  // A connection kept alive from a source no longer admitted (an incident narrowed the
  // listener, G3.1-c; the source was blocked) ends before its next request is served.
  if (server_.options().admit_source && !server_.options().admit_source(source_)) {
    shutdown();
    return;
  }
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
  if (resp.stream && resp.status == 200) {
    start_stream(std::move(resp));
    return;
  }
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

void Session::start_stream(api::HttpResponse resp) {
  events_ = std::move(resp.stream);
  streaming_ = true;
  event_head_ = std::make_shared<http::response<http::empty_body>>();
  auto& head = *event_head_;
  head.version(11);
  head.result(200);
  head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  for (auto& [k, v] : resp.headers) head.insert(k, v);
  // No length: the body runs until the connection closes.
  head.keep_alive(false);
  event_serializer_ = std::make_shared<http::response_serializer<http::empty_body>>(head);
  beast::get_lowest_layer(stream_).expires_after(
      std::chrono::seconds(server_.options().request_timeout_s));
  http::async_write_header(
      stream_, *event_serializer_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_stream_head(ec); });
}

void Session::on_stream_head(beast::error_code ec) {
  if (ec) {
    stream_close();
    return;
  }
  beast::get_lowest_layer(stream_).expires_never();
  write_deadline_.emplace(stream_.get_executor());
  watch_peer();
  // The stream's functions hold the session weakly: the pending read keeps it alive, and
  // once the connection is gone they do nothing.
  std::weak_ptr<Session> weak = shared_from_this();
  auto exec = stream_.get_executor();
  events_->open(
      [weak, exec](std::string text) {
        if (auto self = weak.lock()) {
          asio::post(exec, [self, text = std::move(text)]() mutable {
            self->stream_write(std::move(text));
          });
        }
      },
      [weak, exec] {
        if (auto self = weak.lock()) asio::post(exec, [self] { self->stream_close(); });
      });
}

void Session::watch_peer() {
  // The client sends nothing more on this connection; a completed read means it left (or
  // broke the protocol): either way the stream ends.
  stream_.async_read_some(asio::buffer(peer_bytes_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec || self->stream_closed_) {
                              self->stream_close();
                              return;
                            }
                            self->watch_peer();
                          });
}

void Session::stream_write(std::string text) {
  if (stream_closed_) return;
  if (outbox_.size() >= kMaxQueuedEvents) {
    stream_close();  // a reader this slow would only fall further behind
    return;
  }
  outbox_.push_back(std::move(text));
  if (!writing_) write_next_event();
}

void Session::write_next_event() {
  writing_ = true;
  write_deadline_->expires_after(std::chrono::seconds(server_.options().request_timeout_s));
  write_deadline_->async_wait(
      [weak = std::weak_ptr<Session>(shared_from_this())](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->writing_) return;
        beast::error_code ignored;
        beast::get_lowest_layer(self->stream_).socket().cancel(ignored);  // the write fails
      });
  asio::async_write(stream_, asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->write_deadline_->cancel();
                      self->outbox_.pop_front();
                      if (ec && !self->stream_closed_) {
                        self->stream_close();  // ends the stream and the connection
                        return;
                      }
                      if (self->stream_closed_) {
                        self->shutdown();  // closed while this write was in flight
                        return;
                      }
                      if (!self->outbox_.empty()) self->write_next_event();
                    });
}

void Session::stream_close() {
  if (stream_closed_) return;
  stream_closed_ = true;
  if (events_) {
    events_->closed();
    events_.reset();
  }
  if (writing_) return;  // the write in flight finishes (or fails) first; nothing follows it
  shutdown();
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

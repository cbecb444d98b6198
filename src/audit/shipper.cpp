#include "audit/shipper.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <sstream>

#include "audit/event.h"
#include "common/files.h"

namespace minato::audit {

namespace {

std::string rfc3339(int64_t at_us) {
  time_t s = static_cast<time_t>(at_us / 1'000'000);
  struct tm tm {};
  gmtime_r(&s, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(at_us % 1'000'000));
  return buf;
}

std::string openssl_error(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

}  // namespace

std::string syslog_frame(int severity, int64_t at_us, const std::string& hostname,
                         const std::string& msgid, int64_t seq, const std::string& json) {
  // Facility 13 (log audit). PRI = facility * 8 + severity.
  std::string msg = "<" + std::to_string(13 * 8 + severity) + ">1 " + rfc3339(at_us) + " " +
                    (hostname.empty() ? "-" : hostname) + " minato " + std::to_string(::getpid()) +
                    " " + msgid + " [minato@32473 seq=\"" + std::to_string(seq) + "\"] " + json;
  return std::to_string(msg.size()) + " " + msg;
}

// A TLS connection to the collector (blocking socket with timeouts).
struct Shipper::Conn {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  ~Conn() { close(); }
  void close() {
    if (ssl != nullptr) {
      SSL_free(ssl);
      ssl = nullptr;
    }
    if (ctx != nullptr) {
      SSL_CTX_free(ctx);
      ctx = nullptr;
    }
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
  bool open() const { return ssl != nullptr; }

  Status connect(const ShipperOptions& o) {
    close();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(o.port);
    if (int rc = ::getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      return fail(ErrorCode::kUnavailable, "cannot resolve " + o.host + ": " + ::gai_strerror(rc));
    }
    std::string last = "no address";
    for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
      int s = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (s < 0) continue;
      int rc = ::connect(s, ai->ai_addr, ai->ai_addrlen);
      if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{s, POLLOUT, 0};
        if (::poll(&p, 1, 5000) == 1) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
          rc = err == 0 ? 0 : -1;
          errno = err;
        } else {
          rc = -1;
          errno = ETIMEDOUT;
        }
      }
      if (rc == 0) {
        fd = s;
      } else {
        last = std::strerror(errno);
        ::close(s);
      }
    }
    ::freeaddrinfo(res);
    if (fd < 0) {
      return fail(ErrorCode::kUnavailable,
                  "cannot connect to syslog collector " + o.host + ":" + port + ": " + last);
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) return fail(ErrorCode::kInternal, openssl_error("TLS context"));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int loaded = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                   : SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return fail(ErrorCode::kFailedPrecondition,
                  openssl_error("cannot load the CA for the syslog collector " + o.ca_file));
    }
    if (!o.cert_file.empty()) {
      if (SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        return fail(ErrorCode::kFailedPrecondition,
                    openssl_error("cannot load the client certificate " + o.cert_file));
      }
    }
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    const std::string& name = o.server_name.empty() ? o.host : o.server_name;
    in6_addr probe{};
    bool is_ip = ::inet_pton(AF_INET, name.c_str(), &probe) == 1 ||
                 ::inet_pton(AF_INET6, name.c_str(), &probe) == 1;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    }
    if (SSL_connect(ssl) != 1) {
      long verify = SSL_get_verify_result(ssl);
      std::string why = verify != X509_V_OK ? std::string("certificate not trusted: ") +
                                                  X509_verify_cert_error_string(verify)
                                            : openssl_error("TLS handshake failed");
      close();
      return fail(ErrorCode::kUnavailable, "syslog collector " + name + ": " + why);
    }
    return ok();
  }

  // The collector closed the connection (or sent something we do not expect)?
  bool peer_closed() const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) return false;
    // Readable: a close (FIN, close_notify) or TLS 1.3 session tickets. Read without blocking.
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char buf[256];
    bool closed = false;
    for (;;) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) continue;  // a collector has nothing to say; ignore it
      int err = SSL_get_error(ssl, n);
      closed = err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE;
      break;
    }
    ERR_clear_error();
    ::fcntl(fd, F_SETFL, flags);
    return closed;
  }

  Status write_all(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      int n = SSL_write(ssl, data.data() + off, static_cast<int>(data.size() - off));
      if (n <= 0) return fail(ErrorCode::kUnavailable, openssl_error("write to syslog collector"));
      off += static_cast<size_t>(n);
    }
    return ok();
  }

  // Waits until the collector's TCP stack has acknowledged everything written.
  bool drained(int timeout_ms) const {
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
      int pending = 0;
      if (::ioctl(fd, SIOCOUTQ, &pending) != 0) return false;
      if (pending == 0) return true;
      pollfd p{fd, POLLRDHUP, 0};
      if (::poll(&p, 1, 5) == 1 && (p.revents & (POLLRDHUP | POLLERR | POLLHUP)) != 0) {
        return false;
      }
    }
    return false;
  }
};

Shipper::Shipper(store::Store& store, const Clock& clock, ShipperOptions options, AlertFn on_alert)
    : store_(store), clock_(clock), o_(std::move(options)), on_alert_(std::move(on_alert)) {
  if (o_.hostname.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    o_.hostname = host;
  }
}

Status Shipper::start() {
  auto text = read_file(o_.cursor_path, 4096);
  if (text) {
    std::istringstream in(*text);
    std::string key;
    int64_t v = 0;
    while (in >> key >> v) {
      if (key == "events") stats_.shipped_seq = v;
      if (key == "checkpoints") stats_.shipped_checkpoint = v;
    }
  } else if (text.error().code() != ErrorCode::kNotFound) {
    return fail(text.error());
  }
  stats_.last_progress_us = clock_.now_us();
  thread_ = std::thread([this] { run(); });
  return ok();
}

void Shipper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Shipper::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

ShipperStats Shipper::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

Status Shipper::save_cursor() {
  std::string text;
  {
    std::lock_guard lock(mu_);
    text = "events " + std::to_string(stats_.shipped_seq) + "\ncheckpoints " +
           std::to_string(stats_.shipped_checkpoint) + "\n";
  }
  return write_file_atomic(o_.cursor_path, text, 0600);
}

Result<bool> Shipper::ship_batch(Conn& conn) {
  int64_t from = 0, cp_from = 0;
  {
    std::lock_guard lock(mu_);
    from = stats_.shipped_seq;
    cp_from = stats_.shipped_checkpoint;
  }
  auto rx = store_.read();
  if (!rx) return fail(rx.error());
  auto head = (*rx)->audit_head();
  if (!head) return fail(head.error());
  {
    std::lock_guard lock(mu_);
    stats_.head_seq = *head;
  }
  if (*head <= from) return false;
  auto cps = (*rx)->checkpoints();
  if (!cps) return fail(cps.error());

  std::string out;
  int64_t last = from, expected = from + 1, messages = 0, cp_last = cp_from;
  std::vector<std::pair<int64_t, int64_t>> gaps;
  auto next_cp = cps->begin();
  while (next_cp != cps->end() && next_cp->size <= cp_from) ++next_cp;
  auto st = (*rx)->scan_audit(from + 1, [&](const store::AuditRecord& r) {
    if (r.seq != expected) gaps.emplace_back(expected, r.seq - 1);
    expected = r.seq + 1;
    int severity = r.result == "success" ? 6 : 4;  // informational / warning
    std::string msgid = r.action == "audit.heartbeat" ? "heartbeat" : "audit";
    const auto* redact = o_.redact ? &o_.redact : nullptr;
    out += syslog_frame(severity, r.at_us, o_.hostname, msgid, r.seq, event_json(r, redact));
    ++messages;
    last = r.seq;
    for (; next_cp != cps->end() && next_cp->size <= r.seq; ++next_cp) {
      out += syslog_frame(5, next_cp->at_us, o_.hostname, "checkpoint", next_cp->size,
                          checkpoint_json(o_.origin, *next_cp));
      ++messages;
      cp_last = next_cp->size;
    }
    return messages < o_.batch;
  });
  if (!st) return fail(st.error());
  rx = fail(ErrorCode::kInternal, "closed");  // release the snapshot while writing
  if (conn.peer_closed())
    return fail(ErrorCode::kUnavailable, "the collector closed the connection");
  MINATO_TRY(conn.write_all(out));
  {
    std::lock_guard lock(mu_);
    stats_.messages += static_cast<uint64_t>(messages);
  }
  if (!conn.drained(5000)) {
    return fail(ErrorCode::kUnavailable,
                "the collector did not acknowledge what was sent; resending after reconnecting");
  }
  {
    std::lock_guard lock(mu_);
    stats_.shipped_seq = last;
    stats_.shipped_checkpoint = cp_last;
    stats_.last_progress_us = clock_.now_us();
  }
  MINATO_TRY(save_cursor());
  // Gaps are reported once, when the batch that skipped them has been delivered.
  for (const auto& [a, b] : gaps) {
    std::string text =
        a == b ? "audit event " + std::to_string(a) + " is missing"
               : "audit events " + std::to_string(a) + " to " + std::to_string(b) + " are missing";
    {
      std::lock_guard lock(mu_);
      ++stats_.gaps;
    }
    if (on_alert_) {
      on_alert_({"gap",
                 text + " from the database (G2.7.3-c): they were deleted after being "
                        "committed; run `minato audit verify`",
                 *head - from, from});
    }
  }
  return true;
}

void Shipper::check_health(int64_t now_us) {
  ShipAlert a;
  std::string episode;
  {
    std::lock_guard lock(mu_);
    int64_t pending = stats_.head_seq - stats_.shipped_seq;
    a.pending = pending;
    a.shipped_seq = stats_.shipped_seq;
    if (pending >= o_.queue_alert) {
      episode = "backlog";
      a.text = std::to_string(pending) +
               " audit events are waiting to be shipped to the syslog collector (limit " +
               std::to_string(o_.queue_alert) +
               "): " + (stats_.last_error.empty() ? "it is not keeping up" : stats_.last_error);
    } else if (pending > 0 && now_us - stats_.last_progress_us >= o_.stall_seconds * 1'000'000) {
      episode = "stalled";
      a.text = "audit shipping has made no progress for " +
               std::to_string((now_us - stats_.last_progress_us) / 1'000'000) + " s with " +
               std::to_string(pending) + " events waiting: " +
               (stats_.last_error.empty() ? "unknown cause" : stats_.last_error);
    } else if (pending == 0 && !alerted_.empty()) {
      episode = "";
      a.text = "audit shipping has recovered: every event up to " +
               std::to_string(stats_.shipped_seq) + " is at the collector";
    } else {
      return;
    }
    if (episode == alerted_ || (episode == "stalled" && alerted_ == "backlog")) return;
    alerted_ = episode;
  }
  a.kind = episode.empty() ? "recovered" : episode;
  if (on_alert_) on_alert_(a);
}

void Shipper::run() {
  Conn conn;
  int backoff_ms = 500;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
    }
    bool sent = false;
    if (!conn.open()) {
      auto st = conn.connect(o_);
      std::lock_guard lock(mu_);
      stats_.connected = static_cast<bool>(st);
      if (st) {
        ++stats_.connects;
        stats_.last_error.clear();
        backoff_ms = 500;
      } else {
        stats_.last_error = st.error().message();
      }
    }
    if (conn.open()) {
      auto r = ship_batch(conn);
      if (r) {
        sent = *r;
      } else {
        conn.close();
        std::lock_guard lock(mu_);
        stats_.connected = false;
        stats_.last_error = r.error().message();
      }
    } else {
      // Keep the head current for the backlog alert while the collector is away.
      if (auto rx = store_.read(); rx) {
        if (auto head = (*rx)->audit_head(); head) {
          std::lock_guard lock(mu_);
          stats_.head_seq = *head;
        }
      }
    }
    check_health(clock_.now_us());
    if (sent) continue;  // more may be waiting
    std::unique_lock lock(mu_);
    int wait_ms = conn.open() ? 250 : backoff_ms;
    if (!conn.open()) backoff_ms = std::min(backoff_ms * 2, 10'000);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace minato::audit

#include "secops/clamd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

namespace minato::secops {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Error unreachable(const ClamdAddress& a, const std::string& why) {
  return Error(ErrorCode::kUnavailable,
               "the malware scanner (clamd at " + a.str() + ") cannot be reached: " + why);
}

// Waits until `fd` is ready for `events` or the deadline passes.
Status wait_for(int fd, short events, int timeout_ms, const ClamdAddress& a, const char* what) {
  pollfd p{fd, events, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return fail(unreachable(a, std::string("no answer while ") + what));
  if (r < 0) return fail(unreachable(a, std::strerror(errno)));
  return ok();
}

Result<int> connect_to(const ClamdAddress& a, int timeout_ms) {
  int fd = -1;
  int rc = -1;
  if (a.unix_socket) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (a.path.size() >= sizeof sa.sun_path) {
      return fail(ErrorCode::kInvalidArgument, "clamd socket path is too long: " + a.path);
    }
    std::memcpy(sa.sun_path, a.path.c_str(), a.path.size() + 1);
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail(unreachable(a, std::strerror(errno)));
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  } else {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string port = std::to_string(a.port);
    if (int e = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res); e != 0) {
      return fail(unreachable(a, std::string("cannot resolve the host: ") + gai_strerror(e)));
    }
    fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      ::freeaddrinfo(res);
      return fail(unreachable(a, std::strerror(errno)));
    }
    rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
  }
  if (rc < 0 && errno != EINPROGRESS && errno != EAGAIN) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return fail(unreachable(a, why));
  }
  if (rc < 0) {
    if (auto st = wait_for(fd, POLLOUT, timeout_ms, a, "connecting"); !st) {
      ::close(fd);
      return fail(st.error());
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ::close(fd);
      return fail(unreachable(a, std::strerror(err)));
    }
  }
  return fd;
}

Status send_all(int fd, std::string_view data, int timeout_ms, const ClamdAddress& a) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      MINATO_TRY(wait_for(fd, POLLOUT, timeout_ms, a, "sending"));
      continue;
    }
    // clamd closes the stream when a file passes its StreamMaxLength; its reply says so.
    return fail(unreachable(a, std::string("sending failed: ") + std::strerror(errno)));
  }
  return ok();
}

// Reads the reply up to its terminating NUL (or the connection's end).
Result<std::string> read_reply(int fd, int timeout_ms, const ClamdAddress& a) {
  std::string out;
  char buf[1024];
  for (;;) {
    MINATO_TRY(wait_for(fd, POLLIN, timeout_ms, a, "waiting for its answer"));
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return fail(unreachable(a, std::strerror(errno)));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.find('\0') != std::string::npos || out.size() > 4096) break;
  }
  if (auto z = out.find('\0'); z != std::string::npos) out.resize(z);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) return fail(unreachable(a, "it closed the connection without an answer"));
  return out;
}

}  // namespace

Result<ClamdAddress> ClamdAddress::parse(std::string_view text) {
  ClamdAddress a;
  auto bad = [&] {
    return fail(
        ErrorCode::kInvalidArgument,
        "clamd address \"" + std::string(text) + "\" must be unix:/path/to/socket or tcp:host:port",
        "clamd");
  };
  if (text.rfind("unix:", 0) == 0) {
    a.path = std::string(text.substr(5));
    if (a.path.empty() || a.path[0] != '/') return bad();
    return a;
  }
  if (text.rfind("tcp:", 0) != 0) return bad();
  std::string_view rest = text.substr(4);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = rest.substr(0, colon), port = rest.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535 ||
      host.empty()) {
    return bad();
  }
  a.unix_socket = false;
  a.host = std::string(host);
  a.port = static_cast<uint16_t>(p);
  return a;
}

std::string ClamdAddress::str() const {
  if (unix_socket) return "unix:" + path;
  bool v6 = host.find(':') != std::string::npos;
  return "tcp:" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ClamdVersion> parse_clamd_version(std::string_view reply) {
  ClamdVersion v;
  v.raw = std::string(reply);
  if (reply.rfind("ClamAV ", 0) != 0) {
    return fail(ErrorCode::kUnavailable, "the malware scanner's VERSION answer is not clamd's: \"" +
                                             std::string(reply.substr(0, 80)) + "\"");
  }
  size_t s1 = reply.find('/');
  v.engine = std::string(reply.substr(0, s1));
  if (s1 == std::string_view::npos) return v;
  size_t s2 = reply.find('/', s1 + 1);
  v.database = std::string(reply.substr(s1 + 1, s2 == std::string_view::npos ? s2 : s2 - s1 - 1));
  if (s2 == std::string_view::npos) return v;
  std::string when(reply.substr(s2 + 1));
  std::tm tm{};
  const char* end = ::strptime(when.c_str(), "%a %b %d %H:%M:%S %Y", &tm);
  if (end == nullptr) return v;  // a date we cannot read: the age is unknown
  v.built_us = static_cast<int64_t>(::timegm(&tm)) * 1'000'000;
  return v;
}

Result<ClamdVersion> ClamdClient::version() const {
  auto fd = connect_to(address_, timeout_ms_);
  if (!fd) return fail(fd.error());
  Fd guard(*fd);
  MINATO_TRY(send_all(*fd, std::string_view("zVERSION\0", 9), timeout_ms_, address_));
  auto reply = read_reply(*fd, timeout_ms_, address_);
  if (!reply) return fail(reply.error());
  return parse_clamd_version(*reply);
}

Status ClamdClient::reload() const {
  auto fd = connect_to(address_, timeout_ms_);
  if (!fd) return fail(fd.error());
  Fd guard(*fd);
  MINATO_TRY(send_all(*fd, std::string_view("zRELOAD\0", 8), timeout_ms_, address_));
  auto reply = read_reply(*fd, timeout_ms_, address_);
  if (!reply) return fail(reply.error());
  if (*reply != "RELOADING") {
    return fail(ErrorCode::kUnavailable, "clamd at " + address_.str() + " answered RELOAD with \"" +
                                             reply->substr(0, 80) + "\"");
  }
  return ok();
}

Result<ScanVerdict> ClamdClient::scan(std::string_view data) const {
  auto fd = connect_to(address_, timeout_ms_);
  if (!fd) return fail(fd.error());
  Fd guard(*fd);
  MINATO_TRY(send_all(*fd, std::string_view("zINSTREAM\0", 10), timeout_ms_, address_));
  constexpr size_t kChunk = 64 * 1024;
  bool cut = false;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    std::string_view chunk = data.substr(at, kChunk);
    uint32_t n = htonl(static_cast<uint32_t>(chunk.size()));
    char len[4];
    std::memcpy(len, &n, 4);
    if (!send_all(*fd, std::string_view(len, 4), timeout_ms_, address_) ||
        !send_all(*fd, chunk, timeout_ms_, address_)) {
      cut = true;  // clamd stopped reading (size limit): its reply tells why
      break;
    }
  }
  if (!cut) {
    MINATO_TRY(send_all(*fd, std::string_view("\0\0\0\0", 4), timeout_ms_, address_));
  }
  auto reply = read_reply(*fd, timeout_ms_, address_);
  if (!reply) return fail(reply.error());
  ScanVerdict v;
  v.raw = *reply;
  if (reply->find("size limit exceeded") != std::string::npos) {
    return fail(ErrorCode::kResourceExhausted,
                "the file is larger than the malware scanner accepts (clamd StreamMaxLength): "
                "not scanned, not accepted");
  }
  std::string_view r = *reply;
  if (r.size() >= 6 && r.substr(r.size() - 6) == " FOUND") {
    size_t colon = r.find(": ");
    v.infected = true;
    v.signature = std::string(colon == std::string_view::npos
                                  ? r.substr(0, r.size() - 6)
                                  : r.substr(colon + 2, r.size() - 6 - colon - 2));
    return v;
  }
  if (r.size() >= 3 && r.substr(r.size() - 3) == " OK") return v;
  return fail(ErrorCode::kUnavailable,
              "the malware scanner (clamd at " + address_.str() +
                  ") could not scan the file: " + std::string(r.substr(0, 200)));
}

}  // namespace minato::secops

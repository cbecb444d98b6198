#include "net/request_checks.h"

#include <cctype>

namespace minato::net {

size_t header_block_end(std::string_view bytes) {
  constexpr size_t npos = std::string_view::npos;
  size_t crlf = bytes.find("\r\n\r\n");
  size_t lf = bytes.find("\n\n");
  size_t end = npos;
  if (crlf != npos) end = crlf + 4;
  if (lf != npos && lf + 2 < end) end = lf + 2;
  return end;
}

bool has_obs_fold(std::string_view block) {
  // Leading empty lines before the request line are allowed (RFC 9112, 2.2); skip them.
  size_t i = 0;
  while (i < block.size() && (block[i] == '\r' || block[i] == '\n')) ++i;
  for (; i < block.size(); ++i) {
    if (block[i] != '\n' || i + 1 >= block.size()) continue;
    char next = block[i + 1];
    if (next == ' ' || next == '\t') return true;
  }
  return false;
}

namespace {

std::string trimmed_lower(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  std::string out(s.substr(b, e - b));
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string framing_refusal(const RequestHead& head) {
  if (head.version == 11 && head.host_fields == 0) {
    return "an HTTP/1.1 request needs a Host header";
  }
  if (head.host_fields > 1)
    return "a request has one Host header, not " + std::to_string(head.host_fields);
  if (head.content_length_fields > 1) return "a request has at most one Content-Length header";
  if (head.transfer_encoding.empty()) return {};
  if (head.version == 10) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
  if (head.content_length_fields > 0) {
    return "a request has Content-Length or Transfer-Encoding, not both";
  }
  std::vector<std::string> codings;
  for (const auto& field : head.transfer_encoding) {
    std::string_view rest = field;
    while (true) {
      size_t comma = rest.find(',');
      codings.push_back(trimmed_lower(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (codings.size() != 1 || codings[0] != "chunked") {
    return "Transfer-Encoding must be exactly \"chunked\"; no other coding is accepted";
  }
  return {};
}

}  // namespace minato::net

// The listener's own checks on a request head (net/request_checks.h) run on raw bytes from the
// network before any parser: they must never crash, read out of bounds or contradict
// themselves, whatever arrives.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/connection_limiter.h"
#include "net/request_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t end = minato::net::header_block_end(bytes);
  if (end != std::string_view::npos) {
    // The block ends just past an empty line, inside the input.
    if (end > size || end < 2 || bytes[end - 1] != '\n') std::abort();
    (void)minato::net::has_obs_fold(bytes.substr(0, end));
  }
  (void)minato::net::has_obs_fold(bytes);

  // The same bytes as header fields: "Name: value" lines feed the framing rules.
  minato::net::RequestHead head;
  head.version = size > 0 && (data[0] & 1) ? 10 : 11;
  std::string_view rest = bytes;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string value(line.substr(colon + 1));
    if (name == "Host") ++head.host_fields;
    if (name == "Content-Length") ++head.content_length_fields;
    if (name == "Transfer-Encoding") head.transfer_encoding.push_back(value);
  }
  std::string why = minato::net::framing_refusal(head);
  // Accepted framing has one Host in HTTP/1.1 and, with a Transfer-Encoding, exactly chunked.
  if (why.empty() && head.version == 11 && head.host_fields != 1) std::abort();
  if (why.empty() && !head.transfer_encoding.empty() && head.transfer_encoding.size() != 1) {
    std::abort();
  }

  // Peer addresses as text: the source key never throws or overruns.
  (void)minato::net::ConnectionLimiter::source_key(bytes.substr(0, 64));
  return 0;
}

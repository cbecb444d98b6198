// Request checks that the HTTP parser (Beast) is more lenient about than the API may be
// (A1.4.2: no request smuggling or header confusion in front of the API). Pure functions over
// what the listener read, so they are tested without a socket.
//
// Refused with 400:
//  - obsolete line folding (RFC 9112, 5.2: a server must reject it or replace it; Beast would
//    silently unfold it, so the check runs on the raw header block);
//  - an HTTP/1.1 request without Host, or with more than one (RFC 9112, 3.2);
//  - any Transfer-Encoding but a single "chunked" (identity, "chunked, identity",
//    "gzip, chunked"...), Transfer-Encoding in HTTP/1.0, or with Content-Length (RFC 9112,
//    6.1 and 6.3);
//  - more than one Content-Length.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minato::net {

// Where the header block ends in `bytes` (just past its empty line), or npos while it has not
// all arrived. A bare-LF empty line ends it too (the parser then refuses it).
size_t header_block_end(std::string_view bytes);

// True when a header line of `block` (the request line and headers) is an obs-fold
// continuation: it starts with a space or a tab.
bool has_obs_fold(std::string_view block);

struct RequestHead {
  int version = 11;  // 10 or 11
  int host_fields = 0;
  int content_length_fields = 0;
  std::vector<std::string> transfer_encoding;  // the value of each Transfer-Encoding field
};

// Why the request's framing is refused, or "" when it is acceptable.
std::string framing_refusal(const RequestHead& head);

}  // namespace minato::net

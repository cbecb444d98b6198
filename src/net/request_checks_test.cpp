// A1.4.2: what the listener refuses although Beast would parse it.
#include "net/request_checks.h"

#include <gtest/gtest.h>

namespace minato::net {
namespace {

TEST(RequestChecks, HeaderBlockEnd) {
  EXPECT_EQ(header_block_end("GET / HTTP/1.1\r\nHost: a\r\n"), std::string_view::npos);
  EXPECT_EQ(header_block_end("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), 27u);
  EXPECT_EQ(header_block_end("GET / HTTP/1.1\nHost: a\n\nbody"), 24u);
}

TEST(RequestChecks, A1_4_2_ObsFoldIsFound) {
  EXPECT_FALSE(has_obs_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"));
  EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n"));
  // Empty lines before the request line are allowed.
  EXPECT_FALSE(has_obs_fold("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
}

TEST(RequestChecks, A1_4_2_FramingIsStrict) {
  RequestHead h;
  h.host_fields = 1;
  EXPECT_EQ(framing_refusal(h), "");
  h.host_fields = 0;
  EXPECT_NE(framing_refusal(h).find("Host"), std::string::npos);
  h.version = 10;
  EXPECT_EQ(framing_refusal(h), "");  // HTTP/1.0 needs no Host
  h.version = 11;
  h.host_fields = 2;
  EXPECT_NE(framing_refusal(h), "");
  h.host_fields = 1;
  h.content_length_fields = 2;
  EXPECT_NE(framing_refusal(h), "");
  h.content_length_fields = 0;
  for (const char* te : {"chunked", "Chunked", " chunked "}) {
    h.transfer_encoding = {te};
    EXPECT_EQ(framing_refusal(h), "") << te;
  }
  for (const char* te :
       {"identity", "chunked, identity", "gzip, chunked", "gzip", "", "chunked,"}) {
    h.transfer_encoding = {te};
    EXPECT_NE(framing_refusal(h), "") << te;
  }
  h.transfer_encoding = {"gzip", "chunked"};  // two fields are one list
  EXPECT_NE(framing_refusal(h), "");
  h.transfer_encoding = {"chunked"};
  h.content_length_fields = 1;
  EXPECT_NE(framing_refusal(h), "");
  h.content_length_fields = 0;
  h.version = 10;
  EXPECT_NE(framing_refusal(h), "");
}

}  // namespace
}  // namespace minato::net

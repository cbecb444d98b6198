// Refused connections and requests on record (A1.4.2, G2.7.3-a, G2.6.1-d).
#include "app/refusal_log.h"

#include <chrono>
#include <thread>

#include "app/jobs.h"
#include "testing/runtime_fixture.h"

namespace minato::app {
namespace {

TEST(RefusalLog, CountsPerSourceAndKindAndStaysBounded) {
  RefusalLog log;
  log.count("192.0.2.1", "bad_request");
  log.count("192.0.2.1", "bad_request");
  log.count("192.0.2.1", "request_timeout");
  log.count("192.0.2.2", "connection_cap");
  log.count("192.0.2.2", "no_such_kind");  // not one of the kinds: not counted
  EXPECT_EQ(log.total(), 4);
  EXPECT_EQ(log.total_of("bad_request"), 2);
  auto pending = log.take();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(RefusalLog::describe(pending["192.0.2.1"]),
            "2 malformed requests (400), 1 requests that did not arrive whole in time");
  EXPECT_TRUE(log.take().empty());  // taken once
  EXPECT_EQ(log.total(), 4);        // the totals stay for /metrics
  // Metrics name at most kMaxMetricSources sources; the rest are counted together.
  for (int i = 0; i < 100; ++i) log.count("198.51.100." + std::to_string(i), "tls_handshake");
  auto by_source = log.totals_by_source();
  EXPECT_EQ(by_source.size(), RefusalLog::kMaxMetricSources + 1);
  EXPECT_EQ(by_source[RefusalLog::kOtherSources][RefusalLog::kind_index("tls_handshake")],
            100 - static_cast<int64_t>(RefusalLog::kMaxMetricSources) + 2);
}

class RefusalRecordTest : public testing::RuntimeFixture {};

// The minute's refusals become one audit event per source, and a surge alerts security staff.
TEST_F(RefusalRecordTest, G2_7_3_a_RefusalsAreRecordedPerSourceAndASurgeAlerts) {
  rt_->mutable_config().alert_refused_per_minute = 100;
  auto count = [&](const std::string& action) {
    int n = 0;
    for (const auto& e : audit()) n += e.action == action;
    return n;
  };
  Jobs jobs(*rt_, std::chrono::hours(1));
  // The jobs thread's first pass takes the monitor's baseline (and writes a heartbeat).
  for (int i = 0; i < 500 && count("audit.heartbeat") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(count("audit.heartbeat"), 1);
  for (int i = 0; i < 150; ++i) rt_->refusal_log().count("203.0.113.9", "bad_request");
  rt_->refusal_log().count("203.0.113.10", "request_timeout");
  clock_.advance_s(61);
  jobs.run_once();
  jobs.stop();
  int recorded = 0;
  for (const auto& e : audit()) {
    if (e.action != "http.refused") continue;
    ++recorded;
    EXPECT_EQ(e.result, "failure");
    if (e.target == "source:203.0.113.9") {
      EXPECT_EQ(e.reason, "150 malformed requests (400)");
      EXPECT_EQ(e.source, "203.0.113.9");
    }
  }
  EXPECT_EQ(recorded, 2);
  EXPECT_EQ(count("alert.security.refused_requests"), 1);
}

}  // namespace
}  // namespace minato::app

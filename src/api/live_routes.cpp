// The console's live view over Server-Sent Events: GET /api/v1/live opens a stream for the
// session (never for an API token), carrying the topics the user's roles may follow (see
// app/live_feed.h). The stream ends when the session ends, the server stops or the user has
// too many open (429).
#include "api/handlers.h"

namespace minato::api {

namespace {

// The net wing's stream, fed by a subscription of the live feed.
class LiveStream final : public EventStream {
 public:
  explicit LiveStream(std::shared_ptr<app::LiveFeed::Subscription> sub) : sub_(std::move(sub)) {}
  ~LiveStream() override { sub_->detach(); }
  void open(std::function<void(std::string)> write, std::function<void()> end) override {
    sub_->attach(std::move(write), std::move(end));
  }
  void closed() override { sub_->detach(); }

 private:
  std::shared_ptr<app::LiveFeed::Subscription> sub_;
};

}  // namespace

void Api::add_live_routes() {
  router_.add(
      "GET", "/api/v1/live",
      authed(
          [this](const HttpRequest&, const PathParams&, const Caller& c) -> Result<HttpResponse> {
            if (c.via_api_token) {
              return fail(ErrorCode::kPermissionDenied, "the live view is for console sessions");
            }
            std::vector<std::string> topics;
            if (c.actor.has(access::Permission::kTerminalRead)) {
              topics.emplace_back("yard");
              topics.emplace_back("gate");
            }
            if (c.actor.has(access::Permission::kUserAdmin) ||
                c.actor.has(access::Permission::kApprove) ||
                c.actor.has(access::Permission::kAuditLog)) {
              topics.emplace_back("alerts");
            }
            app::IdentityService& identity = rt_.identity();
            auto sub = rt_.live().subscribe(
                c.session.username, std::move(topics),
                [&identity, token = c.token] { return identity.session_alive(token); });
            if (!sub) return fail(sub.error());
            HttpResponse r;
            r.content_type = "text/event-stream";
            r.stream = std::make_shared<LiveStream>(std::move(*sub));
            return r;
          }));
}

}  // namespace minato::api

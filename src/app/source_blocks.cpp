// IdentityService, continued: the source addresses blocked after repeated failed logins, as
// security staff see them, and the early end of a block (G2.2.2-f).
#include <boost/json.hpp>

#include "app/identity_service.h"
#include "common/clock.h"

namespace minato::app {

namespace json = boost::json;

Result<std::vector<identity::SourceGuard::Block>> IdentityService::source_blocks(
    const access::Actor& actor) {
  if (!actor.has(access::Permission::kUserAdmin) && !actor.has(access::Permission::kApprove) &&
      !actor.has(access::Permission::kAuditRead)) {
    return fail(ErrorCode::kPermissionDenied,
                "the source blocks need user.admin, change.approve or audit.read");
  }
  return sources_.blocks();
}

Status IdentityService::unblock_source(const access::Actor& actor, const std::string& source,
                                       const std::string& reason) {
  if (source.empty() || source.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "give the blocked address", "source");
  }
  if (reason.empty()) {
    return fail(ErrorCode::kInvalidArgument, "say why the block ends early", "reason");
  }
  int64_t until = 0;
  auto st = writes_.execute_status(
      actor, {"source.unblock", "source:" + source, access::Permission::kUserAdmin},
      [&](store::WriteTxn&, Effects& fx) -> Status {
        until = sources_.blocked_until(source);
        if (until == 0) {
          return fail(ErrorCode::kNotFound, source + " is not blocked", "source");
        }
        fx.reason = reason + " (was blocked until " + format_utc(until) + ")";
        fx.change =
            json::serialize(json::object{{"source", source},
                                         {"before", json::object{{"blocked_until_us", until}}},
                                         {"after", json::object{{"blocked_until_us", 0}}}});
        return ok();
      });
  // The block is in memory: it ends once its end is on record.
  if (st) sources_.unblock(source);
  return st;
}

}  // namespace minato::app

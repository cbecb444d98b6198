// Step-up: a fresh second factor before credential changes and other sensitive operations.
//
// G2.1.2-a: a session cookie alone must not be enough to take over an account. A stolen session
// could otherwise change the password (guessing the current one without limit), register its
// own authenticator or replace the owner's recovery codes. So those operations, and approvals
// and credential issuing by administrators, need a second factor proved within the last
// kStepUpWindowS seconds: at login, or again with POST /api/v1/session/step-up
// (IdentityService::step_up). Failed proofs there and wrong current passwords count toward the
// same lockout as failed logins; at the lock every session of the account ends.
//
// Usage, inside a command (so that a refusal is audited):
//   MINATO_TRY(require_recent_factor(actor, fx.now_us));
#pragma once

#include <cstdint>

#include "access/roles.h"
#include "common/result.h"

namespace minato::app {

inline constexpr int64_t kStepUpWindowS = 5 * 60;

// ok() when `actor` proved a second factor no more than kStepUpWindowS before `now_us` (the
// operator at the host always has); otherwise kPermissionDenied with field "step_up" and a
// message that says how to prove it. API tokens and system jobs never pass.
Status require_recent_factor(const access::Actor& actor, int64_t now_us);

}  // namespace minato::app

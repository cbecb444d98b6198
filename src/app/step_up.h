// Step-up: a fresh second factor before credential changes and other sensitive operations.
//
// G2.1.2-a: a session cookie alone must not be enough to take over an account. A stolen session
// could otherwise change the password (guessing the current one without limit), register its
// own authenticator or replace the owner's recovery codes. So those operations, and approvals
// and credential issuing by administrators, need a second factor proved within the step-up
// window (login.step_up_seconds, 5 minutes by default): at login, or again with
// POST /api/v1/session/step-up (IdentityService::step_up). Failed proofs there and wrong current
// passwords count toward the same lockout as failed logins; at the lock every session of the
// account ends.
//
// Usage, inside a command (so that a refusal is audited):
//   MINATO_TRY(require_recent_factor(actor, fx.now_us));
#pragma once

#include <cstdint>

#include "access/roles.h"
#include "common/result.h"

namespace minato::app {

// ok() when `actor` still counts as having proved a second factor at `now_us`
// (Actor::step_up_until_us; the operator at the host always does); otherwise
// kPermissionDenied with field "step_up" and a message that says how to prove it. API tokens
// and system jobs never pass.
Status require_recent_factor(const access::Actor& actor, int64_t now_us);

}  // namespace minato::app

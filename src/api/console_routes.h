// The console's files on the API listener: GET of any path outside /api/ is the operator
// console (src/console/assets.h). Content-hashed assets (/assets/...) are cached for a year
// and answer If-None-Match with 304; the paths of the console's screens (routes.txt, which
// the console's build takes from its router) and the paths under them get index.html, never
// cached (so a new release is picked up at the next load); anything else is a 404. The security
// headers (CSP with Trusted Types) are the listener's, as for the API.
#pragma once

#include <optional>

#include "api/http.h"

namespace minato::api {

// The console's answer to `req`, or nullopt when the request is not the console's (a path
// under /api/, or a method other than GET).
std::optional<HttpResponse> console_response(const HttpRequest& req);

}  // namespace minato::api

// Api: the HTTP API of Minato (/api/v1/...). Turns requests into typed service calls and
// service results into JSON. Authentication (session cookie), CSRF and content-type checks
// happen here, before any service runs; authorisation happens in the services.
// docs/api/openapi.yaml describes every route; tests/openapi_test.cpp keeps them in step.
#pragma once

#include <array>

#include "api/http.h"
#include "api/route_kit.h"
#include "api/router.h"
#include "app/runtime.h"

namespace minato::api {

inline constexpr const char* kSessionCookie = "__Host-minato_session";

class Api {
 public:
  explicit Api(app::Runtime& runtime);
  // Handles one request. Thread-safe; may block on the write path or the login pool.
  HttpResponse handle(const HttpRequest& req) const;
  const Router& router() const { return router_; }

 private:
  // Wraps a handler that needs a logged-in caller (session cookie with CSRF token, or an API
  // client's bearer token).
  Handler authed(CallerHandler fn) const;
  void add_terminal_routes();    // terminal_routes.cpp
  void add_gate_routes();        // gate_routes.cpp
  void add_edi_routes();         // edi_routes.cpp
  void add_yard_routes();        // yard_routes.cpp
  void add_live_routes();        // live_routes.cpp
  void add_audit_routes();       // audit_routes.cpp
  void add_backup_routes();      // backup_routes.cpp
  void add_source_routes();      // source_routes.cpp
  void add_incident_routes();    // incident_routes.cpp
  void add_asset_routes();       // asset_routes.cpp
  void add_software_routes();    // software_routes.cpp
  void add_vuln_routes();        // vuln_routes.cpp
  void add_config_routes();      // config_routes.cpp
  void add_compliance_routes();  // compliance_routes.cpp
  app::Runtime& rt_;
  Router router_;
  std::array<Counter*, 5> by_class_{};  // 1xx..5xx
  Histogram* latency_ = nullptr;
};

// G2.6.1-d: the management listener's endpoints — /metrics (Prometheus text), /healthz (the
// process answers) and /readyz (the store answers and the writer keeps up).
HttpResponse handle_management(app::Runtime& runtime, const HttpRequest& req);

// G2.7.2-d: the vault listener's read-only endpoints (vault_routes.cpp).
HttpResponse handle_vault(app::Runtime& runtime, const HttpRequest& req);

}  // namespace minato::api

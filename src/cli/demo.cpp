// `minato demo`: a demo terminal in one step — init with generated passwords (printed once),
// the scenario of sim/scenario.h (a 30,000-TEU yard about half full, three vessel visits, a day
// of gate appointments), then serve.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>

#include "cli/cli.h"
#include "crypto/random.h"
#include "identity/password_policy.h"
#include "sim/scenario.h"

namespace minato::cli {

namespace {

std::string generate_password(const std::string& user) {
  for (;;) {
    std::string pw = crypto::random_token(18);  // 24 characters, 144 bits
    if (identity::check_password({}, user, pw)) return pw;
  }
}

// The demo terminal: the scenario of sim/scenario.h (20 blocks, 30,000 TEU, three vessel
// visits of 2,000-5,000 moves, the yard about half full, a day of gate appointments), loaded
// through the services like real work, so every unit has its gate or vessel move and audit
// event.
Status seed_terminal(app::Runtime& rt) {
  constexpr int64_t kHour = 3600LL * 1'000'000;
  sim::ScenarioOptions o;
  o.start_us = rt.clock().now_us() / kHour * kHour;
  auto s = sim::make_scenario(o);
  auto rep = sim::load_scenario(rt, s, 8, [](const std::string& what) {
    std::fprintf(stderr, "demo: loading %s\n", what.c_str());
  });
  if (!rep) return fail(rep.error());
  std::fprintf(stderr,
               "demo: %lld units in the yard, %lld on vessel lists or expected at the gate, "
               "%lld gate appointments, %lld placements the full yard refused (%.1f s)\n",
               static_cast<long long>(rep->units_in_yard),
               static_cast<long long>(rep->units_advised),
               static_cast<long long>(rep->appointments), static_cast<long long>(rep->skipped),
               rep->seconds);
  return ok();
}

// Where the printed login example points: the API's address, or a note where a free port is
// picked at start.
std::string login_address(const config::Listeners& listen) {
  if (listen.api.empty()) return "127.0.0.1:8443";
  if (listen.api.size() > 2 && listen.api.compare(listen.api.size() - 2, 2, ":0") == 0) {
    return listen.api.substr(0, listen.api.size() - 2) + ":PORT (printed below)";
  }
  return listen.api;
}

// The console's address as printed first: webauthn.origin, or a note where the listener picks
// its port at each start (serve prints the address then).
std::string console_address(app::Runtime& rt) {
  const auto& c = rt.config();
  if (c.listen.size() > 2 && c.listen.compare(c.listen.size() - 2, 2, ":0") == 0) {
    return "https://localhost:PORT (the port is printed below when the server starts)";
  }
  return c.webauthn_origin;
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Create a demo terminal (first run) and serve it");
  struct Opts {
    std::string data = "demo-data";
    config::Listeners listen;
    bool json = false;
    bool no_serve = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory for the demo")->capture_default_str();
  // A second demo beside the first needs other ports for every listener.
  add_listen_options(cmd, &o->listen, "in the demo's minato.toml");
  cmd->add_flag("--json", o->json,
                "Print the new demo's credentials as one JSON line (for scripts and the console's "
                "end-to-end tests) instead of the text");
  cmd->add_flag("--no-serve", o->no_serve,
                "Create the demo terminal and stop, without serving it: its minato.toml can "
                "still be edited freely (configuration control begins at the first start of "
                "serve)");
  cmd->callback([o] {
    std::error_code ec;
    if (std::filesystem::exists(o->data, ec)) {
      auto rt = app::Runtime::open(o->data);
      if (!rt) throw CLI::RuntimeError(report(rt.error()));
      std::printf("Open the console in a browser: %s/\n\n", console_address(**rt).c_str());
      std::printf(
          "Using the existing demo terminal in %s (delete it to start afresh; its\n"
          "passwords were shown when it was created).\n",
          o->data.c_str());
    } else {
      app::InitSpec spec;
      spec.data_dir = o->data;
      spec.admin_user = "admin";
      spec.admin_password = generate_password("admin");
      spec.listen = o->listen;
      auto init = app::initialise(spec);
      if (!init) throw CLI::RuntimeError(report(init.error()));
      auto rt = app::Runtime::open(o->data);
      if (!rt) throw CLI::RuntimeError(report(rt.error()));
      std::string op_pw = generate_password("operator");
      auto op = (*rt)->identity().create_user(access::Actor::local_operator(),
                                              {"operator", op_pw, {"planner", "gate_clerk"}, ""});
      if (!op) throw CLI::RuntimeError(report(op.error()));
      // A second administrator, so privileged changes can be approved (two-person rule).
      std::string officer_pw = generate_password("officer");
      auto officer = (*rt)->identity().create_user(
          access::Actor::local_operator(), {"officer", officer_pw, {"security_officer"}, ""});
      if (!officer) throw CLI::RuntimeError(report(officer.error()));
      // The only role that reads the audit log (G2.7.3-e).
      std::string auditor_pw = generate_password("auditor");
      auto auditor = (*rt)->identity().create_user(access::Actor::local_operator(),
                                                   {"auditor", auditor_pw, {"auditor"}, ""});
      if (!auditor) throw CLI::RuntimeError(report(auditor.error()));
      auto seeded = seed_terminal(**rt);
      if (!seeded) throw CLI::RuntimeError(report(seeded.error()));
      if (o->json) {
        auto user = [](const std::string& pw, const std::string& secret) {
          return boost::json::object{{"password", pw}, {"totp_secret", secret}};
        };
        boost::json::object creds{
            {"data", o->data},
            {"users", boost::json::object{
                          {"admin", user(spec.admin_password, init->admin.totp_secret_base32)},
                          {"operator", user(op_pw, op->totp_secret_base32)},
                          {"officer", user(officer_pw, officer->totp_secret_base32)},
                          {"auditor", user(auditor_pw, auditor->totp_secret_base32)}}}};
        std::printf("%s\n", boost::json::serialize(creds).c_str());
      } else {
        std::printf("Open the console in a browser: %s/\n\n", console_address(**rt).c_str());
        std::printf(
            "Demo terminal created in %s. These credentials are shown once:\n\n"
            "  administrator  user: admin     password: %s\n"
            "                 TOTP secret: %s\n"
            "  operator       user: operator  password: %s\n"
            "                 TOTP secret: %s\n"
            "  officer        user: officer   password: %s\n"
            "                 TOTP secret: %s\n"
            "  auditor        user: auditor   password: %s\n"
            "                 TOTP secret: %s\n\n"
            "Current code:    oathtool --totp -b SECRET\n"
            "Log in:          curl --cacert %s/tls/cert.pem -c jar \\\n"
            "                   -H 'Content-Type: application/json' \\\n"
            "                   -d "
            "'{\"username\":\"operator\",\"password\":\"...\",\"totp\":\"123456\"}' \\\n"
            "                   https://%s/api/v1/session\n\n",
            o->data.c_str(), spec.admin_password.c_str(), init->admin.totp_secret_base32.c_str(),
            op_pw.c_str(), op->totp_secret_base32.c_str(), officer_pw.c_str(),
            officer->totp_secret_base32.c_str(), auditor_pw.c_str(),
            auditor->totp_secret_base32.c_str(), o->data.c_str(), login_address(o->listen).c_str());
        std::printf("Scan the operator's TOTP secret:\n%s\n",
                    qr_for_terminal(op->otpauth_uri).c_str());
      }
    }
    std::fflush(stdout);
    if (o->no_serve) return;
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = serve(**rt, o->listen);
    if (!st) throw CLI::RuntimeError(report(st.error()));
  });
}

}  // namespace minato::cli

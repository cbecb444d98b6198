// `minato demo`: a demo terminal in one step — init with generated passwords (printed once),
// a yard, vessel visits and a few hundred units, then serve.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <random>

#include "cli/cli.h"
#include "crypto/random.h"
#include "identity/password_policy.h"

namespace minato::cli {

namespace t = minato::terminal;

namespace {

std::string generate_password(const std::string& user) {
  for (;;) {
    std::string pw = crypto::random_token(18);  // 24 characters, 144 bits
    if (identity::check_password({}, user, pw)) return pw;
  }
}

t::ContainerId make_container_id(const std::string& owner, int serial) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%sU%06d", owner.c_str(), serial);
  int cd = t::ContainerId::check_digit(buf);
  return *t::ContainerId::parse(std::string(buf) + static_cast<char>('0' + cd));
}

std::string make_imo(int base6) {
  std::string s = std::to_string(base6);
  int sum = 0;
  for (size_t i = 0; i < 6; ++i) sum += (s[i] - '0') * static_cast<int>(7 - i);
  return s + static_cast<char>('0' + sum % 10);
}

Status seed_terminal(app::Runtime& rt) {
  auto actor = access::Actor::local_operator();
  auto& term = rt.terminal();
  const char* blocks[] = {"A1", "A2", "A3", "B1", "B2", "B3"};
  for (const char* b : blocks) {
    auto block = *t::YardBlock::make(b, 20, 6, 4);
    if (std::string(b) == "A1") block.reefer.push_back(*t::StackArea::parse("01-39/1-3"));
    block.hazardous = std::string(b) == "B3";
    MINATO_TRY(term.create_block(actor, block));
  }

  int64_t now = rt.clock().now_us();
  int64_t hour = 3600LL * 1'000'000;
  struct V {
    const char* id;
    const char* name;
    int imo6;
    const char* berth;
    int eta_h, etd_h;
  };
  for (const V& v : {V{"ONE-2611E", "ONE HARBOUR", 932148, "T1", -6, 18},
                     V{"MSK-2612W", "MAERSK SETO", 948231, "T2", 20, 40},
                     V{"CSQ-2613N", "COSCO NAGOYA", 951120, "T3", 44, 60}}) {
    auto r = term.create_visit(actor, {v.id, v.name, make_imo(v.imo6), v.berth,
                                       now + v.eta_h * hour, now + v.etd_h * hour});
    if (!r) return fail(r.error());
  }

  std::mt19937 rng(20231);  // fixed seed: the same demo every time
  const char* owners[] = {"ONE", "MSK", "CSQ", "MWC", "TGH", "EGH", "NYK", "HLX"};
  const char* lines[] = {"ONE", "MSK", "COS", "MSC", "ONE", "EMC", "ONE", "HLC"};
  const char* sizes[] = {"22G1", "22G1", "45G1", "45G1", "42G1",
                         "45R1", "22R1", "L5G1", "22U1", "22T1"};
  const t::UnitCategory cats[] = {t::UnitCategory::kImport, t::UnitCategory::kExport,
                                  t::UnitCategory::kTranship, t::UnitCategory::kStorage};
  int placed = 0;
  for (int i = 0; i < 320; ++i) {
    size_t o = rng() % 8;
    auto cid = make_container_id(owners[o], static_cast<int>(100000 + rng() % 899999));
    auto st = t::SizeType::parse(sizes[rng() % 10]);
    bool empty = rng() % 5 == 0;
    t::UnitSpec spec{
        cid,
        *st,
        cats[rng() % 4],
        empty ? t::FreightKind::kEmpty : t::FreightKind::kFull,
        lines[o],
        empty ? 2'300 + static_cast<int>(rng() % 1'500) : 8'000 + static_cast<int>(rng() % 22'000)};
    if (st->is_reefer() && !empty) spec.reefer = t::ReeferSettings{-180, true};
    if (spec.category == t::UnitCategory::kExport && !empty) {
      // Received against a booking of its line and size for the first vessel, with a VGM.
      std::string number = "BK-" + spec.line_operator + "-" + st->iso_code();
      auto have = term.get_booking(actor, number);
      if (!have) {
        store::BookingRecord b;
        b.number = number;
        b.line_operator = spec.line_operator;
        b.outbound_visit = "ONE-2611E";
        b.pod = "USLAX";
        b.size_type = st->iso_code();
        b.quantity = 400;
        MINATO_TRY(term.create_booking(actor, b));
      }
      spec.booking = number;
      spec.vgm = t::Vgm{spec.gross_kg, t::VgmMethod::kMethod1, "DEMO SHIPPER"};
    }
    if (i % 8 == 7) {  // some units only advised: they are expected at the gate
      auto u = term.create_unit(actor, spec);
      if (!u && u.error().code() != ErrorCode::kAlreadyExists) return fail(u.error());
      continue;
    }
    char plate[16];
    std::snprintf(plate, sizeof plate, "NGY-%04d", static_cast<int>(rng() % 10000));
    auto r = term.gate_in(actor, {cid, plate, std::nullopt, spec});  // the yard allocates
    if (!r) {
      if (r.error().code() == ErrorCode::kAlreadyExists) continue;  // duplicate random id
      return fail(r.error());
    }
    ++placed;
  }
  return ok();
}

}  // namespace

void add_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "Create a demo terminal (first run) and serve it");
  struct Opts {
    std::string data = "demo-data";
    std::string listen;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--data", o->data, "Data directory for the demo")->capture_default_str();
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (default 127.0.0.1:8443)");
  cmd->callback([o] {
    std::error_code ec;
    if (std::filesystem::exists(o->data, ec)) {
      std::printf(
          "Using the existing demo terminal in %s (delete it to start afresh; its\n"
          "passwords were shown when it was created).\n",
          o->data.c_str());
    } else {
      app::InitSpec spec{o->data, "admin", generate_password("admin"), "", "", ""};
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
          "                   https://127.0.0.1:8443/api/v1/session\n\n",
          o->data.c_str(), spec.admin_password.c_str(), init->admin.totp_secret_base32.c_str(),
          op_pw.c_str(), op->totp_secret_base32.c_str(), officer_pw.c_str(),
          officer->totp_secret_base32.c_str(), auditor_pw.c_str(),
          auditor->totp_secret_base32.c_str(), o->data.c_str());
      std::printf("Scan the operator's TOTP secret:\n%s\n",
                  qr_for_terminal(op->otpauth_uri).c_str());
    }
    std::fflush(stdout);
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto st = serve(**rt, o->listen);
    if (!st) throw CLI::RuntimeError(report(st.error()));
  });
}

}  // namespace minato::cli

#include "app/continuity.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "app/eir.h"
#include "app/runtime.h"
#include "common/files.h"
#include "crypto/random.h"
#include "resilience/backup_set.h"

namespace minato::app {

namespace json = boost::json;
namespace fs = std::filesystem;
namespace t = terminal;

namespace {

constexpr int kPage = 5000;

// One CSV table, also rendered as an HTML table.
struct Table {
  std::string file;
  std::string title_en, title_ja;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

std::string csv_field(const std::string& v) {
  // RFC 4180; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
  std::string s = v;
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv(const Table& t) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += csv_field(cells[i]);
    }
    out += "\r\n";
  };
  line(t.header);
  for (const auto& r : t.rows) line(r);
  return out;
}

std::string holds_text(const t::Unit& u) {
  std::string out;
  for (const auto& h : u.status().holds) {
    if (!out.empty()) out += "; ";
    out += std::string(t::to_string(h.kind)) + ": " + h.reason;
  }
  return out;
}

std::string dg_text(const t::Unit& u) {
  std::string out;
  for (const auto& d : u.spec().dangerous_goods) {
    if (!out.empty()) out += "; ";
    out += "UN" + d.un_number + " class " + std::string(d.imdg_class.str());
  }
  return out;
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

}  // namespace

Result<ContinuitySnapshot> Continuity::write(const access::Actor& actor) {
  const CommandSpec spec{"continuity.snapshot", "continuity", access::Permission::kTerminalRead};
  MINATO_TRY(rt_.writes().authorize(actor, spec));
  ContinuitySnapshot snap;
  snap.at_us = rt_.clock().now_us();
  const std::string root = rt_.paths().resolve(rt_.config().continuity_dir);
  const std::string name = format_utc(snap.at_us, "%Y%m%dT%H%M%SZ");
  snap.dir = root + "/" + name;
  auto made = [&]() -> Status {
    MINATO_TRY(make_dir(root, 0700, false));
    // One read snapshot for every table: they agree with each other.
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    auto& r = **rx;

    Table yard{"yard.csv",
               "Yard inventory by position",
               "ヤード在庫(位置順)",
               {"position",
                "block",
                "bay",
                "row",
                "tier",
                "container_id",
                "size_type",
                "category",
                "freight",
                "line_operator",
                "gross_kg",
                "vgm_kg",
                "reefer_set_point_c",
                "dangerous_goods",
                "holds",
                "outbound_visit",
                "pod",
                "booking",
                "delivery_order",
                "in_yard_since"},
               {}};
    std::vector<t::Unit> in_yard;
    MINATO_TRY(r.scan_units_in_yard([&](t::Unit&& u) { in_yard.push_back(std::move(u)); }));
    std::sort(in_yard.begin(), in_yard.end(), [](const t::Unit& a, const t::Unit& b) {
      const auto& x = *a.slot();
      const auto& y = *b.slot();
      return std::make_tuple(std::cref(x.block()), x.bay(), x.row(), x.tier()) <
             std::make_tuple(std::cref(y.block()), y.bay(), y.row(), y.tier());
    });
    for (const auto& u : in_yard) {
      const auto& s = u.spec();
      const auto& slot = *u.slot();
      yard.rows.push_back(
          {slot.str(),
           slot.block(),
           two(slot.bay()),
           two(slot.row()),
           std::to_string(slot.tier()),
           s.container_id.str(),
           s.size_type.code(),
           std::string(t::to_string(s.category)),
           std::string(t::to_string(s.freight)),
           s.line_operator,
           std::to_string(s.gross_kg),
           s.vgm ? std::to_string(s.vgm->kg) : "",
           s.reefer ? std::to_string(s.reefer->set_point_dc / 10.0).substr(0, 5) : "",
           dg_text(u),
           holds_text(u),
           s.outbound_visit,
           s.pod,
           s.booking,
           s.delivery_order,
           u.status().in_yard_us ? format_utc(u.status().in_yard_us) : ""});
    }
    snap.units_in_yard = static_cast<int64_t>(in_yard.size());

    Table holds{"holds.csv",
                "Units on hold",
                "ホールド中のユニット",
                {"container_id", "state", "position", "hold", "reason", "placed_by", "since"},
                {}};
    for (int64_t after = 0;;) {
      store::UnitQuery q;
      q.on_hold = true;
      q.after_id = after;
      q.limit = kPage;
      auto page = r.list_units(q);
      if (!page) return fail(page.error());
      for (const auto& u : *page) {
        for (const auto& h : u.status().holds) {
          holds.rows.push_back({u.spec().container_id.str(), std::string(t::to_string(u.state())),
                                u.slot() ? u.slot()->str() : u.status().vessel_slot,
                                std::string(t::to_string(h.kind)), h.reason, h.by,
                                format_utc(h.at_us)});
        }
        after = u.id();
      }
      if (static_cast<int>(page->size()) < kPage) break;
    }
    snap.holds = static_cast<int64_t>(holds.rows.size());

    Table vessels{
        "vessels.csv",
        "Vessel visits",
        "本船寄港",
        {"visit", "vessel_name", "imo", "berth", "eta", "etd", "phase", "discharge", "load"},
        {}};
    Table lists{
        "vessel-lists.csv",
        "Discharge and load lists",
        "揚げ・積みリスト",
        {"visit", "list", "container_id", "state", "vessel_slot", "yard_position", "size_type",
         "freight", "line_operator", "gross_kg", "vgm_kg", "pod", "dangerous_goods", "holds"},
        {}};
    auto visits = r.list_visits();
    if (!visits) return fail(visits.error());
    for (const auto& v : *visits) {
      const auto ph = v.phase();
      if (ph == t::VisitPhase::kDeparted || ph == t::VisitPhase::kClosed ||
          ph == t::VisitPhase::kCancelled) {
        continue;
      }
      int64_t discharge = 0, load = 0;
      for (int64_t after = 0;;) {
        store::UnitQuery q;
        q.visit = v.id();
        q.after_id = after;
        q.limit = kPage;
        auto page = r.list_units(q);
        if (!page) return fail(page.error());
        for (const auto& u : *page) {
          const auto& s = u.spec();
          const bool in = s.inbound_visit == v.id();
          (in ? discharge : load)++;
          lists.rows.push_back({v.id(), in ? "discharge" : "load", s.container_id.str(),
                                std::string(t::to_string(u.state())), u.status().vessel_slot,
                                u.slot() ? u.slot()->str() : "", s.size_type.code(),
                                std::string(t::to_string(s.freight)), s.line_operator,
                                std::to_string(s.gross_kg), s.vgm ? std::to_string(s.vgm->kg) : "",
                                s.pod, dg_text(u), holds_text(u)});
          after = u.id();
        }
        if (static_cast<int>(page->size()) < kPage) break;
      }
      const auto& s = v.spec();
      vessels.rows.push_back({s.id, s.vessel_name, s.imo, s.berth, format_utc(s.eta_us),
                              format_utc(s.etd_us), std::string(t::to_string(v.phase())),
                              std::to_string(discharge), std::to_string(load)});
      ++snap.visits;
    }
    snap.list_entries = static_cast<int64_t>(lists.rows.size());

    // Appointments from an hour ago to two days ahead: the gate's work by hand.
    Table appts{"appointments.csv",
                "Gate appointments",
                "ゲート予約",
                {"id", "slot_start", "slot_end", "direction", "container_id", "truck_plate",
                 "haulier", "state"},
                {}};
    auto list =
        r.list_appointments(snap.at_us - 3'600'000'000LL, snap.at_us + 172'800'000'000LL, 100'000);
    if (!list) return fail(list.error());
    for (const auto& a : *list) {
      appts.rows.push_back({std::to_string(a.id), format_utc(a.slot_start_us),
                            format_utc(a.slot_end_us), std::string(t::to_string(a.direction)),
                            a.container_id, a.truck_plate, a.haulier, a.state});
    }
    snap.appointments = static_cast<int64_t>(appts.rows.size());
    rx->reset();

    // Files, then their sums and the signature, in a directory renamed into place whole.
    const std::string work = root + "/.partial-" + name;
    resilience::remove_stale_partials(root, ".partial-", 3600);
    std::error_code ec;
    fs::remove_all(work, ec);
    MINATO_TRY(make_dir(work, 0700, true));
    std::string sums;
    auto put = [&](const std::string& file, const std::string& data) -> Status {
      MINATO_TRY(write_file_atomic(work + "/" + file, data, 0600));
      sums += crypto::to_hex(crypto::sha256(data)) + "  " + file + "\n";
      return ok();
    };
    const std::vector<const Table*> tables{&yard, &holds, &vessels, &lists, &appts};
    for (const auto* tb : tables) MINATO_TRY(put(tb->file, csv(*tb)));
    const std::string pub = crypto::to_hex(rt_.signing_key().public_key());
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
         << "<title>" << html_escape(rt_.config().terminal_name) << " — 継続運用スナップショット "
         << format_utc(snap.at_us) << "</title><style>"
         << "body{font:10pt sans-serif;margin:1cm}table{border-collapse:collapse;width:100%;"
            "margin-bottom:1em}th,td{border:1px solid #444;padding:2px 4px;text-align:left}"
            "th{background:#ddd}h2{page-break-before:always}h2.first{page-break-before:auto}"
            "@media print{thead{display:table-header-group}}"
         << "</style></head><body>\n<h1>" << html_escape(rt_.config().terminal_name)
         << "</h1>\n<p>継続運用スナップショット / Continuity snapshot: <b>"
         << format_utc(snap.at_us) << "</b> (UTC)<br>"
         << "ヤード " << snap.units_in_yard << " 本、ホールド " << snap.holds << " 件、本船 "
         << snap.visits << " 隻、予約 " << snap.appointments << " 件 / " << snap.units_in_yard
         << " units in the yard, " << snap.holds << " holds, " << snap.visits << " visits, "
         << snap.appointments << " appointments.<br>"
         << "署名鍵 / Signing key (Ed25519): <code>" << pub << "</code></p>\n";
    bool first = true;
    for (const auto* tb : tables) {
      html << "<h2" << (first ? " class=\"first\"" : "") << ">" << html_escape(tb->title_ja)
           << " / " << html_escape(tb->title_en) << " (" << tb->rows.size() << ")</h2>\n"
           << "<table><thead><tr>";
      first = false;
      for (const auto& h : tb->header) html << "<th>" << html_escape(h) << "</th>";
      html << "</tr></thead><tbody>\n";
      for (const auto& row : tb->rows) {
        html << "<tr>";
        for (const auto& c : row) html << "<td>" << html_escape(c) << "</td>";
        html << "</tr>\n";
      }
      html << "</tbody></table>\n";
    }
    html << "</body></html>\n";
    MINATO_TRY(put("index.html", html.str()));
    MINATO_TRY(write_file_atomic(work + "/SHA256SUMS", sums, 0600));
    MINATO_TRY(write_file_atomic(
        work + "/SHA256SUMS.sig",
        json::serialize(json::object{{"public_key", pub},
                                     {"signature", crypto::to_hex(rt_.signing_key().sign(sums))}}) +
            "\n",
        0600));
    if (::rename(work.c_str(), snap.dir.c_str()) != 0) {
      return fail(ErrorCode::kUnavailable, "cannot move the snapshot into place at " + snap.dir);
    }
    MINATO_TRY(write_file_atomic(root + "/LATEST", name + "\n", 0600));
    // Keep the newest continuity.keep.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root, ec)) {
      std::string n = e.path().filename().string();
      if (e.is_directory(ec) && n.size() == 16 && n[8] == 'T' && n[15] == 'Z') names.push_back(n);
    }
    std::sort(names.begin(), names.end());
    const size_t keep = static_cast<size_t>(std::max(1, rt_.config().continuity_keep));
    for (size_t i = 0; i + keep < names.size(); ++i) fs::remove_all(root + "/" + names[i], ec);
    return ok();
  }();
  auto st = rt_.writes().execute_status(actor, spec, [&](store::WriteTxn&, Effects& fx) -> Status {
    if (!made) return fail(made.error());
    fx.change = json::serialize(json::object{{"dir", snap.dir},
                                             {"units_in_yard", snap.units_in_yard},
                                             {"holds", snap.holds},
                                             {"visits", snap.visits},
                                             {"list_entries", snap.list_entries},
                                             {"appointments", snap.appointments}});
    return ok();
  });
  if (!made) return fail(made.error());
  if (!st) return fail(st.error());
  return snap;
}

void Continuity::run_due(int64_t now_us) {
  const int64_t every = int64_t{rt_.config().continuity_minutes} * 60'000'000;
  if (last_us_ != 0 && now_us - last_us_ < every) return;
  if (failed_us_ != 0 && now_us - failed_us_ < 60'000'000) return;
  access::Actor me{"system:continuity", "local",
                   static_cast<uint32_t>(access::Permission::kTerminalRead)};
  auto s = write(me);
  if (s) {
    last_us_ = now_us;
    failed_us_ = 0;
    return;
  }
  std::fprintf(stderr, "minato: continuity snapshot failed: %s\n", s.error().message().c_str());
  if (failed_us_ == 0 || last_us_ != 0) {
    Alert a;
    a.event = "continuity.failed";
    a.title_en = "Continuity snapshot failed";
    a.title_ja = "継続運用スナップショットの作成に失敗しました";
    a.text_en = s.error().message() + ". The manual-operation copy is getting old.";
    a.text_ja = s.error().message() + "。手作業運用用のコピーが古くなっています。";
    a.details_json = json::serialize(json::object{{"error", s.error().message()}});
    (void)rt_.raise_alert("system:continuity", "alert.continuity.failed", a);
  }
  failed_us_ = now_us;
}

Result<std::string> continuity_public_key(const std::string& data_dir) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) {
    return fail(ErrorCode::kNotFound, data_dir + " is not a data directory", "data");
  }
  auto key = crypto::SigningKey::load(DataPaths{data_dir}.signing_key());
  if (!key) return fail(key.error());
  return crypto::to_hex(key->public_key());
}

Result<ContinuityCheck> verify_continuity(const std::string& dir,
                                          const std::string& public_key_hex) {
  std::error_code fs_ec;
  if (!fs::is_directory(dir, fs_ec)) {
    return fail(ErrorCode::kNotFound, dir + " is not a directory (a continuity snapshot)");
  }
  ContinuityCheck out;
  auto sums = read_file(dir + "/SHA256SUMS", 1 << 20);
  if (!sums) return fail(ErrorCode::kDataLoss, dir + ": no SHA256SUMS");
  auto sig = read_file(dir + "/SHA256SUMS.sig", 4096);
  if (!sig) return fail(ErrorCode::kDataLoss, dir + ": no SHA256SUMS.sig");
  boost::system::error_code ec;
  json::value v = json::parse(*sig, ec);
  if (ec || !v.is_object() || !v.as_object().contains("signature") ||
      !v.as_object().contains("public_key")) {
    return fail(ErrorCode::kDataLoss, dir + "/SHA256SUMS.sig is damaged");
  }
  const std::string beside(v.as_object().at("public_key").as_string());
  out.key_beside = public_key_hex.empty();
  out.public_key = out.key_beside ? beside : public_key_hex;
  auto key = crypto::from_hex(out.public_key);
  if (!key || key->size() != 32) {
    return fail(ErrorCode::kInvalidArgument,
                "the key must be 64 hex digits (an Ed25519 public key, as `minato continuity "
                "key` prints it)",
                "key");
  }
  auto signature = crypto::from_hex(std::string(v.as_object().at("signature").as_string()));
  if (!signature || !crypto::SigningKey::verify(*key, *sums, *signature)) {
    std::string why = dir + ": the signature over SHA256SUMS does not verify with key " +
                      out.public_key.substr(0, 16) + "...";
    if (!out.key_beside && beside != out.public_key) {
      why += " (the snapshot names key " + beside.substr(0, 16) +
             "...: signed by another installation, or not by this one's continuity key; "
             "`minato continuity key --data DIR` prints it)";
    }
    return fail(ErrorCode::kDataLoss, why);
  }
  std::istringstream in(*sums);
  std::string hash, file;
  int n = 0;
  while (in >> hash >> file) {
    if (file.find('/') != std::string::npos) {
      return fail(ErrorCode::kDataLoss, dir + ": SHA256SUMS names a path: " + file);
    }
    auto data = read_file(dir + "/" + file, size_t{1} << 31);
    if (!data) return fail(ErrorCode::kDataLoss, dir + "/" + file + " is missing");
    if (crypto::to_hex(crypto::sha256(*data)) != hash) {
      return fail(ErrorCode::kDataLoss, dir + "/" + file + " was changed");
    }
    ++n;
  }
  if (n == 0) return fail(ErrorCode::kDataLoss, dir + ": SHA256SUMS lists nothing");
  out.files = n;
  return out;
}

}  // namespace minato::app

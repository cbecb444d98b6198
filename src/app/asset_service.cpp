#include "app/asset_service.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>

#include "app/decommission_certificate.h"
#include "app/runtime.h"
#include "common/clock.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr std::array<std::string_view, 7> kKinds = {"server", "terminal", "network", "mfp",
                                                    "iot",    "media",    "other"};
constexpr std::array<std::string_view, 5> kStates = {"planned", "in_service", "maintenance",
                                                     "retired", "disposed"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view v) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

template <size_t N>
std::string listed(const std::array<std::string_view, N>& set) {
  std::string out;
  for (auto v : set) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

json::object asset_json(const store::AssetRecord& a) {
  json::object o;
  for (const auto& f : kAssetFields) o[f.name] = a.*f.member;
  return o;
}

// The fields that differ, before and after (for the audit record).
json::object diff(const store::AssetRecord& before, const store::AssetRecord& after) {
  json::object b = asset_json(before), a = asset_json(after), out;
  for (const auto& kv : a) {
    if (b[kv.key()] != kv.value()) {
      out[kv.key()] = json::object{{"before", b[kv.key()]}, {"after", kv.value()}};
    }
  }
  return out;
}

bool valid_date(const std::string& d) {
  int64_t us = 0;
  return d.size() == 10 && parse_utc(d + "T00:00:00Z", &us);
}

Result<store::AssetRecord> existing(store::ReadTxn& tx, const std::string& tag) {
  auto found = tx.find_asset(tag);
  if (!found) return fail(found.error());
  if (!*found) return fail(ErrorCode::kNotFound, "no asset " + tag, "tag");
  return std::move(**found);
}

}  // namespace

Status AssetService::validate(const store::AssetRecord& a) {
  if (a.tag.empty() || a.tag.size() > 32 || !std::all_of(a.tag.begin(), a.tag.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      })) {
    return fail(ErrorCode::kInvalidArgument,
                "tag must be 1 to 32 letters, digits, '-', '_' or '.' (\"SRV-01\")", "tag");
  }
  if (!one_of(kKinds, a.kind)) {
    return fail(ErrorCode::kInvalidArgument, "kind must be one of " + listed(kKinds), "kind");
  }
  if (!one_of(kStates, a.state)) {
    return fail(ErrorCode::kInvalidArgument, "state must be one of " + listed(kStates), "state");
  }
  if (a.name.empty() || a.name.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "name must be 1 to 200 bytes", "name");
  }
  const std::pair<const char*, const std::string*> fields[] = {
      {"serial", &a.serial},   {"os", &a.os},       {"applications", &a.applications},
      {"patches", &a.patches}, {"owner", &a.owner}, {"used_by", &a.used_by},
      {"place", &a.place},     {"power", &a.power}, {"network", &a.network},
      {"notes", &a.notes}};
  for (const auto& [name, value] : fields) {
    if (value->size() > kMaxField) {
      return fail(ErrorCode::kInvalidArgument,
                  std::string(name) + " must be at most " + std::to_string(kMaxField) + " bytes",
                  name);
    }
  }
  return ok();
}

Status AssetService::require_reader(const access::Actor& actor) const {
  if (actor.has(Permission::kAsset) || actor.has(Permission::kAuditRead)) return ok();
  return fail(ErrorCode::kPermissionDenied, "the asset register needs asset.manage or audit.read");
}

Result<int64_t> AssetService::add(const access::Actor& actor, store::AssetRecord a) {
  MINATO_TRY(validate(a));
  return rt_.writes().execute<int64_t>(actor, {"asset.add", "asset:" + a.tag, Permission::kAsset},
                                       [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
                                         auto found = tx.find_asset(a.tag);
                                         if (!found) return fail(found.error());
                                         if (*found) {
                                           return fail(ErrorCode::kAlreadyExists,
                                                       "asset " + a.tag + " is registered already",
                                                       "tag");
                                         }
                                         a.created_us = a.updated_us = fx.now_us;
                                         a.updated_by = actor.subject;
                                         auto id = tx.insert_asset(a);
                                         if (!id) return fail(id.error());
                                         json::object change = asset_json(a);
                                         change["table"] = "assets";
                                         change["id"] = *id;
                                         fx.change = json::serialize(change);
                                         return *id;
                                       });
}

Status AssetService::update(const access::Actor& actor, store::AssetRecord a) {
  MINATO_TRY(validate(a));
  return rt_.writes().execute_status(
      actor, {"asset.update", "asset:" + a.tag, Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto before = existing(tx, a.tag);
        if (!before) return fail(before.error());
        // A medium out on loan stays in service until it is back.
        if (a.state != "in_service" && before->kind == "media") {
          auto loans = tx.media_loans(before->id);
          if (!loans) return fail(loans.error());
          if (!loans->empty() && loans->front().returned_us == 0) {
            return fail(ErrorCode::kConflict,
                        a.tag + " is out on loan to " + loans->front().holder + "; return it first",
                        "state");
          }
        }
        a.id = before->id;
        a.created_us = before->created_us;
        a.updated_us = fx.now_us;
        a.updated_by = actor.subject;
        MINATO_TRY(tx.update_asset(a));
        fx.change = json::serialize(
            json::object{{"table", "assets"}, {"id", a.id}, {"changed", diff(*before, a)}});
        return ok();
      });
}

Result<int64_t> AssetService::record_work(const access::Actor& actor, const std::string& tag,
                                          store::WorkRecord w) {
  if (!valid_date(w.work_date)) {
    return fail(ErrorCode::kInvalidArgument, "date must be YYYY-MM-DD", "date");
  }
  if (w.work.empty() || w.work.size() > kMaxField) {
    return fail(ErrorCode::kInvalidArgument, "work must be 1 to 2000 bytes", "work");
  }
  if (w.worker.empty() || w.worker.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "worker must be 1 to 200 bytes", "worker");
  }
  if (w.approved_by.size() > 200) {
    return fail(ErrorCode::kInvalidArgument, "approved_by must be at most 200 bytes",
                "approved_by");
  }
  return rt_.writes().execute<int64_t>(
      actor, {"asset.work", "asset:" + tag, Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        auto a = existing(tx, tag);
        if (!a) return fail(a.error());
        w.asset_id = a->id;
        w.recorded_us = fx.now_us;
        w.recorded_by = actor.subject;
        auto id = tx.insert_work_record(w);
        if (!id) return fail(id.error());
        fx.change = json::serialize(json::object{{"table", "work_records"},
                                                 {"id", *id},
                                                 {"date", w.work_date},
                                                 {"work", w.work},
                                                 {"worker", w.worker},
                                                 {"approved_by", w.approved_by}});
        return *id;
      });
}

Result<int64_t> AssetService::dispose(const access::Actor& actor, const std::string& tag,
                                      const std::string& certificate,
                                      const std::string& fingerprint) {
  if (certificate.size() > (1u << 20)) {
    return fail(ErrorCode::kInvalidArgument, "a certificate is at most 1 MiB", "certificate");
  }
  auto c = verify_certificate(certificate, fingerprint, "the certificate");
  // A file someone brought that does not verify is their input's fault, not the server's.
  if (!c) return fail(ErrorCode::kInvalidArgument, c.error().message(), "certificate");
  if (c->outcome != "complete") {
    return fail(ErrorCode::kFailedPrecondition,
                "the certificate records an incomplete erasure (" + c->outcome +
                    "): erase the medium first; the asset is not disposed of",
                "certificate");
  }
  const std::string sha = crypto::to_hex(crypto::sha256(certificate));
  return rt_.writes().execute<int64_t>(
      actor, {"asset.dispose", "asset:" + tag, Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        auto a = existing(tx, tag);
        if (!a) return fail(a.error());
        if (a->state == "disposed") {
          return fail(ErrorCode::kConflict, tag + " is already disposed of", "tag");
        }
        auto loans = tx.media_loans(a->id);
        if (!loans) return fail(loans.error());
        if (!loans->empty() && loans->front().returned_us == 0) {
          return fail(ErrorCode::kConflict, tag + " is out on loan; return it first", "tag");
        }
        const std::string state_before = a->state;
        a->state = "disposed";
        a->updated_us = fx.now_us;
        a->updated_by = actor.subject;
        MINATO_TRY(tx.update_asset(*a));
        store::WorkRecord w;
        w.asset_id = a->id;
        w.work_date = c->finished_utc.substr(0, 10);
        w.work = "Data erased by minato decommission (G2.6.1-c): " + c->outcome + ", " +
                 std::to_string(c->keys) + " keys destroyed, " + std::to_string(c->files) +
                 " files (" + std::to_string(c->bytes) + " bytes) overwritten and removed on " +
                 c->host + " at " + c->finished_utc + "; certificate SHA-256 " + sha +
                 ", signed by key " + c->fingerprint;
        w.worker = c->operator_name + "@" + c->host;
        if (w.worker.size() > 200) w.worker.resize(200);
        w.approved_by = actor.subject;
        w.recorded_us = fx.now_us;
        w.recorded_by = actor.subject;
        auto id = tx.insert_work_record(w);
        if (!id) return fail(id.error());
        fx.change = json::serialize(json::object{{"table", "assets"},
                                                 {"id", a->id},
                                                 {"state_before", state_before},
                                                 {"work_record", *id},
                                                 {"certificate_sha256", sha},
                                                 {"signer_fingerprint", c->fingerprint},
                                                 {"certificate", certificate}});
        return *id;
      });
}

Result<int64_t> AssetService::checkout(const access::Actor& actor, int64_t approval_id) {
  return rt_.writes().execute<int64_t>(
      actor, {"media.checkout", "approval:" + std::to_string(approval_id), Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Result<int64_t> {
        auto found = tx.find_approval(approval_id);
        if (!found) return fail(found.error());
        if (!*found || (*found)->kind != kMediaCheckoutKind) {
          return fail(ErrorCode::kNotFound,
                      "no media checkout request " + std::to_string(approval_id), "approval");
        }
        store::ApprovalRecord ap = **found;
        MINATO_TRY(check_usable(ap, fx.now_us));
        json::object p = json::parse(ap.payload).as_object();
        auto a = existing(tx, std::string(p.at("tag").as_string()));
        if (!a) return fail(a.error());
        if (a->kind != "media" || a->state != "in_service") {
          return fail(ErrorCode::kConflict, a->tag + " is not a removable medium in service");
        }
        auto loans = tx.media_loans(a->id);
        if (!loans) return fail(loans.error());
        if (!loans->empty() && loans->front().returned_us == 0) {
          return fail(ErrorCode::kConflict,
                      a->tag + " is out already, to " + loans->front().holder);
        }
        store::MediaLoanRecord l;
        l.asset_id = a->id;
        l.approval_id = ap.id;
        l.holder = p.at("holder").as_string();
        l.purpose = p.at("purpose").as_string();
        l.out_us = fx.now_us;
        l.due_us = fx.now_us + p.at("days").as_int64() * 86'400'000'000;
        l.out_by = actor.subject;
        auto id = tx.insert_media_loan(l);
        if (!id) return fail(id.error());
        ap.status = "executed";
        ap.executed_by = actor.subject;
        ap.executed_us = fx.now_us;
        MINATO_TRY(tx.update_approval(ap));
        fx.reason = "requested by " + ap.requested_by + ", approved by " + ap.decided_by;
        fx.change = json::serialize(json::object{{"table", "media_loans"},
                                                 {"id", *id},
                                                 {"tag", a->tag},
                                                 {"holder", l.holder},
                                                 {"purpose", l.purpose},
                                                 {"due", format_utc(l.due_us)},
                                                 {"approval", ap.id}});
        return *id;
      });
}

Status AssetService::return_media(const access::Actor& actor, const std::string& tag,
                                  const std::string& note) {
  if (note.size() > kMaxField) {
    return fail(ErrorCode::kInvalidArgument, "note must be at most 2000 bytes", "note");
  }
  return rt_.writes().execute_status(
      actor, {"media.return", "asset:" + tag, Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        auto a = existing(tx, tag);
        if (!a) return fail(a.error());
        auto loans = tx.media_loans(a->id);
        if (!loans) return fail(loans.error());
        if (loans->empty() || loans->front().returned_us != 0) {
          return fail(ErrorCode::kConflict, tag + " is not out on loan");
        }
        store::MediaLoanRecord l = loans->front();
        l.returned_us = fx.now_us;
        l.returned_by = actor.subject;
        l.return_note = note;
        MINATO_TRY(tx.update_media_loan(l));
        fx.change = json::serialize(json::object{{"table", "media_loans"},
                                                 {"id", l.id},
                                                 {"holder", l.holder},
                                                 {"overdue", fx.now_us > l.due_us},
                                                 {"note", note}});
        return ok();
      });
}

Result<AssetImportReport> AssetService::import_csv(const access::Actor& actor,
                                                   const std::string& file_name, std::string data,
                                                   const std::string& channel) {
  // Refused (and audited) before the file is taken in.
  MINATO_TRY(rt_.writes().authorize(actor, {"asset.import", "assets", Permission::kAsset}));
  auto in = rt_.intake().receive(actor, file_name, std::move(data), channel, IntakeKind::kData,
                                 Permission::kAsset);
  if (!in) return fail(in.error());
  // The name as the intake recorded it (cleaned), in messages and the audit record.
  const std::string& name = in->record.file_name;
  if (in->type != secops::FileType::kCsv) {
    return fail(ErrorCode::kInvalidArgument,
                name + " is not CSV text (it was taken in as " +
                    std::string(secops::to_string(in->type)) + ")",
                "file");
  }
  std::vector<int> lines;
  auto rows = parse_asset_csv(in->data, kMaxImportRows, &lines);
  if (!rows) {
    return fail(rows.error().code(), name + ": " + rows.error().message(), rows.error().field());
  }
  for (size_t i = 0; i < rows->size(); ++i) {
    if (auto st = validate((*rows)[i]); !st) {
      return fail(ErrorCode::kInvalidArgument,
                  name + " line " + std::to_string(lines[i]) + ", column " + st.error().field() +
                      ": " + st.error().message(),
                  st.error().field());
    }
  }
  AssetImportReport report;
  report.intake_id = in->record.id;
  MINATO_TRY(rt_.writes().execute_status(
      actor, {"asset.import", "intake:" + std::to_string(in->record.id), Permission::kAsset},
      [&](store::WriteTxn& tx, Effects& fx) -> Status {
        report.added = report.updated = report.unchanged = 0;
        json::array added, updated;
        for (auto a : *rows) {
          auto found = tx.find_asset(a.tag);
          if (!found) return fail(found.error());
          a.updated_us = fx.now_us;
          a.updated_by = actor.subject;
          if (!*found) {
            a.created_us = fx.now_us;
            auto id = tx.insert_asset(a);
            if (!id) return fail(id.error());
            added.push_back(json::string(a.tag));
            ++report.added;
            continue;
          }
          a.id = (*found)->id;
          a.created_us = (*found)->created_us;
          json::object changed = diff(**found, a);
          if (changed.empty()) {
            ++report.unchanged;
            continue;
          }
          MINATO_TRY(tx.update_asset(a));
          updated.push_back(json::object{{"tag", a.tag}, {"changed", std::move(changed)}});
          ++report.updated;
        }
        fx.change = json::serialize(json::object{{"table", "assets"},
                                                 {"intake", report.intake_id},
                                                 {"file", in->record.file_name},
                                                 {"added", std::move(added)},
                                                 {"updated", std::move(updated)}});
        return ok();
      }));
  return report;
}

Result<std::vector<store::AssetRecord>> AssetService::list(const access::Actor& actor) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto all = (*rx)->list_assets();
  if (!all) return fail(all.error());
  MINATO_TRY(rt_.audit().record_access(actor, "asset register", "assets"));
  return all;
}

Result<AssetView> AssetService::show(const access::Actor& actor, const std::string& tag) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto a = existing(**rx, tag);
  if (!a) return fail(a.error());
  auto work = (*rx)->work_records(a->id, 500);
  if (!work) return fail(work.error());
  auto loans = (*rx)->media_loans(a->id);
  if (!loans) return fail(loans.error());
  MINATO_TRY(rt_.audit().record_access(actor, "asset " + tag, "asset:" + tag));
  return AssetView{std::move(*a), std::move(*work), std::move(*loans)};
}

Result<std::vector<store::MediaLoanRecord>> AssetService::loans_out(const access::Actor& actor) {
  MINATO_TRY(require_reader(actor));
  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto out = (*rx)->open_media_loans();
  if (!out) return fail(out.error());
  MINATO_TRY(rt_.audit().record_access(actor, "media loans out", "assets"));
  return out;
}

}  // namespace minato::app
